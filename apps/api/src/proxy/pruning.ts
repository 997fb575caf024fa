// Quota auto-pruning (seed 001 §15.3.1): in a proxy organization with a Reject limit, an image that would not
// fit is cached after the least recently pulled tags are deleted, oldest pull first, until it fits. Deleted
// through the normal tag deletion, their content stays in the time machine until garbage collection takes it,
// so usage as the quota reports it drops only then (the seed: "the quota size restriction is not fully
// enforced during this period"). What "fits" is therefore judged on what alive tags hold, not on that usage.
// An image larger than the limit by itself is cached anyway once nothing is left to prune (§15.2).
import type pg from "pg";
import type { Logger } from "../infra/logger.js";
import type { QuotaLimitsOf } from "../content/manifest-writes.js";
import type { CacheRepo } from "./blob-flights.js";
import type { ProxyLocks } from "./locks.js";

/** Bytes the alive tags of a namespace hold: each repository's distinct blobs, children of indexes included. */
const ALIVE_USAGE = `
  WITH RECURSIVE held(id) AS (
    SELECT DISTINCT t."manifestId" FROM "Tag" t JOIN "Repository" r ON r.id = t."repositoryId"
    WHERE r."namespaceId" = $1 AND (t."lifetimeEnd" IS NULL OR t."lifetimeEnd" > now())
    UNION
    SELECT mc."childId" FROM held h JOIN "ManifestChild" mc ON mc."parentId" = h.id
  ), blobs AS (
    SELECT DISTINCT m."repositoryId", mb."blobId"
    FROM held h JOIN "Manifest" m ON m.id = h.id JOIN "ManifestBlob" mb ON mb."manifestId" = m.id
  )
  SELECT coalesce(sum(b.size), 0)::text AS bytes FROM blobs x JOIN "Blob" b ON b.id = x."blobId"`;

/** Bytes of these blobs the repository's alive tags do not hold yet (what caching them adds). */
const ADDED = `
  WITH RECURSIVE held(id) AS (
    SELECT DISTINCT t."manifestId" FROM "Tag" t
    WHERE t."repositoryId" = $1 AND (t."lifetimeEnd" IS NULL OR t."lifetimeEnd" > now())
    UNION
    SELECT mc."childId" FROM held h JOIN "ManifestChild" mc ON mc."parentId" = h.id
  )
  SELECT coalesce(sum(b.size), 0)::text AS bytes FROM "Blob" b
  WHERE b.digest = ANY($2::text[]) AND NOT EXISTS (
    SELECT 1 FROM held h JOIN "ManifestBlob" mb ON mb."manifestId" = h.id WHERE mb."blobId" = b.id)`;

/**
 * The least recently pulled alive cached tag of the namespace, leaving out `keep` (the tag being cached and
 * the indexes that list the manifest being cached).
 */
const LEAST_RECENT = `
  SELECT pt."repositoryId"::text AS "repositoryId", pt.tag
  FROM "ProxyCachedTag" pt
  JOIN "Repository" r ON r.id = pt."repositoryId"
  JOIN "Tag" t ON t."repositoryId" = pt."repositoryId" AND t.name = pt.tag
    AND (t."lifetimeEnd" IS NULL OR t."lifetimeEnd" > now())
  JOIN "Manifest" m ON m.id = t."manifestId"
  WHERE r."namespaceId" = $1
    AND NOT (pt."repositoryId" = $2 AND (pt.tag = $3 OR position(convert_to($4, 'UTF8') in m.bytes) > 0))
  ORDER BY pt."lastPulledAt", pt."repositoryId", pt.tag
  LIMIT 1`;

export interface PrunedTag {
  repositoryId: bigint;
  tag: string;
}

export class QuotaPruning {
  constructor(
    private readonly pool: pg.Pool,
    private readonly limits: QuotaLimitsOf,
    private readonly locks: ProxyLocks,
    /** Deletes one tag through the normal path (time machine, tag_deleted event, audit entry). */
    private readonly deleteTag: (repositoryId: bigint, tag: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /**
   * Runs `store` (which caches `digest` with `blobs` into `repo`, as `tag` when given) once it fits, pruning
   * first if needed. Namespace by namespace one at a time, across processes: two images that each fit alone
   * are never both judged against the same room.
   */
  async fit<T>(
    repo: CacheRepo,
    tag: string | null,
    digest: string,
    blobs: string[],
    store: () => Promise<T>,
  ): Promise<{ result: T; pruned: PrunedTag[] }> {
    const limits = await this.limits(repo.namespaceId);
    const reject = limits?.rejectBytes ?? null;
    if (reject === null) return { result: await store(), pruned: [] };
    return this.locks.withLock(`prune:${repo.namespaceId}`, async () => {
      const pruned: PrunedTag[] = [];
      const seen = new Set<string>();
      for (;;) {
        const [alive, added] = await Promise.all([
          this.bytes(ALIVE_USAGE, [repo.namespaceId.toString()]),
          this.bytes(ADDED, [repo.id.toString(), blobs]),
        ]);
        if (alive + added <= reject) break;
        const victim = await this.pool.query<{ repositoryId: string; tag: string }>(LEAST_RECENT, [
          repo.namespaceId.toString(),
          repo.id.toString(),
          tag ?? "",
          digest,
        ]);
        const v = victim.rows[0];
        if (!v || seen.has(`${v.repositoryId}:${v.tag}`)) {
          this.log.warn(
            {
              namespaceId: String(repo.namespaceId),
              digest,
              aliveBytes: String(alive),
              addedBytes: String(added),
            },
            "proxy cache: image larger than the room left after pruning; cached over the quota",
          );
          break;
        }
        seen.add(`${v.repositoryId}:${v.tag}`);
        const victimTag = { repositoryId: BigInt(v.repositoryId), tag: v.tag };
        await this.deleteTag(victimTag.repositoryId, victimTag.tag);
        pruned.push(victimTag);
      }
      return { result: await store(), pruned };
    });
  }

  private async bytes(sql: string, values: unknown[]): Promise<bigint> {
    const r = await this.pool.query<{ bytes: string }>(sql, values);
    return BigInt(r.rows[0]!.bytes);
  }
}
