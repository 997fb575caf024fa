// Permissions on a repository for users, robots (as users named namespace+robot) and teams (Quay's
// permission module). Every route needs admin on the repository.
import { z } from "zod";
import type { GranteeRef } from "../../access/permissions.js";
import type { Principal } from "../../access/principal.js";
import type { Services } from "../../app/services.js";
import { parseRobotName } from "../../tenancy/names.js";
import { ApiError } from "../errors.js";
import { route, type Route } from "../route.js";
import { Avatar, avatar, RepositoryRole, userEntity } from "../views.js";
import { repoParts } from "./repositories.js";

const UserPermission = z.object({
  role: RepositoryRole,
  name: z.string(),
  kind: z.literal("user"),
  is_robot: z.boolean(),
  avatar: Avatar,
  is_org_member: z.boolean().optional(),
});
const TeamPermission = z.object({ role: RepositoryRole, name: z.string(), avatar: Avatar });
const RoleBody = z.strictObject({ role: RepositoryRole });

const userGrantee = (name: string): GranteeRef => ({ kind: parseRobotName(name) ? "robot" : "user", name });

async function entries(s: Services, p: Principal, full: string) {
  const { namespace, name } = repoParts(full);
  return s.permissions.list(p, namespace, name);
}

function userView(e: {
  name: string;
  email: string | null;
  role: "read" | "write" | "admin";
  orgMember: boolean | null;
}) {
  return {
    role: e.role,
    ...userEntity(e.name, e.email),
    ...(e.orgMember === null ? {} : { is_org_member: e.orgMember }),
  };
}

const teamView = (e: { name: string; role: "read" | "write" | "admin" }) => ({
  role: e.role,
  name: e.name,
  avatar: avatar(e.name, e.name, "team"),
});

async function findEntry(s: Services, p: Principal, full: string, kind: "user" | "team", name: string) {
  const e = (await entries(s, p, full)).find(
    (x) => x.name === name && (kind === "team" ? x.kind === "team" : x.kind !== "team"),
  );
  if (!e)
    throw ApiError.badRequest(`${kind === "team" ? "Team" : "User"} does not have permission for repo.`);
  return e;
}

const base = "/repository/{repository}/permissions";

export const permissionRoutes: Route[] = [
  route({
    method: "get",
    path: `${base}/user/`,
    nickname: "listRepoUserPermissions",
    tag: "permission",
    description: "List the users and robots with permissions on the repository, by name.",
    scope: "repo:admin",
    response: z.object({ permissions: z.record(z.string(), UserPermission) }),
    async handler({ s, principal, params }) {
      const rows = (await entries(s, principal, params.repository!)).filter((e) => e.kind !== "team");
      return { permissions: Object.fromEntries(rows.map((e) => [e.name, userView(e)])) };
    },
  }),
  route({
    method: "get",
    path: `${base}/user/{username}`,
    nickname: "getUserPermissions",
    tag: "permission",
    description: "Get the permission of a user or robot on the repository.",
    scope: "repo:admin",
    response: UserPermission,
    handler: async ({ s, principal, params }) =>
      userView(await findEntry(s, principal, params.repository!, "user", params.username!)),
  }),
  route({
    method: "get",
    path: `${base}/user/{username}/transitive`,
    nickname: "getUserTransitivePermission",
    tag: "permission",
    description:
      "The role a user or robot holds on the repository through every source: own, direct and teams.",
    scope: "repo:admin",
    response: z.object({ permissions: z.array(z.object({ role: RepositoryRole })) }),
    async handler({ s, principal, params }) {
      const { namespace, name } = repoParts(params.repository!);
      const role = await s.permissions.effectiveRole(
        principal,
        namespace,
        name,
        userGrantee(params.username!),
      );
      if (!role) throw ApiError.notFound(`${params.username} has no permission on ${params.repository}`);
      return { permissions: [{ role }] };
    },
  }),
  route({
    method: "put",
    path: `${base}/user/{username}`,
    nickname: "changeUserPermissions",
    tag: "permission",
    description: "Grant or change the permission of a user or robot on the repository.",
    scope: "repo:admin",
    body: RoleBody,
    response: UserPermission,
    async handler({ s, principal, params, body, ip }) {
      const { namespace, name } = repoParts(params.repository!);
      await s.permissions.set(principal, namespace, name, userGrantee(params.username!), body.role, ip);
      return userView(await findEntry(s, principal, params.repository!, "user", params.username!));
    },
  }),
  route({
    method: "delete",
    path: `${base}/user/{username}`,
    nickname: "deleteUserPermissions",
    tag: "permission",
    description: "Remove the permission of a user or robot on the repository.",
    scope: "repo:admin",
    response: null,
    async handler({ s, principal, params, ip }) {
      const { namespace, name } = repoParts(params.repository!);
      await s.permissions.remove(principal, namespace, name, userGrantee(params.username!), ip);
    },
  }),
  route({
    method: "get",
    path: `${base}/team/`,
    nickname: "listRepoTeamPermissions",
    tag: "permission",
    description: "List the teams with permissions on the repository, by name.",
    scope: "repo:admin",
    response: z.object({ permissions: z.record(z.string(), TeamPermission) }),
    async handler({ s, principal, params }) {
      const rows = (await entries(s, principal, params.repository!)).filter((e) => e.kind === "team");
      return { permissions: Object.fromEntries(rows.map((e) => [e.name, teamView(e)])) };
    },
  }),
  route({
    method: "get",
    path: `${base}/team/{teamname}`,
    nickname: "getTeamPermissions",
    tag: "permission",
    description: "Get the permission of a team on the repository.",
    scope: "repo:admin",
    response: z.object({ role: RepositoryRole }),
    async handler({ s, principal, params }) {
      return { role: (await findEntry(s, principal, params.repository!, "team", params.teamname!)).role };
    },
  }),
  route({
    method: "put",
    path: `${base}/team/{teamname}`,
    nickname: "changeTeamPermissions",
    tag: "permission",
    description: "Grant or change the permission of a team on the repository.",
    scope: "repo:admin",
    body: RoleBody,
    response: TeamPermission,
    async handler({ s, principal, params, body, ip }) {
      const { namespace, name } = repoParts(params.repository!);
      await s.permissions.set(
        principal,
        namespace,
        name,
        { kind: "team", name: params.teamname! },
        body.role,
        ip,
      );
      return teamView({ name: params.teamname!, role: body.role });
    },
  }),
  route({
    method: "delete",
    path: `${base}/team/{teamname}`,
    nickname: "deleteTeamPermissions",
    tag: "permission",
    description: "Remove the permission of a team on the repository.",
    scope: "repo:admin",
    response: null,
    async handler({ s, principal, params, ip }) {
      const { namespace, name } = repoParts(params.repository!);
      await s.permissions.remove(principal, namespace, name, { kind: "team", name: params.teamname! }, ip);
    },
  }),
];
