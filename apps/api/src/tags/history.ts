// The tag-retarget service. Tags are append-only history: moving a tag ends the alive row and inserts a
// new one. Tag commands, manifest deletes and GC hold the repository's advisory lock exclusively; a
// manifest push holds it shared plus its tag's own lock (hm_push_manifest).
// "Alive" is computed at query time: lifetimeEnd is null or still in the future (expiration).
import type { Db } from "../infra/database.js";
import type { Prisma } from "../generated/prisma/client.js";

type Tx = Prisma.TransactionClient;

export const aliveAt = (now: Date) => ({ OR: [{ lifetimeEnd: null }, { lifetimeEnd: { gt: now } }] });

export class TagService {
  constructor(private readonly db: Db) {}

  /** Runs `fn` in a transaction holding the repository's tag lock. */
  async withRepoLock<T>(repositoryId: bigint, fn: (tx: Tx, now: Date) => Promise<T>): Promise<T> {
    return this.db.$transaction(
      async (tx) => {
        // The database clock, read after the lock (the subquery takes it first; one round trip for both):
        // every process agrees on it and it only moves forward, so a tag's new lifetime never starts
        // before the one it ends.
        const [row] = await tx.$queryRaw<{ now: Date }[]>`
          SELECT clock_timestamp() AS now FROM (SELECT pg_advisory_xact_lock(${repositoryId}::bigint)) AS locked`;
        return fn(tx, row!.now);
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
  }

  /** Points `name` at `manifestId`; one already pointing there is left as it is (its expiration too). */
  async retargetLocked(
    tx: Tx,
    now: Date,
    repositoryId: bigint,
    name: string,
    manifestId: bigint,
    opts: { expiresAt?: Date | null; restored?: boolean } = {},
  ) {
    // The rule is SQL (hm_retarget_tag) because the manifest push applies it inside its own statement too.
    const [row] = await tx.$queryRaw<{ changed: boolean }[]>`
      SELECT hm_retarget_tag(${repositoryId}::bigint, ${name}, ${manifestId}::bigint, ${now}::timestamptz,
        ${opts.expiresAt ?? null}::timestamptz, ${Boolean(opts.restored)}) AS changed`;
    return row!.changed;
  }

  /** Ends the alive row of `name`. Returns false when there was none. */
  async remove(repositoryId: bigint, name: string): Promise<boolean> {
    return this.withRepoLock(repositoryId, async (tx, now) => {
      const r = await tx.tag.updateMany({
        where: { repositoryId, name, ...aliveAt(now) },
        data: { lifetimeEnd: now, expires: false },
      });
      return r.count > 0;
    });
  }

  async resolve(repositoryId: bigint, name: string) {
    const now = new Date();
    return this.db.tag.findFirst({
      where: { repositoryId, name, ...aliveAt(now) },
      include: { manifest: true },
    });
  }

  /** Alive tag names in byte order (the spec's lexical order), after `last`, at most `n`. */
  async listNames(repositoryId: bigint, n: number | undefined, last: string | undefined): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ name: string }[]>`
      SELECT name FROM "Tag"
      WHERE "repositoryId" = ${repositoryId} AND ("lifetimeEnd" IS NULL OR "lifetimeEnd" > now())
        AND name COLLATE "C" > ${last ?? ""}
      ORDER BY name COLLATE "C" LIMIT ${n ?? 100_000}`;
    return rows.map((r) => r.name);
  }
}
