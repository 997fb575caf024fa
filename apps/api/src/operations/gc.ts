// Online garbage collection, one repository at a time, never blocking pushes or pulls for long.
//
// Per repository, in short transactions (passes of at most GC_PASS_SIZE rows of each kind) holding the
// repository's tag lock exclusively (every push holds it shared while it stores a manifest and moves a tag):
//   1. announce expirations once (repo_image_expiry, an event of the pass that marks them announced);
//   2. drop tag history past the namespace's time-machine window;
//   3. delete manifests no longer reachable: roots are manifests with any remaining tag row (alive or still
//      restorable) and untagged manifests younger than max(window, upload grace) (a multi-arch push uploads
//      children by digest before their index); from the roots follow index children and referrers whose
//      subject is reachable;
//   4. remove repository↔blob links no manifest of the repository needs, once their upload grace is over.
// Then each blob that lost a reference is deleted if nothing references it anywhere: under the digest's
// exclusive advisory lock (uploads and mounts hold it shared while they put file, row and link in place), the
// row is re-checked with a row lock and deleted in its own transaction, and the file is deleted only after
// that commit, before the lock is released. A sweep removes files whose row is gone (a crash in between).
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { Metrics } from "../infra/metrics.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { BlobStore } from "../storage/blob-store.js";
import { BLOB_LOCK_CLASS } from "../content/blobs.js";

type Tx = Prisma.TransactionClient;

export interface GcCounts {
  repositories: number;
  expirationsAnnounced: number;
  tagHistoryDropped: number;
  manifestsDeleted: number;
  blobLinksRemoved: number;
  blobsDeleted: number;
  orphanFilesDeleted: number;
}

/** Most rows of each kind one locked pass handles (what a push to the repository may wait for). */
export const GC_PASS_SIZE = 500;

const zero = (): GcCounts => ({
  repositories: 0,
  expirationsAnnounced: 0,
  tagHistoryDropped: 0,
  manifestsDeleted: 0,
  blobLinksRemoved: 0,
  blobsDeleted: 0,
  orphanFilesDeleted: 0,
});

function add(a: GcCounts, b: GcCounts): GcCounts {
  const out = { ...a };
  for (const k of Object.keys(b) as (keyof GcCounts)[]) out[k] += b[k];
  return out;
}

interface ManifestNode {
  id: bigint;
  digest: string;
  subjectDigest: string | null;
  root: boolean;
}

/** Ids reachable from the roots through index children and referrers (subject → referrer). */
export function reachable(
  nodes: ManifestNode[],
  edges: { parentId: bigint; childId: bigint }[],
): Set<bigint> {
  const children = new Map<bigint, bigint[]>();
  for (const e of edges) children.set(e.parentId, [...(children.get(e.parentId) ?? []), e.childId]);
  const referrers = new Map<string, bigint[]>();
  for (const n of nodes)
    if (n.subjectDigest) referrers.set(n.subjectDigest, [...(referrers.get(n.subjectDigest) ?? []), n.id]);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const seen = new Set<bigint>();
  const stack = nodes.filter((n) => n.root).map((n) => n.id);
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(children.get(id) ?? []), ...(referrers.get(byId.get(id)!.digest) ?? []));
  }
  return seen;
}

export class GarbageCollector {
  constructor(
    private readonly db: Db,
    private readonly uow: UnitOfWork,
    private readonly store: BlobStore,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly graceSeconds: number,
    /** Called with the digests of deleted manifests (derived caches such as squashed images). */
    private readonly onManifestsDeleted: (digests: string[]) => Promise<void> = async () => {},
  ) {}

  /** Every repository one by one, then blobs and files nothing references. The job's result. */
  async run(): Promise<GcCounts> {
    let total = zero();
    let last = 0n;
    for (;;) {
      const batch = await this.db.repository.findMany({
        where: { id: { gt: last } },
        orderBy: { id: "asc" },
        take: 100,
        select: { id: true },
      });
      for (const r of batch) {
        try {
          total = add(total, await this.collectRepository(r.id));
        } catch (e) {
          // One failing repository must not stop the others; the next run retries it.
          this.log.warn({ err: String(e), repositoryId: r.id.toString() }, "gc: repository failed");
        }
      }
      if (batch.length < 100) break;
      last = batch.at(-1)!.id;
    }
    total.blobsDeleted += await this.sweepOrphanBlobs();
    total.orphanFilesDeleted += await this.sweepOrphanFiles();
    this.log.info(total, "gc: run finished");
    return total;
  }

