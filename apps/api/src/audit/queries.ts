// Reading the audit log: by repository (its admins), by namespace (its admins) or system-wide
// (superusers); a date range (default the last 7 days), a text filter, newest first, at most 100 a page.
import type { Db } from "../infra/database.js";
import { Prisma } from "../generated/prisma/client.js";
import type { AuthzService } from "../access/authz.js";
import { badInput } from "../common/errors.js";
import { containsPattern, decodeCursor, pageSize, toPage, type PageArgs } from "../common/paging.js";
import type { Principal } from "../access/principal.js";
import type { RepositoryService } from "../content/repositories.js";
import type { NamespaceService } from "../tenancy/namespaces.js";

export interface LogQuery extends PageArgs {
  namespace?: string | null;
  repository?: string | null;
  from?: Date | null;
  to?: Date | null;
  filter?: string | null;
  /** Entries by this performer (a username or `namespace+robot`). */
  performer?: string | null;
}

export interface LogRow {
  id: bigint;
  kind: string;
  performer: string | null;
  ip: string | null;
  metadata: unknown;
  createdAt: Date;
  namespace: string | null;
  namespaceKind: "user" | "organization" | null;
  namespaceEmail: string | null;
  /** The performing user's e-mail (for their avatar); null for robots and those gone. */
  performerEmail: string | null;
  repository: string | null;
}

/** How many entries of a kind fell on a day (UTC). */
export interface LogAggregate {
  kind: string;
  day: Date;
  count: number;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

export class AuditLogQueries {
  constructor(
    private readonly db: Db,
    private readonly authz: AuthzService,
    private readonly repos: RepositoryService,
    private readonly namespaces: NamespaceService,
  ) {}

  /** The conditions every read shares: what the caller may see, the date range, the filters. */
  private async conditions(p: Principal, q: LogQuery): Promise<Prisma.Sql[]> {
    const scope = await this.scope(p, q);
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - WEEK_MS);
    if (from > to) throw badInput("The start of the date range is after its end");
    const conds = [scope, Prisma.sql`l."createdAt" >= ${from}`, Prisma.sql`l."createdAt" <= ${to}`];
    if (q.performer) conds.push(Prisma.sql`l.performer = ${q.performer}`);
    if (q.filter) {
      const like = containsPattern(q.filter);
      conds.push(
        Prisma.sql`(l.kind ILIKE ${like} OR l.performer ILIKE ${like} OR l.ip ILIKE ${like} OR l.metadata::text ILIKE ${like})`,
      );
    }
    return conds;
  }

  async query(p: Principal, q: LogQuery) {
    const conds = await this.conditions(p, q);
    const n = pageSize(q, 100);
    const cursor = decodeCursor(q.after, 2);
    // The total ignores the cursor: how many entries match across all pages.
    const countQuery = this.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM "AuditLog" l WHERE ${Prisma.join(conds, " AND ")}`;
    if (cursor) {
      const at = new Date(cursor[0]!);
      if (Number.isNaN(at.getTime()) || !/^\d{1,18}$/.test(cursor[1]!)) throw badInput("Invalid cursor");
      const id = BigInt(cursor[1]!);
      conds.push(Prisma.sql`(l."createdAt", l.id) < (${at}, ${id})`);
    }
    const rowsQuery = this.db.$queryRaw<LogRow[]>`
      SELECT l.id, l.kind, l.performer, l.ip, l.metadata, l."createdAt", n.name AS namespace,
        n.kind::text AS "namespaceKind", n.email AS "namespaceEmail", pu.email AS "performerEmail",
        r.name AS repository
      FROM "AuditLog" l
      LEFT JOIN "Namespace" n ON n.id = l."namespaceId"
      LEFT JOIN "Repository" r ON r.id = l."repositoryId"
      LEFT JOIN "User" pu ON pu.username = l.performer
      WHERE ${Prisma.join(conds, " AND ")}
      ORDER BY l."createdAt" DESC, l.id DESC LIMIT ${n + 1}`;
    const [rows, [count]] = await Promise.all([rowsQuery, countQuery]);
    return toPage(rows, n, (r) => [r.createdAt.toISOString(), String(r.id)], Number(count!.n));
  }

  /** Entries per kind and day (UTC) over the range, as Quay's aggregate logs count them. */
  async aggregate(p: Principal, q: LogQuery): Promise<LogAggregate[]> {
    const conds = await this.conditions(p, q);
    return this.db.$queryRaw<LogAggregate[]>`
      SELECT l.kind, date_trunc('day', l."createdAt" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
        count(*)::int AS count
      FROM "AuditLog" l WHERE ${Prisma.join(conds, " AND ")}
      GROUP BY 1, 2 ORDER BY 2, 1`;
  }

  /** The SQL condition for what the principal may read; throws when they may not. */
  private async scope(p: Principal, q: LogQuery): Promise<Prisma.Sql> {
    if (q.repository) {
      if (!q.namespace) throw badInput("A repository's logs need its namespace");
      const repo = await this.repos.get(p, q.namespace, q.repository, "admin");
      return Prisma.sql`l."repositoryId" = ${repo.id}`;
    }
    if (q.namespace) {
      const ns = await this.namespaces.requireNamespace(p, q.namespace, "admin");
      return Prisma.sql`l."namespaceId" = ${ns.id}`;
    }
    this.authz.requireSuperuser(p);
    return Prisma.sql`TRUE`;
  }
}
