// What the cache writes: the repository a first pull creates, cached manifests and tags through the push
// function (so usage, quota warnings, the audit entry and the repo_push event apply as for any push), the
// index children it links as clients ask for them, and its own record of each tag (ProxyCachedTag).
import type pg from "pg";
import { INDEX_TYPES, type ParsedManifest } from "@hm/oci";
import type { Db } from "../infra/database.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import { withEventId } from "../events/unit-of-work.js";
import { actor, repositoryEntry, type Actor } from "../audit/writer.js";
import type { Principal } from "../access/principal.js";
import { roleRank } from "../access/authz.js";
import type { ManifestWrites } from "../content/manifest-writes.js";
import { ContentError } from "../content/errors.js";
import type { CacheRepo } from "./blob-flights.js";

/** The cache's record of a tag: the upstream digest, its last check and its last pull. */
export interface CachedTag {
  upstreamDigest: string;
  checkedAt: Date;
  lastPulledAt: Date;
}

const MISSING_BLOBS = `
  SELECT d FROM unnest($2::text[]) AS d WHERE NOT EXISTS (
    SELECT 1 FROM "RepositoryBlob" rb JOIN "Blob" b ON b.id = rb."blobId"
    WHERE rb."repositoryId" = $1 AND b.digest = d)`;
const PRESENT_MANIFESTS = `SELECT id, digest FROM "Manifest" WHERE "repositoryId" = $1 AND digest = ANY($2::text[])`;
const TAGGED = `
  SELECT m.digest FROM "Tag" t JOIN "Manifest" m ON m.id = t."manifestId"
  WHERE t."repositoryId" = $1 AND t.name = $2 AND (t."lifetimeEnd" IS NULL OR t."lifetimeEnd" > now())`;
const CACHED_TAG = `
  SELECT "upstreamDigest", "checkedAt", "lastPulledAt" FROM "ProxyCachedTag" WHERE "repositoryId" = $1 AND tag = $2`;
const RECORD_TAG = `
  INSERT INTO "ProxyCachedTag" ("repositoryId", tag, "upstreamDigest", "checkedAt", "lastPulledAt")
  VALUES ($1, $2, $3, now(), now())
  ON CONFLICT ("repositoryId", tag)
  DO UPDATE SET "upstreamDigest" = $3, "checkedAt" = now(), "lastPulledAt" = now()`;
/**
 * A confirmed pull, in one statement (one round trip on every cached pull): under the locks a push of the
 * tag takes, the alive row of the tag gets a new end (what Quay does to a cached tag on every confirmed
 * pull), and the cache's record is checked and pulled now.
 */
const CONFIRMED = `
  WITH locked AS (
    SELECT pg_advisory_xact_lock_shared($1::bigint),
      pg_advisory_xact_lock(hashtextextended($1::bigint::text || ':' || $2, 0))
  ), expired AS (
    UPDATE "Tag" SET "lifetimeEnd" = now() + make_interval(secs => $4), expires = true
    WHERE "repositoryId" = $1 AND name = $2 AND ("lifetimeEnd" IS NULL OR "lifetimeEnd" > now())
      AND EXISTS (SELECT 1 FROM locked)
    RETURNING 1
  )
  INSERT INTO "ProxyCachedTag" ("repositoryId", tag, "upstreamDigest", "checkedAt", "lastPulledAt")
  VALUES ($1, $2, $3, now(), now())
  ON CONFLICT ("repositoryId", tag)
  DO UPDATE SET "upstreamDigest" = $3, "checkedAt" = now(), "lastPulledAt" = now()`;
const PULLED = `UPDATE "ProxyCachedTag" SET "lastPulledAt" = now() WHERE "repositoryId" = $1 AND tag = $2`;
/** A pull by digest counts for the tags of that manifest and of the indexes that list it. */
const PULLED_DIGEST = `
  UPDATE "ProxyCachedTag" pt SET "lastPulledAt" = now()
  FROM "Tag" t JOIN "Manifest" m ON m.id = t."manifestId"
  WHERE pt."repositoryId" = $1 AND t."repositoryId" = $1 AND t.name = pt.tag
    AND (t."lifetimeEnd" IS NULL OR t."lifetimeEnd" > now())
    AND (m.digest = $2 OR m.id IN (SELECT mc."parentId" FROM "ManifestChild" mc
      JOIN "Manifest" c ON c.id = mc."childId" WHERE c."repositoryId" = $1 AND c.digest = $2))`;
/** Cached indexes of the repository whose bytes name a digest (candidates for parents of a new child). */
const PARENTS_OF = `
  SELECT id, bytes, counted FROM "Manifest"
  WHERE "repositoryId" = $1 AND "mediaType" = ANY($3::text[]) AND position(convert_to($2, 'UTF8') in bytes) > 0`;

