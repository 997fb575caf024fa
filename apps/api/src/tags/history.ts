// Tag history: tags are append-only, so moving a tag ends the alive row and inserts a new one. Writers run
// under the repository's tag lock (UnitOfWork.runLocked: tag commands, manifest deletes and GC hold it
// exclusively; a manifest push holds it shared plus its tag's own lock in hm_push_manifest).
// "Alive" is computed at query time: lifetimeEnd is null or still in the future (expiration).
import type { Db } from "../infra/database.js";
import type { Prisma } from "../generated/prisma/client.js";

type Tx = Prisma.TransactionClient;

export const aliveAt = (now: Date) => ({ OR: [{ lifetimeEnd: null }, { lifetimeEnd: { gt: now } }] });

export class TagService {
  constructor(private readonly db: Db) {}

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
