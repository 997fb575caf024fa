// The quota's reads over the sizes the database keeps, and the books' checks (hm_usage_recompute,
// hm_usage_backfill and hm_quota_limits in the quota migration).
import type pg from "pg";
import type { Db } from "../infra/database.js";
import type { Tx } from "../events/unit-of-work.js";

export interface Limits {
  limitBytes: bigint;
  rejectBytes: bigint | null;
  warningBytes: bigint[];
}

export interface NamespaceUsageRow {
  namespace: string;
  kind: "user" | "organization";
  usageBytes: bigint;
  limitBytes: bigint | null;
}

/** The upload path's one round trip: the Reject limit and, when there is one, the usage (no row: no limit). */
const ADMISSION = `
  SELECT reject_bytes, CASE WHEN reject_bytes IS NULL THEN 0 ELSE hm_namespace_usage($1) END AS usage
  FROM hm_quota_limits($1, $2)`;

export class QuotaSql {
  constructor(
    private readonly db: Db,
    /** For the upload path's prepared statement (Prisma's per-query cost is several times the query's). */
    private readonly pool?: pg.Pool,
  ) {}

  /** The namespace's Reject limit and usage, or null when nothing limits it. */
  async admission(namespaceId: bigint, defaultReject: bigint | null) {
    const values = [namespaceId.toString(), defaultReject?.toString() ?? null];
    const r = this.pool
      ? await this.pool.query({ name: "hm_quota_admission", text: ADMISSION, values })
      : {
          rows: await this.db.$queryRawUnsafe<Record<string, unknown>[]>(
            ADMISSION,
            namespaceId,
            defaultReject,
          ),
        };
    const row = r.rows[0] as { reject_bytes: string | bigint | null; usage: string | bigint } | undefined;
    if (!row || row.reject_bytes === null) return null;
    return { rejectBytes: BigInt(row.reject_bytes), usageBytes: BigInt(row.usage) };
  }

  async namespaceUsage(namespaceId: bigint, tx: Tx | Db = this.db): Promise<bigint> {
    const [row] = await tx.$queryRaw<{ usage: bigint }[]>`SELECT hm_namespace_usage(${namespaceId}) AS usage`;
    return row?.usage ?? 0n;
  }

  async repositorySizes(ids: bigint[]): Promise<Map<bigint, bigint>> {
    if (!ids.length) return new Map();
    const rows = await this.db.$queryRaw<{ repositoryId: bigint; sizeBytes: bigint }[]>`
      SELECT * FROM hm_repository_sizes(${ids}::bigint[])`;
    return new Map(rows.map((r) => [r.repositoryId, r.sizeBytes]));
  }

  async limits(namespaceId: bigint, defaultReject: bigint | null): Promise<Limits | null> {
    const [row] = await this.db.$queryRaw<
      { limit_bytes: bigint | null; reject_bytes: bigint | null; warning_bytes: bigint[] | null }[]
    >`SELECT * FROM hm_quota_limits(${namespaceId}, ${defaultReject})`;
    if (!row?.limit_bytes) return null;
    return {
      limitBytes: row.limit_bytes,
      rejectBytes: row.reject_bytes,
      warningBytes: row.warning_bytes ?? [],
    };
  }

  /** Every namespace with its usage and own limit, largest first. */
  allNamespaces(): Promise<NamespaceUsageRow[]> {
    return this.db.$queryRaw<NamespaceUsageRow[]>`
      SELECT n.name AS namespace, n.kind::text AS kind,
        hm_namespace_usage(n.id) AS "usageBytes",
        q."limitBytes" AS "limitBytes"
      FROM "Namespace" n LEFT JOIN "NamespaceQuota" q ON q."namespaceId" = n.id
      ORDER BY 3 DESC, n.name`;
  }

  /** Repositories whose kept size differs from a recomputation from their tag rows. */
  drift(): Promise<{ repositoryId: bigint; repository: string; kept: bigint; computed: bigint }[]> {
    return this.db.$queryRaw`
      SELECT r.id AS "repositoryId", n.name || '/' || r.name AS repository,
        coalesce(rs."sizeBytes", 0)::bigint AS kept, c."sizeBytes" AS computed
      FROM hm_usage_recompute(NULL) c
      JOIN "Repository" r ON r.id = c."repositoryId" JOIN "Namespace" n ON n.id = r."namespaceId"
      LEFT JOIN hm_repository_sizes(NULL) rs ON rs."repositoryId" = r.id
      WHERE coalesce(rs."sizeBytes", 0) <> c."sizeBytes"
      ORDER BY 2`;
  }

  /** Folds the appended size changes into the totals; returns how many repositories changed. */
  async compact(): Promise<number> {
    const [row] = await this.db.$queryRaw<{ n: bigint }[]>`SELECT hm_usage_compact() AS n`;
    return Number(row?.n ?? 0);
  }

  async backfill(): Promise<void> {
    await this.db.$executeRaw`SELECT hm_usage_backfill()`;
  }
}
