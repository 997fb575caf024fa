// Teams of an organization, their members and invitations, the repositories they hold permissions on, and
// the organization's default permissions (Quay's team and prototype modules).
import { z } from "zod";
import type { Principal } from "../../access/principal.js";
import type { Services } from "../../app/services.js";
import { parseRobotName } from "../../tenancy/names.js";
import { ApiError } from "../errors.js";
import { q, route, type Route } from "../route.js";
import { Avatar, avatar, RepositoryPermissionEntry, RepositoryRole, TeamRole, userEntity } from "../views.js";

const Team = z.object({
  name: z.string(),
  description: z.string(),
  can_view: z.boolean(),
  role: TeamRole,
  avatar: Avatar,
  new_team: z.boolean(),
});

const TeamMember = z.union([
  z.object({
    name: z.string(),
    kind: z.literal("user"),
    is_robot: z.boolean(),
    avatar: Avatar,
    invited: z.boolean(),
  }),
  z.object({ email: z.string(), kind: z.literal("invite"), avatar: Avatar, invited: z.literal(true) }),
]);

const PrototypeEntity = z.object({
  name: z.string(),
  kind: z.enum(["user", "team"]),
  is_robot: z.boolean().optional(),
  is_org_member: z.boolean().optional(),
  avatar: Avatar,
});

const Prototype = z.object({
  activating_user: PrototypeEntity.nullable(),
  delegate: PrototypeEntity,
  role: RepositoryRole,
  id: z.string(),
});

const teamView = (
  t: { name: string; description: string; role: "member" | "creator" | "admin" },
  isNew: boolean,
) => ({
  name: t.name,
  description: t.description,
  can_view: true,
  role: t.role,
  avatar: avatar(t.name, t.name, "team"),
  new_team: isNew,
});

type MemberRow = { kind: "user" | "robot"; name: string; email: string | null; invited: boolean };
const memberView = (m: MemberRow) =>
  m.invited && m.email === m.name && m.name.includes("@")
    ? {
        email: m.name,
        kind: "invite" as const,
        avatar: avatar(m.name, m.name, "user"),
        invited: true as const,
      }
    : { ...userEntity(m.name, m.email), invited: m.invited };

const teamPath = "/organization/{orgname}/team/{teamname}";

const prototypeId = (raw: string) => {
  if (!/^\d{1,18}$/.test(raw)) throw ApiError.notFound("Default permission not found");
  return BigInt(raw);
};

async function prototypes(s: Services, p: Principal, org: string) {
  const rows = await s.permissions.listDefaults(p, org);
  const members = new Set((await s.teams.orgMembers(p, org)).map((m) => m.user.username));
  const entity = (kind: "user" | "team" | "robot", name: string) =>
    kind === "team"
      ? { name, kind: "team" as const, avatar: avatar(name, name, "team") }
      : {
          ...userEntity(name, null),
          kind: "user" as const,
          is_org_member: kind === "robot" || members.has(name),
        };
  return rows.map((r) => ({
    activating_user: r.creator ? entity("user", r.creator) : null,
    delegate: entity(r.delegate.kind, r.delegate.name),
    role: r.role,
    id: String(r.id),
  }));
}

