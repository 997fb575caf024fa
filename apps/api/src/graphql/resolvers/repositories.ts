// Repositories: lists (by namespace, public, starred, search), details, settings, stars and permissions.
import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { entity, EntityKind, RoleName, toConnection, Visibility, type Connection } from "../types/common.js";
import { Repository, RepositoryConnection, RepositoryPermission } from "../types/tenancy.js";
import { asRole, repositoryFromModel, toRepository } from "../mappers.js";

@Resolver(() => Repository)
export class RepositoryResolver {
  @Query(() => RepositoryConnection, { description: "Repositories the caller may see, in name order" })
  async repositories(
    @Arg("namespace", () => String, { nullable: true }) namespace: string | null,
    @Arg("starred", () => Boolean, { nullable: true }) starred: boolean | null,
    @Arg("publicOnly", () => Boolean, { nullable: true, description: "Explore: public repositories only" })
    publicOnly: boolean | null,
    @Arg("search", () => String, { nullable: true }) search: string | null,
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("mine", () => Boolean, {
      nullable: true,
      description:
        "Only repositories the caller is involved in (own namespace, organizations they belong to, grants), not others' public ones",
    })
    mine: boolean | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Repository>> {
    const page = await ctx.services.repos.list(ctx.principal, {
      namespace,
      starred,
      publicOnly,
      search,
      first,
      after,
      mine,
    });
    return toConnection(page, toRepository);
  }

  @Query(() => Repository, { description: "NOT_FOUND when it does not exist or the caller may not read it" })
  async repository(
    @Arg("namespace", () => String) namespace: string,
    @Arg("name", () => String) name: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Repository> {
    return repositoryFromModel(await ctx.services.repos.get(ctx.principal, namespace, name));
  }

  @FieldResolver(() => RoleName, { nullable: true, description: "The caller's effective role" })
  async viewerRole(@Root() r: Repository, @Ctx() ctx: GraphQLContext): Promise<RoleName | null> {
    const role = await ctx.loaders.repoRole.load({
      id: r.id,
      namespaceId: r.namespaceId,
      visibility: r.visibility,
    });
    return role ? asRole(role) : null;
  }

  @FieldResolver(() => Boolean)
  async isStarred(@Root() r: Repository, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.loaders.starredByViewer.load(r.id);
  }

  @FieldResolver(() => Int)
  async starCount(@Root() r: Repository, @Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.loaders.starCount.load(r.id);
  }

  @FieldResolver(() => Int, { description: "Pulls in the last 30 days" })
  async popularity(@Root() r: Repository, @Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.loaders.popularity.load(r.id);
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description: "The last tag change; null before the first push",
  })
  async lastModified(@Root() r: Repository, @Ctx() ctx: GraphQLContext): Promise<Date | null> {
    return ctx.loaders.lastModified.load(r.id);
  }

  @FieldResolver(() => [RepositoryPermission], { description: "Repository admins only" })
  async permissions(@Root() r: Repository, @Ctx() ctx: GraphQLContext): Promise<RepositoryPermission[]> {
    return (await ctx.services.permissions.list(ctx.principal, r.namespace, r.name)).map((p) => ({
      entity: entity(p.kind, p.name, p.email),
      role: asRole(p.role),
    }));
  }

  @Mutation(() => Repository)
  async createRepository(
    @Arg("namespace", () => String) namespace: string,
    @Arg("name", () => String) name: string,
    @Arg("description", () => String, { nullable: true }) description: string | null,
    @Arg("visibility", () => Visibility, { nullable: true }) visibility: Visibility | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Repository> {
    const r = await ctx.services.repos.create(
      ctx.principal,
      { namespace, name, description: description ?? "", visibility: visibility ?? "private" },
      ctx.ip,
    );
    return repositoryFromModel(r);
  }

  @Mutation(() => Repository, { description: "Description needs write; visibility needs admin" })
  async updateRepository(
    @Arg("namespace", () => String) namespace: string,
    @Arg("name", () => String) name: string,
    @Arg("description", () => String, { nullable: true }) description: string | null,
    @Arg("visibility", () => Visibility, { nullable: true }) visibility: Visibility | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Repository> {
    return repositoryFromModel(
      await ctx.services.repos.update(ctx.principal, namespace, name, { description, visibility }, ctx.ip),
    );
  }

  @Mutation(() => Boolean, { description: "Deletes the repository with its tags; confirm with its name" })
  async deleteRepository(
    @Arg("namespace", () => String) namespace: string,
    @Arg("name", () => String) name: string,
    @Arg("confirm", () => String) confirm: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.repos.delete(ctx.principal, namespace, name, confirm, ctx.ip);
    return true;
  }

  @Mutation(() => Repository)
  async setRepositoryStar(
    @Arg("namespace", () => String) namespace: string,
    @Arg("name", () => String) name: string,
    @Arg("starred", () => Boolean) starred: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Repository> {
    return repositoryFromModel(await ctx.services.repos.setStar(ctx.principal, namespace, name, starred));
  }

  @Mutation(() => RepositoryPermission, { description: "Adds or changes a user, team or robot permission" })
  async setRepositoryPermission(
    @Arg("namespace", () => String) namespace: string,
    @Arg("name", () => String) name: string,
    @Arg("kind", () => EntityKind) kind: EntityKind,
    @Arg("entity", () => String, { description: "username, team name or namespace+robot" }) who: string,
    @Arg("role", () => RoleName) role: RoleName,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RepositoryPermission> {
    await ctx.services.permissions.set(ctx.principal, namespace, name, { kind, name: who }, role, ctx.ip);
    return { entity: entity(kind, who), role };
  }

  @Mutation(() => Boolean)
  async removeRepositoryPermission(
    @Arg("namespace", () => String) namespace: string,
    @Arg("name", () => String) name: string,
    @Arg("kind", () => EntityKind) kind: EntityKind,
    @Arg("entity", () => String) who: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.permissions.remove(ctx.principal, namespace, name, { kind, name: who }, ctx.ip);
    return true;
  }
}