export class CacheWrites {
  constructor(
    private readonly db: Db,
    private readonly pool: pg.Pool,
    private readonly uow: UnitOfWork,
    /** Push statements whose quota check never refuses: the cache prunes to fit instead (pruning.ts). */
    private readonly writes: ManifestWrites,
    private readonly configLabels: (configDigest: string) => Promise<Record<string, string>>,
  ) {}

  /**
   * The repository `full` of the proxy organization, created private on a first pull as Quay does: with the
   * organization's default permissions, and read (not admin) for the member whose pull created it.
   */
  async repository(full: string, namespaceId: bigint, who: Principal, ip: string | null): Promise<CacheRepo> {
    const name = full.slice(full.indexOf("/") + 1);
    const found = await this.db.repository.findUnique({
      where: { namespaceId_name: { namespaceId, name } },
      select: { id: true },
    });
    if (found) return { id: found.id, namespaceId, full };
    try {
      const id = await this.uow.run(async (w) => {
        const ns = await w.tx.namespace.findUniqueOrThrow({ where: { id: namespaceId } });
        const repo = await w.tx.repository.create({ data: { namespaceId, name, visibility: "private" } });
        const creatorId = who.kind === "user" ? who.userId : null;
        const defaults = await w.tx.defaultPermission.findMany({
          where: {
            namespaceId,
            OR: [{ creatorUserId: null }, ...(creatorId ? [{ creatorUserId: creatorId }] : [])],
          },
        });
        const grants = defaults.map((d) => ({
          role: d.role,
          who: d.delegateUserId
            ? { userId: d.delegateUserId }
            : d.delegateTeamId
              ? { teamId: d.delegateTeamId }
              : { robotId: d.delegateRobotId! },
        }));
        if (who.kind === "user") grants.push({ role: "read", who: { userId: who.userId } });
        if (who.kind === "robot") grants.push({ role: "read", who: { robotId: who.robotId } });
        // One row per grantee, the highest role among its grants.
        const best = new Map<string, (typeof grants)[number]>();
        for (const g of grants) {
          const key = JSON.stringify(g.who, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
          const prior = best.get(key);
          if (!prior || roleRank(g.role) > roleRank(prior.role)) best.set(key, g);
        }
        for (const g of best.values())
          await w.tx.repositoryPermission.create({ data: { repositoryId: repo.id, role: g.role, ...g.who } });
        w.auditRepo(
          "create_repo",
          { principal: who, ip },
          { ...repo, namespace: ns },
          { visibility: "private" },
        );
        return repo.id;
      });
      return { id, namespaceId, full };
    } catch (e) {
      if ((e as { code?: string }).code !== "P2002") throw e;
      // A concurrent first pull (another process) created it.
      const again = await this.db.repository.findUniqueOrThrow({
        where: { namespaceId_name: { namespaceId, name } },
        select: { id: true },
      });
      return { id: again.id, namespaceId, full };
    }
  }

  async missingBlobs(repositoryId: bigint, digests: string[]): Promise<string[]> {
    if (!digests.length) return [];
    const r = await this.pool.query<{ d: string }>(MISSING_BLOBS, [repositoryId.toString(), digests]);
    return r.rows.map((x) => x.d);
  }

  async present(repositoryId: bigint, digests: string[]): Promise<Set<string>> {
    if (!digests.length) return new Set();
    const r = await this.pool.query<{ digest: string }>(PRESENT_MANIFESTS, [
      repositoryId.toString(),
      digests,
    ]);
    return new Set(r.rows.map((x) => x.digest));
  }

  /**
   * Stores a manifest fetched from upstream, tagged `tag` (expiring after `expirationS`) or by digest. An
   * index is stored with the children the repository holds; the others are linked as they are cached.
   */
  async push(
    repo: CacheRepo,
    tag: string | null,
    bytes: Buffer,
    m: ParsedManifest,
    who: Principal | Actor,
    ip: string | null,
    expirationS: number,
  ): Promise<bigint> {
    const present = await this.present(
      repo.id,
      m.manifests.map((c) => c.digest),
    );
    const manifest = { ...m, manifests: m.manifests.filter((c) => present.has(c.digest)) };
    const labels = m.kind === "image" && m.config ? await this.configLabels(m.config.digest) : {};
    const repoRef = {
      id: repo.id,
      name: repo.full.slice(repo.full.indexOf("/") + 1),
      namespaceId: repo.namespaceId,
      namespace: { name: repo.full.slice(0, repo.full.indexOf("/")) },
    };
    const event = tag
      ? withEventId({
          repository: repo.full,
          namespace: repoRef.namespace.name,
          tags: [tag],
          digest: m.digest,
          pusher: actor(who).name,
        })
      : null;
    const r = await this.writes.push({
      repositoryId: repo.id,
      bytes,
      manifest,
      labels,
      tag,
      expiresAfterSeconds: tag ? expirationS : null,
      audit: repositoryEntry("push_repo", who, repoRef, { tag, manifest_digest: m.digest }, ip),
      event: event && { name: "repo_push", payload: event },
    });
    if (r.missingBlob)
      throw new ContentError("MANIFEST_BLOB_UNKNOWN", `blob ${r.missingBlob} is not cached`, {
        digest: r.missingBlob,
      });
    await this.uow.committed(r.outbox, event ? ["push_repo", "repo_push"] : ["push_repo"], { wait: false });
    if (m.kind === "index") await this.linkChildren(repo.id, r.manifestId, m, present);
    else await this.linkToParents(repo.id, r.manifestId, m.digest);
    if (tag) await this.pool.query(RECORD_TAG, [repo.id.toString(), tag, m.digest]);
    return r.manifestId;
  }

  /** Links the children a stored index lists that the repository holds by now (a child cached meanwhile). */
  private async linkChildren(repositoryId: bigint, parentId: bigint, m: ParsedManifest, before: Set<string>) {
    const now = await this.present(
      repositoryId,
      m.manifests.map((c) => c.digest),
    );
    const late = m.manifests.filter((c) => now.has(c.digest) && !before.has(c.digest));
    for (const c of late) await this.linkToParents(repositoryId, null, c.digest, parentId);
  }

  /**
   * Links a cached manifest under the cached indexes that list it (or under `onlyParent`), and counts it in
   * the repository's size where such an index counts, as the push function does for children it links.
   * Holds the repository's lock shared, as a push does (garbage collection holds it exclusively).
   */
  private async linkToParents(
    repositoryId: bigint,
    childId: bigint | null,
    digest: string,
    onlyParent?: bigint,
  ) {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock_shared($1::bigint)", [repositoryId.toString()]);
      const child =
        childId ??
        BigInt(
          (
            await client.query<{ id: string }>(
              `SELECT id FROM "Manifest" WHERE "repositoryId" = $1 AND digest = $2`,
              [repositoryId.toString(), digest],
            )
          ).rows[0]!.id,
        );
      const parents = await client.query<{ id: string; bytes: Buffer; counted: boolean }>(PARENTS_OF, [
        repositoryId.toString(),
        digest,
        INDEX_TYPES,
      ]);
      let held = false;
      for (const p of parents.rows) {
        if (onlyParent !== undefined && BigInt(p.id) !== onlyParent) continue;
        const doc = JSON.parse(p.bytes.toString("utf8")) as {
          manifests?: { digest?: string; platform?: unknown }[];
        };
        const entry = doc.manifests?.find((d) => d.digest === digest);
        if (!entry) continue;
        await client.query(
          `INSERT INTO "ManifestChild" ("parentId", "childId", platform) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
          [p.id, child.toString(), entry.platform === undefined ? null : JSON.stringify(entry.platform)],
        );
        held ||= p.counted;
      }
      if (held) await client.query("SELECT hm_usage_hold($1::bigint)", [child.toString()]);
      await client.query("COMMIT");
      client.release();
    } catch (e) {
      await client.query("ROLLBACK").then(
        () => client.release(),
        () => client.release(true),
      );
      throw e;
    }
  }

  /** The digest an alive tag points at, or null. */
  async taggedDigest(repositoryId: bigint, tag: string): Promise<string | null> {
    const r = await this.pool.query<{ digest: string }>(TAGGED, [repositoryId.toString(), tag]);
    return r.rows[0]?.digest ?? null;
  }

  /** Whether the manifest is stored in the repository. */
  async stored(m: { repo: CacheRepo; digest: string }): Promise<boolean> {
    return (await this.present(m.repo.id, [m.digest])).size > 0;
  }

  async cachedTag(repositoryId: bigint, tag: string): Promise<CachedTag | null> {
    const r = await this.pool.query<CachedTag>(CACHED_TAG, [repositoryId.toString(), tag]);
    return r.rows[0] ?? null;
  }

  /** A pull the upstream confirmed: the tag lives `expirationS` more, its record checked and pulled now. */
  async confirmed(repositoryId: bigint, tag: string, digest: string, expirationS: number): Promise<void> {
    await this.pool.query(CONFIRMED, [repositoryId.toString(), tag, digest, expirationS]);
  }

  /** A pull served from the cache without the upstream's word (it failed): only the pull is recorded. */
  async pulled(repositoryId: bigint, tag: string): Promise<void> {
    await this.pool.query(PULLED, [repositoryId.toString(), tag]);
  }

  async pulledDigest(repositoryId: bigint, digest: string): Promise<void> {
    await this.pool.query(PULLED_DIGEST, [repositoryId.toString(), digest]);
  }
}