export const teamRoutes: Route[] = [
  route({
    method: "put",
    path: teamPath,
    nickname: "updateOrganizationTeam",
    tag: "team",
    description:
      "Update the org-wide permission for the specified team, creating the team if it does not exist.",
    scope: "org:admin",
    body: z.strictObject({ role: TeamRole, description: z.string().optional() }),
    response: Team,
    async handler({ s, principal, params, body, ip }) {
      const input = { role: body.role, description: body.description ?? null };
      const { team, created } = await s.teams.save(principal, params.orgname!, params.teamname!, input, ip);
      return teamView(team, created);
    },
  }),
  route({
    method: "delete",
    path: teamPath,
    nickname: "deleteOrganizationTeam",
    tag: "team",
    description: "Delete the specified team.",
    scope: "org:admin",
    response: null,
    async handler({ s, principal, params, ip }) {
      await s.teams.delete(principal, params.orgname!, params.teamname!, ip);
    },
  }),
  route({
    method: "get",
    path: `${teamPath}/members`,
    nickname: "getOrganizationTeamMembers",
    tag: "team",
    description: "Retrieve the list of members for the specified team.",
    scope: "org:admin",
    query: { includePending: q.bool("Whether to include pending invitations") },
    response: z.object({ name: z.string(), members: z.array(TeamMember), can_edit: z.boolean() }),
    async handler({ s, principal, params, query }) {
      const org = await s.orgs.get(params.orgname!);
      const members = await s.teams.members(principal, params.orgname!, params.teamname!);
      return {
        name: params.teamname!,
        members: members.filter((m) => !m.invited || query.includePending).map(memberView),
        can_edit: await s.authz.namespaceAllows(principal, org.id, "admin"),
      };
    },
  }),
  route({
    method: "put",
    path: `${teamPath}/members/{membername}`,
    nickname: "updateOrganizationTeamMember",
    tag: "team",
    description: "Adds a robot to the team at once, or invites a user (who joins on accepting).",
    scope: "org:admin",
    response: TeamMember,
    async handler({ s, principal, params, ip }) {
      return memberView(
        await s.teams.addMember(principal, params.orgname!, params.teamname!, params.membername!, ip),
      );
    },
  }),
  route({
    method: "delete",
    path: `${teamPath}/members/{membername}`,
    nickname: "deleteOrganizationTeamMember",
    tag: "team",
    description: "Removes a member from the team, or cancels their invitation.",
    scope: "org:admin",
    response: null,
    async handler({ s, principal, params, ip }) {
      await s.teams.removeMember(principal, params.orgname!, params.teamname!, params.membername!, ip);
    },
  }),
  route({
    method: "put",
    path: `${teamPath}/invite/{email}`,
    nickname: "inviteTeamMemberEmail",
    tag: "team",
    description: "Invites an e-mail address to the team; whoever signs up or signs in with it may accept.",
    scope: "org:admin",
    response: TeamMember,
    async handler({ s, principal, params, ip }) {
      if (!params.email!.includes("@")) throw ApiError.badRequest("Not an e-mail address");
      return memberView(
        await s.teams.addMember(principal, params.orgname!, params.teamname!, params.email!, ip),
      );
    },
  }),
  route({
    method: "delete",
    path: `${teamPath}/invite/{email}`,
    nickname: "deleteTeamMemberEmailInvite",
    tag: "team",
    description: "Deletes an e-mail invitation to the team.",
    scope: "org:admin",
    response: null,
    async handler({ s, principal, params, ip }) {
      if (!params.email!.includes("@")) throw ApiError.badRequest("Not an e-mail address");
      await s.teams.removeMember(principal, params.orgname!, params.teamname!, params.email!, ip);
    },
  }),
  route({
    method: "get",
    path: `${teamPath}/permissions`,
    nickname: "getOrganizationTeamPermissions",
    tag: "team",
    description: "Returns the list of repository permissions held by the team.",
    scope: "org:admin",
    response: z.object({ permissions: z.array(RepositoryPermissionEntry) }),
    async handler({ s, principal, params }) {
      const team = await s.teams.get(principal, params.orgname!, params.teamname!);
      const grants = (await s.tenancyStats.teamPermissions([team.id])).get(team.id) ?? [];
      return {
        permissions: grants.map((g) => ({
          repository: { name: g.repository, is_public: g.public },
          role: g.role,
        })),
      };
    },
  }),
  route({
    method: "get",
    path: "/organization/{orgname}/prototypes",
    nickname: "getOrganizationPrototypePermissions",
    tag: "prototype",
    description: "List the default permissions (prototypes) of the organization.",
    scope: "org:admin",
    response: z.object({ prototypes: z.array(Prototype) }),
    handler: async ({ s, principal, params }) => ({
      prototypes: await prototypes(s, principal, params.orgname!),
    }),
  }),
  route({
    method: "post",
    path: "/organization/{orgname}/prototypes",
    nickname: "createOrganizationPrototypePermission",
    tag: "prototype",
    description:
      "Create a default permission: the delegate gets the role on every new repository (of the activating user).",
    scope: "org:admin",
    body: z.strictObject({
      role: RepositoryRole,
      delegate: z.strictObject({ name: z.string(), kind: z.enum(["user", "team"]) }),
      activating_user: z.strictObject({ name: z.string() }).nullable().optional(),
    }),
    response: Prototype,
    async handler({ s, principal, params, body, ip }) {
      const d = body.delegate;
      const kind = d.kind === "team" ? "team" : parseRobotName(d.name) ? "robot" : "user";
      const row = await s.permissions.createDefault(
        principal,
        params.orgname!,
        { creator: body.activating_user?.name ?? null, delegate: { kind, name: d.name }, role: body.role },
        ip,
      );
      const view = (await prototypes(s, principal, params.orgname!)).find((x) => x.id === String(row.id));
      return view!;
    },
  }),
  route({
    method: "put",
    path: "/organization/{orgname}/prototypes/{prototypeid}",
    nickname: "updateOrganizationPrototypePermission",
    tag: "prototype",
    description: "Update the role of a default permission.",
    scope: "org:admin",
    body: z.strictObject({ role: RepositoryRole }),
    response: Prototype,
    async handler({ s, principal, params, body, ip }) {
      await s.permissions.updateDefault(
        principal,
        params.orgname!,
        prototypeId(params.prototypeid!),
        body.role,
        ip,
      );
      const view = (await prototypes(s, principal, params.orgname!)).find((x) => x.id === params.prototypeid);
      if (!view) throw ApiError.notFound("Default permission not found");
      return view;
    },
  }),
  route({
    method: "delete",
    path: "/organization/{orgname}/prototypes/{prototypeid}",
    nickname: "deleteOrganizationPrototypePermission",
    tag: "prototype",
    description: "Delete a default permission.",
    scope: "org:admin",
    response: null,
    async handler({ s, principal, params, ip }) {
      await s.permissions.deleteDefault(principal, params.orgname!, prototypeId(params.prototypeid!), ip);
    },
  }),
];
