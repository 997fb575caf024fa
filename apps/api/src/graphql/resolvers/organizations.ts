// Organizations, their teams and members, default permissions and OAuth applications.
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import {
  avatar,
  entity,
  EntityKind,
  parseId,
  RepositoryRole,
  RoleName,
  TeamRole,
  toConnection,
  type Connection,
} from "../types/common.js";
import {
  Collaborator,
  DefaultPermission,
  Organization,
  OrganizationConnection,
  OrganizationCounts,
  OrganizationMember,
  Robot,
  Team,
  TeamMember,
} from "../types/tenancy.js";
import { asRole, toOrganization, toRobot, toTeam } from "../mappers.js";

const userSummary = (u: { username: string; email: string }) => ({
  username: u.username,
  avatar: avatar(u.username, u.email, "user"),
});

@Resolver(() => Organization)
export class OrganizationResolver {
  @Query(() => Organization, { description: "An organization; NOT_FOUND when it does not exist" })
  async organization(
    @Arg("name", () => String) name: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Organization> {
    return toOrganization(await ctx.services.orgs.get(name));
  }

  @FieldResolver(() => TeamRole, { nullable: true, description: "The viewer's highest team role here" })
  async viewerRole(@Root() o: Organization, @Ctx() ctx: GraphQLContext): Promise<TeamRole | null> {
    return (await ctx.loaders.orgRole.load(o.id)) as TeamRole | null;
  }

  @FieldResolver(() => OrganizationCounts)
  async counts(@Root() o: Organization, @Ctx() ctx: GraphQLContext): Promise<OrganizationCounts> {
    const l = ctx.loaders;
    const [repositories, teams, robots, members] = await Promise.all([
      l.namespaceRepositoryCount.load(o.id),
      l.namespaceTeamCount.load(o.id),
      l.namespaceRobotCount.load(o.id),
      l.namespaceMemberCount.load(o.id),
    ]);
    return { repositories, teams, robots, members };
  }

  @FieldResolver(() => [Team], { description: "Visible to members" })
  async teams(@Root() o: Organization, @Ctx() ctx: GraphQLContext): Promise<Team[]> {
    return (await ctx.services.teams.list(ctx.principal, o.name)).map((t) => toTeam(t, o.name));
  }

  @FieldResolver(() => Team)
  async team(
    @Root() o: Organization,
    @Arg("name", () => String) name: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Team> {
    return toTeam(await ctx.services.teams.get(ctx.principal, o.name, name), o.name);
  }

  @FieldResolver(() => [OrganizationMember], {
    description: "Users in any team, with their teams and permissions",
  })
  async members(@Root() o: Organization, @Ctx() ctx: GraphQLContext): Promise<OrganizationMember[]> {
    return (await ctx.services.teams.orgMembers(ctx.principal, o.name)).map((m) => ({
      user: userSummary(m.user),
      teams: m.teams,
      repositories: m.repositories.map((r) => ({ repository: r.repository, role: asRole(r.role) })),
    }));
  }

  @FieldResolver(() => [Collaborator], {
    description: "Users with direct repository permissions outside every team",
  })
  async collaborators(@Root() o: Organization, @Ctx() ctx: GraphQLContext): Promise<Collaborator[]> {
    return (await ctx.services.teams.collaborators(ctx.principal, o.name)).map((c) => ({
      user: userSummary(c.user),
      repositories: c.repositories.map((r) => ({ repository: r.repository, role: asRole(r.role) })),
    }));
  }

  @FieldResolver(() => [Robot], { description: "Visible to admins" })
  async robots(@Root() o: Organization, @Ctx() ctx: GraphQLContext): Promise<Robot[]> {
    return (await ctx.services.robots.list(ctx.principal, o.name)).map(toRobot);
  }

  @FieldResolver(() => [DefaultPermission], { description: "Visible to admins" })
  async defaultPermissions(
    @Root() o: Organization,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DefaultPermission[]> {
    return (await ctx.services.permissions.listDefaults(ctx.principal, o.name)).map((d) => ({
      id: String(d.id),
      creator: d.creator,
      delegate: entity(d.delegate.kind, d.delegate.name),
      role: asRole(d.role),
    }));
  }

  // ------------------------------------------------------------ mutations

  @Mutation(() => Organization, { description: "The creator joins the owners team (admin)" })
  async createOrganization(
    @Arg("name", () => String) name: string,
    @Arg("email", () => String, { nullable: true }) email: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Organization> {
    return toOrganization(await ctx.services.orgs.create(ctx.principal, { name, email }, ctx.ip));
  }

  @Mutation(() => Organization)
  async updateOrganization(
    @Arg("name", () => String) name: string,
    @Arg("email", () => String, { nullable: true }) email: string | null,
    @Arg("timeMachine", () => String, { nullable: true, description: "One of system.tagExpirationOptions" })
    timeMachine: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Organization> {
    return toOrganization(
      await ctx.services.orgs.update(ctx.principal, name, { email, timeMachine }, ctx.ip),
    );
  }

  @Mutation(() => Boolean, {
    description: "Deletes the organization and everything in it; confirm with its name",
  })
  async deleteOrganization(
    @Arg("name", () => String) name: string,
    @Arg("confirm", () => String) confirm: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.orgs.delete(ctx.principal, name, confirm, ctx.ip);
    return true;
  }

  @Mutation(() => Team)
  async createTeam(
    @Arg("organization", () => String) org: string,
    @Arg("name", () => String) name: string,
    @Arg("description", () => String, { nullable: true }) description: string | null,
    @Arg("role", () => TeamRole, { nullable: true }) role: TeamRole | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Team> {
    return toTeam(
      await ctx.services.teams.create(ctx.principal, org, { name, description, role }, ctx.ip),
      org,
    );
  }

  @Mutation(() => Team)
  async updateTeam(
    @Arg("organization", () => String) org: string,
    @Arg("name", () => String) name: string,
    @Arg("description", () => String, { nullable: true }) description: string | null,
    @Arg("role", () => TeamRole, { nullable: true }) role: TeamRole | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Team> {
    return toTeam(
      await ctx.services.teams.update(ctx.principal, org, name, { description, role }, ctx.ip),
      org,
    );
  }

  @Mutation(() => Boolean)
  async deleteTeam(
    @Arg("organization", () => String) org: string,
    @Arg("name", () => String) name: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.teams.delete(ctx.principal, org, name, ctx.ip);
    return true;
  }

  @Mutation(() => TeamMember, {
    description: "A robot (org+name) joins at once; a user (username or e-mail) is invited until they accept",
  })
  async addTeamMember(
    @Arg("organization", () => String) org: string,
    @Arg("team", () => String) team: string,
    @Arg("member", () => String) member: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TeamMember> {
    const m = await ctx.services.teams.addMember(ctx.principal, org, team, member, ctx.ip);
    return toMember(m);
  }

  @Mutation(() => Boolean, { description: "Removes a member or cancels an invitation" })
  async removeTeamMember(
    @Arg("organization", () => String) org: string,
    @Arg("team", () => String) team: string,
    @Arg("member", () => String) member: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.teams.removeMember(ctx.principal, org, team, member, ctx.ip);
    return true;
  }

  @Mutation(() => DefaultPermission)
  async createDefaultPermission(
    @Arg("organization", () => String) org: string,
    @Arg("delegateKind", () => EntityKind) kind: EntityKind,
    @Arg("delegate", () => String) delegate: string,
    @Arg("role", () => RoleName) role: RoleName,
    @Arg("creator", () => String, {
      nullable: true,
      description: "Only repositories this user creates; null: anyone",
    })
    creator: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DefaultPermission> {
    const row = await ctx.services.permissions.createDefault(
      ctx.principal,
      org,
      { creator, delegate: { kind, name: delegate }, role },
      ctx.ip,
    );
    return { id: String(row.id), creator, delegate: entity(kind, delegate), role };
  }

  @Mutation(() => Boolean)
  async updateDefaultPermission(
    @Arg("organization", () => String) org: string,
    @Arg("id", () => ID) id: string,
    @Arg("role", () => RoleName) role: RoleName,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.permissions.updateDefault(ctx.principal, org, parseId(id), role, ctx.ip);
    return true;
  }

  @Mutation(() => Boolean)
  async deleteDefaultPermission(
    @Arg("organization", () => String) org: string,
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.permissions.deleteDefault(ctx.principal, org, parseId(id), ctx.ip);
    return true;
  }
}

const toMember = (m: {
  kind: "user" | "robot";
  name: string;
  email: string | null;
  invited: boolean;
}): TeamMember => ({
  kind: m.kind as EntityKind,
  name: m.name,
  email: m.email,
  invited: m.invited,
  avatar: avatar(m.name, m.email ?? m.name, m.kind),
});

@Resolver(() => Team)
export class TeamResolver {
  @FieldResolver(() => Int, { description: "Members, counting pending invitations" })
  async memberCount(@Root() t: Team, @Ctx() ctx: GraphQLContext): Promise<number> {
    const [members, invites] = await Promise.all([
      ctx.loaders.teamMemberCount.load(t.id),
      ctx.loaders.teamInviteCount.load(t.id),
    ]);
    return members + invites;
  }

  @FieldResolver(() => Int)
  async repositoryCount(@Root() t: Team, @Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.loaders.teamRepositoryCount.load(t.id);
  }

  @FieldResolver(() => [TeamMember])
  async members(@Root() t: Team, @Ctx() ctx: GraphQLContext): Promise<TeamMember[]> {
    return (await ctx.services.teams.members(ctx.principal, t.organizationName, t.name)).map(toMember);
  }

  @FieldResolver(() => [RepositoryRole])
  async repositories(@Root() t: Team, @Ctx() ctx: GraphQLContext): Promise<RepositoryRole[]> {
    return (await ctx.loaders.teamPermissions.load(t.id)).map((r) => ({ ...r, role: asRole(r.role) }));
  }
}

@Resolver()
export class OrganizationListResolver {
  @Query(() => OrganizationConnection, { description: "Every organization (superusers)" })
  async allOrganizations(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("filter", () => String, { nullable: true }) filter: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Organization>> {
    return toConnection(
      await ctx.services.orgs.list(ctx.principal, { first, after, filter }),
      toOrganization,
    );
  }
}
