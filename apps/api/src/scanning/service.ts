// The scanner's work, run by the `scan` queue's workers: index a manifest's layers (each layer once, by its
// digest), combine them into the image's packages, match those against the vulnerability records and keep
// the result by manifest digest. A feed import re-matches what is kept without reading a layer again, and
// announces vulnerabilities that newly affect a tagged image (vulnerability_found).
import { Transform, type Readable } from "node:stream";
import { Foreground } from "../infra/foreground.js";
import type pg from "pg";
import { parseManifest, type ParsedManifest } from "@hm/oci";
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { BlobStore } from "../storage/blob-store.js";
import type { UnitOfWork, Work } from "../events/unit-of-work.js";
import { IMAGE_CONFIG_TYPES } from "../content/artifact-policy.js";
import { combineLayers, indexLayer } from "./indexer/index.js";
import { Matcher, type Match } from "./matcher.js";
import type { LayerIndexData } from "./types.js";
import { loadLayer, replaceMatches, saveLayer, saveScan, scannedPage, type ScanRow } from "./scan-sql.js";

/** Bumped when the indexer learns something new: layers and manifests indexed before are read again. */
export const INDEXER_VERSION = 1;

export type ScanStatus = "queued" | "scanned" | "failed" | "unsupported";

/**
 * How long a scan step waits for a moment without requests: the scan's chunks and matching then run between
 * pushes and pulls instead of beside them (`npm run bench -- --only=scanning`), and under constant load it
 * still reads a chunk every YIELD_MS.
 */
const YIELD_MS = 250;

/** The layer's bytes, each chunk passed on once the process has a quiet moment (or YIELD_MS has passed). */
function yielding(source: Readable, foreground: Foreground): Readable {
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      foreground.quiet(YIELD_MS).then(() => cb(null, chunk), cb);
    },
  });
  source.on("error", (e) => out.destroy(e));
  out.on("close", () => source.destroy());
  return source.pipe(out);
}

/** Layers of images that cannot be read (an absent blob) fail the scan with this reason. */
const reasonOf = (e: unknown) => String((e as Error)?.message ?? e).slice(0, 500);

export class ScanService {
  private readonly matcher: Matcher;

  constructor(
    private readonly db: Db,
    pool: pg.Pool,
    private readonly store: BlobStore,
    private readonly uow: UnitOfWork,
    private readonly log: Logger,
    /** Requests in flight in this process: a scan here yields to them (at most YIELD_MS per step). */
    private readonly foreground: Foreground = new Foreground(),
  ) {
    this.matcher = new Matcher(pool);
  }