  /**
   * Collects one repository now (also what each step of `run` does). The locked work goes in passes of at
   * most `passSize` rows of each kind, each its own short transaction, so a push to the repository waits
   * for one pass at most, however much there is to collect; each pass recomputes what is reachable.
   */
  async collectRepository(repositoryId: bigint, passSize = GC_PASS_SIZE): Promise<GcCounts> {
    const repo = await this.db.repository.findUnique({
      where: { id: repositoryId },
      include: { namespace: { select: { name: true, timeMachineSeconds: true } } },
    });
    if (!repo) return zero();
    const window = repo.namespace.timeMachineSeconds;
    const youngFor = Math.max(window, this.graceSeconds);
    const step = {
      expired: [] as string[],
      dropped: 0,
      doomed: [] as { id: bigint; digest: string }[],
      unlinked: 0,
      candidates: [] as bigint[],
    };
    for (let more = true; more;) {
      // Each pass is a unit of work: its expirations are announced in the pass that marks them notified.
      const pass = await this.uow.runLocked(
        repositoryId,
        async (w, now) => {
          const pass = await this.collectPass(w.tx, repositoryId, now, window, youngFor, passSize);
          if (pass.expired.length)
            w.emit(
              "repo_image_expiry",
              {
                repository: `${repo.namespace.name}/${repo.name}`,
                namespace: repo.namespace.name,
                tags: [...new Set(pass.expired)],
              },
              repositoryId,
            );
          return pass;
        },
        { label: "gc_pass" },
      );
      step.expired.push(...pass.expired);
      step.dropped += pass.dropped;
      step.doomed.push(...pass.doomed);
      step.unlinked += pass.unlinked;
      step.candidates.push(...pass.candidates);
      more = pass.more;
    }
    let blobsDeleted = 0;
    for (const id of new Set(step.candidates)) if (await this.deleteBlobIfUnreferenced(id)) blobsDeleted++;
    if (step.doomed.length) {
      const digests = step.doomed.map((m) => m.digest);
      const still = await this.db.manifest.findMany({
        where: { digest: { in: digests } },
        select: { digest: true },
      });
      await this.onManifestsDeleted(digests.filter((d) => !still.some((s) => s.digest === d))).catch((e) =>
        this.log.warn({ err: String(e) }, "gc: derived cache cleanup failed"),
      );
    }
    const counts = {
      ...zero(),
      repositories: 1,
      expirationsAnnounced: step.expired.length,
      tagHistoryDropped: step.dropped,
      manifestsDeleted: step.doomed.length,
      blobLinksRemoved: step.unlinked,
      blobsDeleted,
    };
    this.count(counts);
    if (counts.tagHistoryDropped || counts.manifestsDeleted || counts.blobLinksRemoved || blobsDeleted)
      this.log.info({ repositoryId: repositoryId.toString(), ...counts }, "gc: repository collected");
    return counts;
  }

  /** One locked pass: at most `limit` expirations, history rows, manifests and blob links. */
  private async collectPass(
    tx: Tx,
    repositoryId: bigint,
    now: Date,
    window: number,
    youngFor: number,
    limit: number,
  ) {
    const expired = await tx.tag.findMany({
      where: { repositoryId, expires: true, expiryNotified: false, lifetimeEnd: { lte: now } },
      select: { id: true, name: true },
      take: limit,
    });
    await tx.tag.updateMany({
      where: { id: { in: expired.map((t) => t.id) } },
      data: { expiryNotified: true },
    });
    const dropped = await tx.$executeRaw`
      DELETE FROM "Tag" WHERE id IN (
        SELECT id FROM "Tag" WHERE "repositoryId" = ${repositoryId}
          AND "lifetimeEnd" <= ${new Date(now.getTime() - window * 1000)} LIMIT ${limit})`;
    const unreachable = await this.unreachableManifests(
      tx,
      repositoryId,
      new Date(now.getTime() - youngFor * 1000),
    );
    const doomed = unreachable.slice(0, limit);
    const blobIds = doomed.length
      ? (await tx.manifestBlob.findMany({ where: { manifestId: { in: doomed.map((m) => m.id) } } })).map(
          (b) => b.blobId,
        )
      : [];
    if (doomed.length) {
      const ids = doomed.map((m) => m.id);
      await tx.manifestChild.deleteMany({ where: { parentId: { in: ids } } });
      await tx.manifest.deleteMany({ where: { id: { in: ids } } });
    }
    const unlinked = await tx.$queryRaw<{ blobId: bigint }[]>`
      DELETE FROM "RepositoryBlob" rb
      WHERE rb."repositoryId" = ${repositoryId} AND rb."blobId" IN (
        SELECT x."blobId" FROM "RepositoryBlob" x
        WHERE x."repositoryId" = ${repositoryId} AND x."protectedUntil" < ${now}
          AND NOT EXISTS (SELECT 1 FROM "ManifestBlob" mb JOIN "Manifest" m ON m.id = mb."manifestId"
                          WHERE m."repositoryId" = x."repositoryId" AND mb."blobId" = x."blobId")
        LIMIT ${limit})
      RETURNING rb."blobId"`;
    return {
      expired: expired.map((t) => t.name),
      dropped,
      doomed,
      unlinked: unlinked.length,
      candidates: [...blobIds, ...unlinked.map((u) => u.blobId)],
      more:
        expired.length === limit ||
        dropped === limit ||
        unreachable.length > limit ||
        unlinked.length === limit,
    };
  }

