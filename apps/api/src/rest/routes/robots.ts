// Robot accounts of the signed-in user and of organizations (Quay's robot module): the same six operations
// under /user/robots and /organization/{orgname}/robots.
import { z } from "zod";
import type { Principal } from "../../access/principal.js";
import type { Services } from "../../app/services.js";
import { robotFullName } from "../../tenancy/names.js";
import { ApiError } from "../errors.js";
import { q, route, type Route } from "../route.js";
import { Avatar, avatar, formatDate, RepositoryPermissionEntry } from "../views.js";

const Robot = z.object({
  name: z.string(),
  created: z.string().nullable(),
  last_accessed: z.string().nullable(),
  description: z.string(),
  token: z.string().optional(),
  unstructured_metadata: z.record(z.string(), z.unknown()).optional(),
  teams: z.array(z.object({ name: z.string(), avatar: Avatar })).optional(),
  repositories: z.array(z.string()).optional(),
});

const CreateRobot = z.strictObject({
  description: z.string().max(1024).optional(),
  unstructured_metadata: z.record(z.string(), z.unknown()).optional(),
});

interface RobotRow {
  id: bigint;
  fullName: string;
  description: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  metadata: unknown;
  tokenEncrypted: string;
}

function robotView(s: Services, r: RobotRow, opts: { token?: boolean; metadata?: boolean }) {
  return {
    name: r.fullName,
    created: formatDate(r.createdAt),
    last_accessed: formatDate(r.lastUsedAt),
    description: r.description,
    ...(opts.token ? { token: s.robots.token(r) } : {}),
    ...(opts.metadata ? { unstructured_metadata: (r.metadata ?? {}) as Record<string, unknown> } : {}),
  };
}

/** Where the robots live: the caller's own namespace, or the organization in the path. */
type Owner = (p: Principal, params: Record<string, string>) => string;
const ownNamespace: Owner = (p) => {
  if (p.kind !== "user") throw ApiError.unauthenticated();
  return p.username;
};
const organization: Owner = (_p, params) => params.orgname!;

function robotRoutes(base: string, owner: Owner, names: Record<string, string>, tag: string): Route[] {
  const scope = base.startsWith("/user") ? ("user:admin" as const) : ("org:admin" as const);
  const one = `${base}/{robot_shortname}`;
  const full = (p: Principal, params: Record<string, string>) =>
    robotFullName(owner(p, params), params.robot_shortname!);
  return [
    route({
      method: "get",
      path: base,
      nickname: names.list!,
      tag,
      description: "List the robots of the namespace.",
      scope,
      query: {
        permissions: q.bool("Whether to include the repositories and teams each robot has access to"),
        token: q.bool("Whether to include the robots' tokens", true),
        limit: q.int("The maximum number of robots to return", { min: 1, max: 10000 }),
      },
      response: z.object({ robots: z.array(Robot) }),
      async handler({ s, principal, params, query }) {
        const robots = (await s.robots.list(principal, owner(principal, params))).slice(0, query.limit);
        const ids = robots.map((r) => r.id);
        const [teams, grants] = query.permissions
          ? await Promise.all([s.tenancyStats.robotTeams(ids), s.tenancyStats.robotPermissions(ids)])
          : [null, null];
        return {
          robots: robots.map((r) => ({
            ...robotView(s, r, { token: query.token }),
            ...(teams && grants
              ? {
                  teams: (teams.get(r.id) ?? []).map((t) => ({ name: t, avatar: avatar(t, t, "team") })),
                  repositories: (grants.get(r.id) ?? []).map((g) => g.repository),
                }
              : {}),
          })),
        };
      },
    }),
    route({
      method: "get",
      path: one,
      nickname: names.get!,
      tag,
      description: "Returns the robot with the given short name.",
      scope,
      response: Robot,
      async handler({ s, principal, params }) {
        return robotView(s, await s.robots.get(principal, full(principal, params)), {
          token: true,
          metadata: true,
        });
      },
    }),
    route({
      method: "put",
      path: one,
      nickname: names.create!,
      tag,
      description: "Create a new robot with the given short name; its token is in the answer.",
      scope,
      body: CreateRobot,
      bodyOptional: true,
      response: Robot,
      status: 201,
      async handler({ s, principal, params, body, ip }) {
        const created = await s.robots.createAs(
          principal,
          owner(principal, params),
          params.robot_shortname!,
          body.description ?? "",
          ip,
          body.unstructured_metadata ?? {},
        );
        return robotView(s, created, { token: true, metadata: true });
      },
    }),
    route({
      method: "delete",
      path: one,
      nickname: names.delete!,
      tag,
      description: "Delete the robot with the given short name.",
      scope,
      response: null,
      async handler({ s, principal, params, ip }) {
        await s.robots.delete(principal, full(principal, params), ip);
      },
    }),
    route({
      method: "get",
      path: `${one}/permissions`,
      nickname: names.permissions!,
      tag,
      description: "Returns the list of repository permissions for the robot.",
      scope,
      response: z.object({ permissions: z.array(RepositoryPermissionEntry) }),
      async handler({ s, principal, params }) {
        const robot = await s.robots.get(principal, full(principal, params));
        const grants = (await s.tenancyStats.robotPermissions([robot.id])).get(robot.id) ?? [];
        return {
          permissions: grants.map((g) => ({
            repository: { name: g.repository, is_public: g.public },
            role: g.role,
          })),
        };
      },
    }),
    route({
      method: "post",
      path: `${one}/regenerate`,
      nickname: names.regenerate!,
      tag,
      description: "Regenerates the token for the robot; the old one stops working at once.",
      scope,
      response: Robot,
      async handler({ s, principal, params, ip }) {
        return robotView(s, await s.robots.regenerate(principal, full(principal, params), ip), {
          token: true,
        });
      },
    }),
  ];
}

export const robotRoutesAll: Route[] = [
  ...robotRoutes(
    "/user/robots",
    ownNamespace,
    {
      list: "getUserRobots",
      get: "getUserRobot",
      create: "createUserRobot",
      delete: "deleteUserRobot",
      permissions: "getUserRobotPermissions",
      regenerate: "regenerateUserRobotToken",
    },
    "robot",
  ),
  ...robotRoutes(
    "/organization/{orgname}/robots",
    organization,
    {
      list: "getOrgRobots",
      get: "getOrgRobot",
      create: "createOrgRobot",
      delete: "deleteOrgRobot",
      permissions: "getOrgRobotPermissions",
      regenerate: "regenerateOrgRobotToken",
    },
    "robot",
  ),
];
