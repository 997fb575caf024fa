// Figures shown beside repositories in lists (stars, popularity, last change), each read for many
// repositories in one query. Ids missing from an answer have none (no stars, no pulls, never pushed).
import type { Db } from "../infra/database.js";

const byId = <T>(rows: { id: bigint; v: T }[]) => new Map(rows.map((r) => [r.id, r.v]));

export class RepositoryStats {
  constructor(private readonly db: Db) {}

  async starCounts(ids: bigint[]): Promise<Map<bigint, number>> {
    return byId(
      await this.db.$queryRaw<{ id: bigint; v: number }[]>`
        SELECT "repositoryId" AS id, count(*)::int AS v FROM "Star"
        WHERE "repositoryId" = ANY(${ids}::bigint[]) GROUP BY 1`,
    );
  }

  /** True for each of the repositories the user has starred. */
  async starredBy(userId: bigint, ids: bigint[]): Promise<Map<bigint, boolean>> {
    const rows = await this.db.star.findMany({
      where: { userId, repositoryId: { in: ids } },
      select: { repositoryId: true },
    });
    return new Map(rows.map((r) => [r.repositoryId, true]));
  }

  /** Pulls in the last 30 days, Quay's notion of popularity. */
  async popularity(ids: bigint[]): Promise<Map<bigint, number>> {
    return byId(
      await this.db.$queryRaw<{ id: bigint; v: number }[]>`
        SELECT "repositoryId" AS id, count(*)::int AS v FROM "AuditLog"
        WHERE "repositoryId" = ANY(${ids}::bigint[]) AND kind = 'pull_repo'
          AND "createdAt" > now() - interval '30 days' GROUP BY 1`,
    );
  }

  /** Pulls and pushes per day (UTC) over the last `days` days, oldest first, days without any as 0. */
  async dailyActions(repositoryId: bigint, days: number): Promise<{ date: string; count: number }[]> {
    return this.db.$queryRaw<{ date: string; count: number }[]>`
      SELECT to_char(d, 'YYYY-MM-DD') AS date, count(l.id)::int AS count
      FROM generate_series((now() AT TIME ZONE 'UTC')::date - ${days - 1}::int, (now() AT TIME ZONE 'UTC')::date,
        interval '1 day') AS d
      LEFT JOIN "AuditLog" l ON l."repositoryId" = ${repositoryId} AND l.kind IN ('pull_repo', 'push_repo')
        AND (l."createdAt" AT TIME ZONE 'UTC')::date = d::date
      GROUP BY d ORDER BY d`;
  }

  /** The last tag change (push, move, delete); repositories never pushed to are missing. */
  async lastModified(ids: bigint[]): Promise<Map<bigint, Date>> {
    return byId(
      await this.db.$queryRaw<{ id: bigint; v: Date }[]>`
        SELECT "repositoryId" AS id, max(GREATEST("lifetimeStart", LEAST("lifetimeEnd", now()))) AS v
        FROM "Tag" WHERE "repositoryId" = ANY(${ids}::bigint[]) GROUP BY 1`,
    );
  }
}