  private async unreachableManifests(tx: Tx, repositoryId: bigint, youngAfter: Date) {
    const nodes = await tx.$queryRaw<(ManifestNode & { digest: string })[]>`
      SELECT m.id, m.digest, m."subjectDigest",
        (EXISTS (SELECT 1 FROM "Tag" t WHERE t."manifestId" = m.id) OR m."createdAt" > ${youngAfter}) AS root
      FROM "Manifest" m WHERE m."repositoryId" = ${repositoryId}`;
    if (!nodes.length) return [];
    const edges = await tx.$queryRaw<{ parentId: bigint; childId: bigint }[]>`
      SELECT mc."parentId", mc."childId" FROM "ManifestChild" mc
      JOIN "Manifest" p ON p.id = mc."parentId" WHERE p."repositoryId" = ${repositoryId}`;
    const keep = reachable(nodes, edges);
    return nodes.filter((n) => !keep.has(n.id)).map((n) => ({ id: n.id, digest: n.digest }));
  }

  /**
   * Deletes a blob that no manifest and no repository references. The row goes in its own committed
   * transaction while the digest's exclusive lock is held; the file goes after that commit, still under
   * the lock, so an upload of the same digest waits and then puts a fresh file and row in place.
   */
  async deleteBlobIfUnreferenced(blobId: bigint): Promise<boolean> {
    const blob = await this.db.blob.findUnique({ where: { id: blobId }, select: { digest: true } });
    if (!blob) return false;
    return this.db.$transaction(
      async (lock) => {
        await lock.$executeRaw`SELECT pg_advisory_xact_lock(${BLOB_LOCK_CLASS}::int, hashtext(${blob.digest}))`;
        const deleted = await this.db.$transaction(async (tx) => {
          const [row] = await tx.$queryRaw<{ used: boolean }[]>`
            SELECT EXISTS (SELECT 1 FROM "ManifestBlob" WHERE "blobId" = b.id)
                OR EXISTS (SELECT 1 FROM "RepositoryBlob" WHERE "blobId" = b.id) AS used
            FROM "Blob" b WHERE b.id = ${blobId} FOR UPDATE`;
          if (!row || row.used) return false;
          await tx.blob.delete({ where: { id: blobId } });
          return true;
        });
        if (deleted) await this.store.delete(blob.digest);
        return deleted;
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  }

  /** Blobs nothing references (e.g. after DELETE of a blob link or a repository), in batches. */
  async sweepOrphanBlobs(): Promise<number> {
    let n = 0;
    let last = 0n;
    for (;;) {
      const rows = await this.db.$queryRaw<{ id: bigint }[]>`
        SELECT b.id FROM "Blob" b
        WHERE b.id > ${last}
          AND NOT EXISTS (SELECT 1 FROM "ManifestBlob" mb WHERE mb."blobId" = b.id)
          AND NOT EXISTS (SELECT 1 FROM "RepositoryBlob" rb WHERE rb."blobId" = b.id)
        ORDER BY b.id LIMIT 500`;
      for (const r of rows) if (await this.deleteBlobIfUnreferenced(r.id)) n++;
      if (rows.length < 500) break;
      last = rows.at(-1)!.id;
    }
    this.count({ ...zero(), blobsDeleted: n });
    return n;
  }

  /** Files without a row, older than the upload grace (left by a crash between row and file deletion). */
  async sweepOrphanFiles(): Promise<number> {
    const before = new Date(Date.now() - this.graceSeconds * 1000);
    let n = 0;
    for await (const f of this.store.list()) {
      if (f.modifiedAt >= before) continue;
      if (await this.db.blob.findUnique({ where: { digest: f.digest }, select: { id: true } })) continue;
      const removed = await this.db.$transaction(
        async (lock) => {
          await lock.$executeRaw`SELECT pg_advisory_xact_lock(${BLOB_LOCK_CLASS}::int, hashtext(${f.digest}))`;
          if (await lock.blob.findUnique({ where: { digest: f.digest }, select: { id: true } })) return false;
          await this.store.delete(f.digest);
          return true;
        },
        { timeout: 60_000, maxWait: 30_000 },
      );
      if (removed) n++;
    }
    this.count({ ...zero(), orphanFilesDeleted: n });
    return n;
  }

  private count(c: GcCounts) {
    const kinds: [keyof GcCounts, string][] = [
      ["tagHistoryDropped", "tag_history"],
      ["manifestsDeleted", "manifest"],
      ["blobLinksRemoved", "repository_blob"],
      ["blobsDeleted", "blob"],
      ["orphanFilesDeleted", "orphan_file"],
    ];
    for (const [k, kind] of kinds) if (c[k]) this.metrics.gcRemoved.inc({ kind }, c[k]);
  }
}
