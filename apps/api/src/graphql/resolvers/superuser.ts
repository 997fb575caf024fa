// The superuser panel: users (create with a generated password, change password, disable/enable, delete).
import { Arg, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { toConnection, type Connection } from "../types/common.js";
import { CreatedUser, UserAccount, UserAccountConnection } from "../types/tenancy.js";
import { toUserAccount } from "../mappers.js";

@Resolver()
export class SuperuserResolver {
  @Query(() => UserAccountConnection, { description: "Every user (superusers)" })
  async users(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("filter", () => String, { nullable: true }) filter: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<UserAccount>> {
    const page = await ctx.services.users.list(ctx.principal, { first, after, filter });
    return toConnection(page, (u) => toUserAccount(u, ctx.services.accounts.isSuperuser(u)));
  }

  @Mutation(() => CreatedUser, { description: "The generated password is returned only here" })
  async createUser(
    @Arg("username", () => String) username: string,
    @Arg("email", () => String) email: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedUser> {
    const { user, password } = await ctx.services.users.createBySuperuser(
      ctx.principal,
      { username, email },
      ctx.ip,
    );
    return { user: toUserAccount(user), password };
  }

  @Mutation(() => Boolean)
  async setUserPassword(
    @Arg("username", () => String) username: string,
    @Arg("password", () => String) password: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.users.setPasswordBySuperuser(ctx.principal, username, password, ctx.ip);
    return true;
  }

  @Mutation(() => UserAccount, { description: "A disabled user cannot log in by any means" })
  async setUserEnabled(
    @Arg("username", () => String) username: string,
    @Arg("enabled", () => Boolean) enabled: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserAccount> {
    const u = await ctx.services.users.setEnabled(ctx.principal, username, enabled, ctx.ip);
    return toUserAccount(u, ctx.services.accounts.isSuperuser(u));
  }

  @Mutation(() => Boolean)
  async deleteUser(
    @Arg("username", () => String) username: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.users.deleteBySuperuser(ctx.principal, username, ctx.ip);
    return true;
  }
}
