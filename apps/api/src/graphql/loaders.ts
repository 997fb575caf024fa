// Per-request DataLoaders: every list field that needs related data (roles, counts, stars) batches its
// lookups into one query per field, so a page of N rows costs a fixed number of queries.
import DataLoader from "dataloader";
import type { Services } from "../app/services.js";
import type { Db } from "../infra/database.js";
import type { RepoRef, RepoRole } from "../access/authz.js";
import type { Principal } from "../access/principal.js";


/** A loader answering a count per id from one grouped query. */
function countLoader(load: (ids: bigint[]) => Promise<{ id: bigint; n: number }[]>) {
  return new DataLoader<bigint, number, string>(
    async (ids) => {
      const rows = await load([...ids]);
      const m = new Map(rows.map((r) => [String(r.id), r.n]));
      return ids.map((id) => m.get(String(id)) ?? 0);
    },
    { cacheKeyFn: String },
  );
}

function listLoader<T>(load: (ids: bigint[]) => Promise<{ id: bigint; value: T }[]>) {
  return new DataLoader<bigint, T[], string>(
    async (ids) => {
      const rows = await load([...ids]);
      return ids.map((id) => rows.filter((r) => r.id === id).map((r) => r.value));
    },
    { cacheKeyFn: String },
  );
}

export function createLoaders(s: Services, db: Db, principal: Principal) {
  const sqlCount = (query: (ids: bigint[]) => Promise<{ id: bigint; n: bigint }[]>) =>
    countLoader(async (ids) => (await query(ids)).map((r) => ({ id: r.id, n: Number(r.n) })));
  return {
    repoRole: new DataLoader<RepoRef, RepoRole | null, string>(
      async (repos) => {
        const roles = await s.authz.repoRoles(principal, [...repos]);
        return repos.map((r) => roles.get(r.id) ?? null);
      },
      { cacheKeyFn: (r) => String(r.id) },
    ),
    starCount: sqlCount(
      (ids) => db.$queryRaw`SELECT "repositoryId" AS id, count(*) AS n FROM "Star"
        WHERE "repositoryId" = ANY(${ids}::bigint[]) GROUP BY 1`,
    ),
    starredByViewer: new DataLoader<bigint, boolean, string>(
      async (ids) => {
        if (principal.kind !== "user") return ids.map(() => false);
        const rows = await db.star.findMany({
          where: { userId: principal.userId, repositoryId: { in: [...ids] } },
          select: { repositoryId: true },
        });
        const set = new Set(rows.map((r) => String(r.repositoryId)));
        return ids.map((id) => set.has(String(id)));
      },
      { cacheKeyFn: String },
    ),
    /** Pulls in the last 30 days, Quay's notion of popularity. */
    popularity: sqlCount(
      (ids) => db.$queryRaw`SELECT "repositoryId" AS id, count(*) AS n FROM "AuditLog"
        WHERE "repositoryId" = ANY(${ids}::bigint[]) AND kind = 'pull_repo'
          AND "createdAt" > now() - interval '30 days' GROUP BY 1`,
    ),
    /** The last tag change (push, move, delete), or null for a repository never pushed to. */
    lastModified: new DataLoader<bigint, Date | null, string>(
      async (ids) => {
        const rows = await db.$queryRaw<{ id: bigint; at: Date }[]>`
          SELECT "repositoryId" AS id, max(GREATEST("lifetimeStart", LEAST("lifetimeEnd", now()))) AS at
          FROM "Tag" WHERE "repositoryId" = ANY(${[...ids]}::bigint[]) GROUP BY 1`;
        const m = new Map(rows.map((r) => [String(r.id), r.at]));
        return ids.map((id) => m.get(String(id)) ?? null);
      },
      { cacheKeyFn: String },
    ),
    teamMemberCount: sqlCount(
      (ids) => db.$queryRaw`SELECT "teamId" AS id, count(*) AS n FROM "TeamMember"
        WHERE "teamId" = ANY(${ids}::bigint[]) GROUP BY 1`,
    ),
    teamInviteCount: sqlCount(
      (ids) => db.$queryRaw`SELECT "teamId" AS id, count(*) AS n FROM "TeamInvite"
        WHERE "teamId" = ANY(${ids}::bigint[]) GROUP BY 1`,
    ),
    teamRepositoryCount: sqlCount(
      (ids) => db.$queryRaw`SELECT "teamId" AS id, count(*) AS n FROM "RepositoryPermission"
        WHERE "teamId" = ANY(${ids}::bigint[]) GROUP BY 1`,
    ),
    namespaceRepositoryCount: sqlCount(
      (ids) => db.$queryRaw`SELECT "namespaceId" AS id, count(*) AS n FROM "Repository"
        WHERE "namespaceId" = ANY(${ids}::bigint[]) GROUP BY 1`,
    ),
    namespaceTeamCount: sqlCount(
      (ids) => db.$queryRaw`SELECT "namespaceId" AS id, count(*) AS n FROM "Team"
        WHERE "namespaceId" = ANY(${ids}::bigint[]) GROUP BY 1`,
    ),
    namespaceRobotCount: sqlCount(
      (ids) => db.$queryRaw`SELECT "namespaceId" AS id, count(*) AS n FROM "Robot"
        WHERE "namespaceId" = ANY(${ids}::bigint[]) GROUP BY 1`,
    ),
    namespaceMemberCount: sqlCount(
      (ids) => db.$queryRaw`SELECT t."namespaceId" AS id, count(DISTINCT tm."userId") AS n
        FROM "TeamMember" tm JOIN "Team" t ON t.id = tm."teamId"
        WHERE t."namespaceId" = ANY(${ids}::bigint[]) GROUP BY 1`,
    ),
    orgRole: new DataLoader<bigint, string | null, string>(
      async (ids) => {
        const roles = await s.authz.orgRoles(principal, [...ids]);
        return ids.map((id) => roles.get(id) ?? null);
      },
      { cacheKeyFn: String },
    ),
    robotTeams: listLoader(async (ids) =>
      (
        await db.teamMember.findMany({
          where: { robotId: { in: ids } },
          select: { robotId: true, team: { select: { name: true } } },
        })
      ).map((r) => ({ id: r.robotId!, value: r.team.name })),
    ),
    robotPermissions: listLoader(async (ids) =>
      (
        await db.repositoryPermission.findMany({
          where: { robotId: { in: ids } },
          select: { robotId: true, role: true, repository: { select: { name: true } } },
        })
      ).map((r) => ({ id: r.robotId!, value: { repository: r.repository.name, role: r.role } })),
    ),
    teamPermissions: listLoader(async (ids) =>
      (
        await db.repositoryPermission.findMany({
          where: { teamId: { in: ids } },
          select: { teamId: true, role: true, repository: { select: { name: true } } },
        })
      ).map((r) => ({ id: r.teamId!, value: { repository: r.repository.name, role: r.role } })),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