  /** Scans one manifest (a scan job): its digest's stored document, from any repository that holds it. */
  async scan(digest: string): Promise<{ status: ScanStatus | "gone" | "unchanged"; packages?: number }> {
    await this.foreground.quiet(YIELD_MS);
    const kept = await this.db.manifestSecurity.findUnique({ where: { digest } });
    if (kept && kept.status !== "queued" && kept.status !== "failed" && kept.indexer >= INDEXER_VERSION)
      return { status: "unchanged" };
    const m = await this.db.manifest.findFirst({
      where: { digest },
      select: { bytes: true, mediaType: true },
    });
    if (!m) return { status: "gone" };
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(Buffer.from(m.bytes), m.mediaType);
    } catch (e) {
      return this.finish(digest, "failed", `the manifest cannot be read: ${reasonOf(e)}`);
    }
    if (parsed.kind === "index") {
      // Each image of an index is scanned on its own; the console shows each child's result.
      return this.uow.run(async (w) => {
        for (const c of parsed.manifests) w.enqueue("scan", "scan-manifest", { digest: c.digest });
        await this.save(w, digest, {
          status: "unsupported",
          reason: "an index: each of its manifests is scanned",
        });
        return { status: "unsupported" as const };
      });
    }
    if (parsed.kind !== "image" || !parsed.config || !IMAGE_CONFIG_TYPES.has(parsed.config.mediaType))
      return this.finish(
        digest,
        "unsupported",
        parsed.kind === "schema1"
          ? "Docker schema 1 manifests are not scanned"
          : `not an image: an artifact of type ${parsed.artifactType ?? parsed.config?.mediaType ?? "unknown"}`,
      );
    let layers: { digest: string; index: LayerIndexData }[];
    try {
      layers = [];
      for (const l of parsed.layers) layers.push({ digest: l.digest, index: await this.layer(l.digest) });
    } catch (e) {
      return this.finish(digest, "failed", reasonOf(e));
    }
    const image = combineLayers(layers);
    // As Quay shows it: an image the scanner finds nothing in (busybox, a static binary) is not "Passed".
    if (!image.packages.length)
      return this.finish(
        digest,
        "unsupported",
        `no packages found${image.warnings.length ? ` (${image.warnings.join("; ")})` : ""}`,
      );
    await this.foreground.quiet(YIELD_MS);
    const matches = await this.matcher.match(image.distribution, image.packages);
    await this.foreground.quiet(YIELD_MS);
    await this.uow.run(async (w) => {
      await this.save(w, digest, {
        status: "scanned",
        distribution: image.distribution,
        packages: image.packages,
        warnings: image.warnings,
      });
      await replaceMatches(w.tx, digest, matches);
    });
    return { status: "scanned", packages: image.packages.length };
  }

  /** A layer's index: kept by digest, so a base layer shared by many images is read once. */
  private async layer(digest: string): Promise<LayerIndexData> {
    const kept = await loadLayer(this.db, digest);
    if (kept && kept.indexer >= INDEXER_VERSION && kept.data) return kept.data;
    const data = await indexLayer(async (range) =>
      yielding(await (this.store.read(digest, range) as Promise<Readable>), this.foreground),
    );
    await saveLayer(this.db, digest, INDEXER_VERSION, data);
    return data;
  }

  private async finish(digest: string, status: ScanStatus, reason: string) {
    await this.uow.run((w) => this.save(w, digest, { status, reason }));
    if (status === "failed") this.log.warn({ digest, reason }, "scan failed");
    return { status };
  }

  private save(w: Work, digest: string, r: ScanRow) {
    return saveScan(w.tx, digest, INDEXER_VERSION, r);
  }

  /**
   * Matches every scanned manifest again (after a feed import). Vulnerabilities that newly affect an image
   * are announced to each repository with a live tag on it (or on an index holding it).
   */
  async rematch(): Promise<{ manifests: number; newMatches: number; events: number }> {
    let after = "";
    let manifests = 0;
    let newMatches = 0;
    let events = 0;
    for (;;) {
      const batch = await scannedPage(this.db, after, 50);
      if (!batch.length) break;
      after = batch[batch.length - 1]!.digest;
      for (const s of batch) {
        const matches = await this.matcher.match(s.distribution, s.packages);
        events += await this.uow.run(async (w) => {
          const fresh = await replaceMatches(w.tx, s.digest, matches);
          await w.tx.manifestSecurity.update({
            where: { digest: s.digest },
            data: { matchedAt: new Date() },
          });
          newMatches += fresh.length;
          return fresh.length ? this.announce(w, s.digest, fresh) : 0;
        });
        manifests++;
      }
    }
    return { manifests, newMatches, events };
  }

  /** One vulnerability_found per repository and vulnerability (seed 001 §12.1.7's payload). */
  private async announce(w: Work, digest: string, fresh: Match[]): Promise<number> {
    const tags = await w.tx.$queryRaw<
      { repositoryId: bigint; repository: string; namespace: string; tag: string }[]
    >`
      SELECT t."repositoryId", r.name AS repository, n.name AS namespace, t.name AS tag
      FROM "Manifest" m
      LEFT JOIN "ManifestChild" c ON c."childId" = m.id
      JOIN "Tag" t ON t."manifestId" IN (m.id, c."parentId")
      JOIN "Repository" r ON r.id = t."repositoryId"
      JOIN "Namespace" n ON n.id = r."namespaceId"
      WHERE m.digest = ${digest} AND NOT t.hidden AND (t."lifetimeEnd" IS NULL OR t."lifetimeEnd" > now())`;
    if (!tags.length) return 0;
    const ids = [...new Set(fresh.map((f) => f.vulnerabilityId))];
    const vulns = await w.tx.vulnerability.findMany({ where: { id: { in: ids } } });
    const byRepo = new Map<bigint, { repository: string; namespace: string; tags: Set<string> }>();
    for (const t of tags) {
      const r = byRepo.get(t.repositoryId) ?? {
        repository: t.repository,
        namespace: t.namespace,
        tags: new Set(),
      };
      r.tags.add(t.tag);
      byRepo.set(t.repositoryId, r);
    }
    let n = 0;
    for (const v of vulns) {
      const match = fresh.find((f) => f.vulnerabilityId === v.id)!;
      for (const [repositoryId, r] of byRepo) {
        w.emit(
          "vulnerability_found",
          {
            repository: `${r.namespace}/${r.repository}`,
            namespace: r.namespace,
            tags: [...r.tags].sort(),
            vulnerability: {
              id: v.id,
              description: v.summary || v.details.slice(0, 500),
              link: v.links[0] ?? "",
              priority: match.severity,
              has_fix: fresh.some((f) => f.vulnerabilityId === v.id && f.fixedBy),
            },
          },
          repositoryId,
        );
        n++;
      }
    }
    return n;
  }

  /**
   * Queues manifests that have no scan yet (pushed while the scanner was off, or indexed by an older
   * indexer): images and indexes with a live tag, a batch at a time.
   */
  async backlog(limit = 500): Promise<{ queued: number }> {
    return this.uow.run(async (w) => {
      // One look at a time (a periodic run and a second worker's must not both queue the same manifest).
      await w.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('hm_scan_backlog'))`;
      const rows = await w.tx.$queryRaw<{ digest: string }[]>`
        SELECT DISTINCT m.digest FROM "Tag" t JOIN "Manifest" m ON m.id = t."manifestId"
        LEFT JOIN "ManifestSecurity" s ON s.digest = m.digest
        WHERE (t."lifetimeEnd" IS NULL OR t."lifetimeEnd" > now()) AND NOT t.hidden
          AND (s.digest IS NULL OR s.indexer < ${INDEXER_VERSION})
          -- Not what a push (or an earlier look) has queued already: a long queue would scan it twice.
          AND NOT EXISTS (SELECT 1 FROM "JobRecord" j WHERE j.queue = 'scan' AND j.status IN ('queued', 'running')
            AND j.payload ->> 'digest' = m.digest)
        LIMIT ${limit}`;
      if (!rows.length) return { queued: 0 };
      // Queued rows keep indexer 0: a scan whose job is lost for good is queued again by a later look.
      await w.tx.manifestSecurity.createMany({
        data: rows.map((r) => ({ digest: r.digest, status: "queued" })),
        skipDuplicates: true,
      });
      for (const r of rows) w.enqueue("scan", "scan-manifest", { digest: r.digest });
      return { queued: rows.length };
    });
  }

  /**
   * Drops the scans of manifests no repository holds any more and the indexes of layers no blob row has
   * (after garbage collection). A digest pushed again is simply scanned again.
   */
  async sweep(): Promise<{ manifests: number; layers: number }> {
    const manifests = await this.db.$executeRaw`
      DELETE FROM "ManifestSecurity" s WHERE NOT EXISTS (SELECT 1 FROM "Manifest" m WHERE m.digest = s.digest)`;
    const layers = await this.db.$executeRaw`
      DELETE FROM "LayerIndex" l WHERE NOT EXISTS (SELECT 1 FROM "Blob" b WHERE b.digest = l.digest)`;
    return { manifests, layers };
  }
}
