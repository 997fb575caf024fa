// Robot accounts of a user or organization namespace: create, describe, credentials, regenerate, delete,
// and one permission across many repositories at once.
import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { robotCredentials } from "../../tenancy/robots.js";
import { parseRobotName } from "../../tenancy/names.js";
import { EntityKind, RepositoryRole, RoleName } from "../types/common.js";
import { Robot, RobotCredentials } from "../types/tenancy.js";
import { asRole, toRobot } from "../mappers.js";

@Resolver(() => Robot)
export class RobotResolver {
  @Query(() => Robot, { description: "A robot by its full name (namespace+name); namespace admins only" })
  async robot(@Arg("name", () => String) name: string, @Ctx() ctx: GraphQLContext): Promise<Robot> {
    return toRobot(await ctx.services.robots.get(ctx.principal, name));
  }

  @Query(() => [Robot], { description: "Robots of a user or organization namespace; its admins only" })
  async robots(
    @Arg("namespace", () => String) namespace: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Robot[]> {
    return (await ctx.services.robots.list(ctx.principal, namespace)).map(toRobot);
  }

  @FieldResolver(() => RobotCredentials, { description: "The token and ready-to-paste login forms" })
  async credentials(@Root() r: Robot, @Ctx() ctx: GraphQLContext): Promise<RobotCredentials> {
    const row = await ctx.services.robots.get(ctx.principal, r.name); // re-checks admin on every read
    return robotCredentials(ctx.services.config.SERVER_HOSTNAME, r.name, ctx.services.robots.token(row));
  }

  @FieldResolver(() => [String], { description: "Teams the robot belongs to" })
  async teams(@Root() r: Robot, @Ctx() ctx: GraphQLContext): Promise<string[]> {
    return ctx.loaders.robotTeams.load(r.id);
  }

  @FieldResolver(() => [RepositoryRole])
  async repositories(@Root() r: Robot, @Ctx() ctx: GraphQLContext): Promise<RepositoryRole[]> {
    return (await ctx.loaders.robotPermissions.load(r.id)).map((p) => ({ ...p, role: asRole(p.role) }));
  }

  @Mutation(() => Robot)
  async createRobot(
    @Arg("namespace", () => String) namespace: string,
    @Arg("name", () => String, { description: "The short name, without namespace+" }) name: string,
    @Arg("description", () => String, { nullable: true }) description: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Robot> {
    return toRobot(
      await ctx.services.robots.createAs(ctx.principal, namespace, name, description ?? "", ctx.ip),
    );
  }

  @Mutation(() => Robot)
  async updateRobot(
    @Arg("name", () => String) name: string,
    @Arg("description", () => String) description: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Robot> {
    return toRobot(await ctx.services.robots.setDescription(ctx.principal, name, description));
  }

  @Mutation(() => Robot, { description: "A new token; the old one stops working at once" })
  async regenerateRobotToken(
    @Arg("name", () => String) name: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Robot> {
    return toRobot(await ctx.services.robots.regenerate(ctx.principal, name, ctx.ip));
  }

  @Mutation(() => Boolean)
  async deleteRobot(@Arg("name", () => String) name: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.robots.delete(ctx.principal, name, ctx.ip);
    return true;
  }

  @Mutation(() => Int, {
    description:
      "Sets the robot's role on many repositories of its namespace (null role removes); returns the count",
  })
  async setRobotPermissions(
    @Arg("name", () => String) name: string,
    @Arg("repositories", () => [String]) repositories: string[],
    @Arg("role", () => RoleName, { nullable: true }) role: RoleName | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<number> {
    const namespace = parseRobotName(name)?.namespace ?? name;
    return ctx.services.permissions.setMany(
      ctx.principal,
      namespace,
      repositories,
      { kind: EntityKind.robot, name },
      role,
      ctx.ip,
    );
  }
}
