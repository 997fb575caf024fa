// The signed-in user: session login/logout, sign-up, own settings, invitations, app tokens, entity search.
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { SESSION_COOKIE, readCookie } from "../../access/sessions.js";
import { avatar, entity, Entity, parseId } from "../types/common.js";
import {
  AppToken,
  CreatedAppToken,
  Organization,
  Robot,
  Team,
  TeamInvitation,
  Viewer,
} from "../types/tenancy.js";
import { toOrganization, toRobot, toTeam, toViewer } from "../mappers.js";

async function viewerOf(ctx: GraphQLContext, userId: bigint): Promise<Viewer> {
  const u = await ctx.services.users.get(userId);
  return toViewer(u, ctx.services.accounts.isSuperuser(u));
}

function setSessionCookie(ctx: GraphQLContext, token: string, expires: Date) {
  ctx.res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: ctx.services.config.PREFERRED_URL_SCHEME === "https",
    path: "/",
    expires,
  });
}

const toAppToken = (t: {
  id: bigint;
  title: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}): AppToken => ({
  id: String(t.id),
  title: t.title,
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
  expiresAt: t.expiresAt,
});

@Resolver(() => Viewer)
export class AccountResolver {
  @Query(() => Viewer, { nullable: true, description: "The signed-in user, or null" })
  async viewer(@Ctx() ctx: GraphQLContext): Promise<Viewer | null> {
    if (ctx.principal.kind !== "user") return null;
    ctx.services.authz.requireUser(ctx.principal, "user:read"); // OAuth tokens need the user:read scope
    return viewerOf(ctx, ctx.principal.userId);
  }

  @FieldResolver(() => [Organization])
  async organizations(@Ctx() ctx: GraphQLContext): Promise<Organization[]> {
    return (await ctx.services.orgs.mine(ctx.principal)).map(toOrganization);
  }

  @FieldResolver(() => [TeamInvitation], { description: "Team invitations waiting for an answer" })
  async invitations(@Ctx() ctx: GraphQLContext): Promise<TeamInvitation[]> {
    return (await ctx.services.teams.invitationsFor(ctx.principal)).map((i) => ({
      id: String(i.id),
      organization: i.team.namespace.name,
      team: i.team.name,
      organizationAvatar: avatar(i.team.namespace.name, i.team.namespace.email, "org"),
      createdAt: i.createdAt,
    }));
  }

  @FieldResolver(() => [Robot], { description: "Robots of the user's own namespace" })
  async robots(@Root() v: Viewer, @Ctx() ctx: GraphQLContext): Promise<Robot[]> {
    return (await ctx.services.robots.list(ctx.principal, v.username)).map(toRobot);
  }

  @FieldResolver(() => [AppToken])
  async appTokens(@Ctx() ctx: GraphQLContext): Promise<AppToken[]> {
    return (await ctx.services.oauth.listAppTokens(ctx.principal)).map(toAppToken);
  }

  @Mutation(() => Viewer, { description: "Signs in with a password; sets the session cookie" })
  async login(
    @Arg("username", () => String) username: string,
    @Arg("password", () => String) password: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Viewer> {
    const s = await ctx.services.sessions.login(username, password, ctx.ip);
    setSessionCookie(ctx, s.token, s.expiresAt);
    return viewerOf(ctx, (s.principal as { userId: bigint }).userId);
  }

  @Mutation(() => Boolean, { description: "Ends the session" })
  async logout(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    const token = readCookie(ctx.req, SESSION_COOKIE);
    if (token) await ctx.services.sessions.destroy(token);
    ctx.res.clearCookie(SESSION_COOKIE, { path: "/" });
    return true;
  }

  @Mutation(() => Viewer, {
    description: "Creates an account (when FEATURE_USER_CREATION is on) and signs in",
  })
  async signUp(
    @Arg("username", () => String) username: string,
    @Arg("email", () => String) email: string,
    @Arg("password", () => String) password: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Viewer> {
    const u = await ctx.services.users.signUp({ username, email, password }, ctx.ip);
    const s = await ctx.services.sessions.create(u.id);
    setSessionCookie(ctx, s.token, s.expiresAt);
    return viewerOf(ctx, u.id);
  }

  @Mutation(() => Boolean)
  async changePassword(
    @Arg("currentPassword", () => String) current: string,
    @Arg("newPassword", () => String) next: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.users.changePassword(ctx.principal, current, next, ctx.ip);
    return true;
  }

  @Mutation(() => Viewer)
  async changeEmail(@Arg("email", () => String) email: string, @Ctx() ctx: GraphQLContext): Promise<Viewer> {
    const u = await ctx.services.users.changeEmail(ctx.principal, email, ctx.ip);
    return toViewer(u, ctx.services.accounts.isSuperuser(u));
  }

  @Mutation(() => Viewer, { description: "Sets the time-machine window of the user's namespace" })
  async setTimeMachine(
    @Arg("window", () => String) window: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Viewer> {
    const u = await ctx.services.users.setTimeMachine(ctx.principal, window, ctx.ip);
    return toViewer(u, ctx.services.accounts.isSuperuser(u));
  }

  @Mutation(() => Boolean, { description: "Deletes the account; confirm with the username" })
  async deleteAccount(
    @Arg("confirm", () => String) confirm: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.users.deleteAccount(ctx.principal, confirm, ctx.ip);
    ctx.res.clearCookie(SESSION_COOKIE, { path: "/" });
    return true;
  }

  @Mutation(() => Team)
  async acceptInvitation(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Team> {
    const t = await ctx.services.teams.acceptInvite(ctx.principal, parseId(id), ctx.ip);
    return toTeam(t, t.namespace.name);
  }

  @Mutation(() => Boolean)
  async declineInvitation(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.teams.declineInvite(ctx.principal, parseId(id), ctx.ip);
    return true;
  }

  @Mutation(() => CreatedAppToken, { description: "A token for `docker login -u '$app'`; shown once" })
  async createAppToken(
    @Arg("title", () => String) title: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedAppToken> {
    const { row, token } = await ctx.services.oauth.createAppToken(ctx.principal, title, ctx.ip);
    return { appToken: toAppToken(row), token };
  }

  @Mutation(() => Boolean)
  async revokeAppToken(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.oauth.revokeAppToken(ctx.principal, parseId(id), ctx.ip);
    return true;
  }

  @Query(() => [Entity], {
    description: "Users, and the namespace's robots and teams, whose name starts with prefix",
  })
  async searchEntities(
    @Arg("prefix", () => String) prefix: string,
    @Arg("namespace", () => String, { nullable: true }) namespace: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Entity[]> {
    const r = await ctx.services.users.searchEntities(ctx.principal, prefix, namespace);
    return [
      ...r.users.map((u) => entity("user", u.username, u.email)),
      ...r.teams.map((t) => entity("team", t.name)),
      ...r.robots.map((x) => entity("robot", x.fullName)),
    ];
  }
}
