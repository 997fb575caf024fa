// Manifests: validation against what the repository holds, storage, tag retargeting, push events.
import {
  MediaType,
  OciError,
  digestOf,
  effectiveArtifactType,
  parseDigest,
  parseManifest,
  type ParsedManifest,
  type ReferrerDescriptor,
} from "@hm/oci";
import type { Db } from "../infra/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { JobSystem } from "../jobs/job-system.js";
import type { Admission } from "./admission.js";
import type { AuditService } from "./audit.js";
import { principalName, type Principal } from "./principal.js";
import type { RepositoryWithNamespace } from "./repositories.js";
import { aliveAt, type TagService } from "./tags.js";
import type { ExpirationClamp } from "./labels.js";
import { EXPIRES_AFTER_LABEL, expiresAfterSeconds } from "./manifest-labels.js";

/** Reads the labels of an image config blob at push time (source "manifest"). */
export interface PushLabels {
  readConfigLabels(configDigest: string): Promise<Record<string, string>>;
  clamp: ExpirationClamp;
}

export interface ArtifactPolicy {
  generalOciSupport: boolean;
  /** config media type → allowed layer media types; empty means "no restriction" when general support is on. */
  allowed: Record<string, string[]>;
}

const IMAGE_CONFIG_TYPES = new Set<string>([MediaType.OciConfig, MediaType.DockerConfig]);

export function checkArtifactPolicy(m: ParsedManifest, policy: ArtifactPolicy): void {
  if (m.kind !== "image") return;
  const configType = m.config!.mediaType;
  const isPlainImage = IMAGE_CONFIG_TYPES.has(configType) && !m.artifactType;
  if (isPlainImage) return;
  if (policy.generalOciSupport && Object.keys(policy.allowed).length === 0) return;
  const type = m.artifactType ?? configType;
  const layers = policy.allowed[type];
  if (!layers)
    throw new OciError("MANIFEST_INVALID", `artifact type ${type} is not allowed on this registry`);
  const bad = m.layers.find((l) => layers.length > 0 && !layers.includes(l.mediaType));
  if (bad)
    throw new OciError("MANIFEST_INVALID", `layer media type ${bad.mediaType} is not allowed for ${type}`);
}

export class ManifestService {
  constructor(
    private readonly db: Db,
    private readonly tags: TagService,
    private readonly admission: Admission,
    private readonly audit: AuditService,
    private readonly jobs: JobSystem,
    private readonly policy: ArtifactPolicy,
    private readonly pushLabels?: PushLabels,
  ) {}

  /** By tag (alive only) or by digest. */
  async get(repo: RepositoryWithNamespace, reference: string) {
    if (parseDigest(reference)) {
      return this.db.manifest.findUnique({
        where: { repositoryId_digest: { repositoryId: repo.id, digest: reference } },
      });
    }
    return (await this.tags.resolve(repo.id, reference))?.manifest ?? null;
  }

  async put(
    principal: Principal,
    repo: RepositoryWithNamespace,
    reference: string,
    bytes: Buffer,
    contentType: string,
    ip?: string | null,
  ) {
    if (repo.state !== "normal")
      throw new OciError("DENIED", `repository is ${repo.state.replace("_", "-")}`, undefined, 405);
    const m = parseManifest(bytes, contentType);
    const byDigest = parseDigest(reference);
    // Clients may address a manifest by a sha512 digest; verify with the algorithm they chose.
    if (byDigest?.algorithm === "sha512" && m.kind !== "schema1") m.digest = digestOf(bytes, "sha512");
    if (byDigest && byDigest.digest !== m.digest) {
      throw new OciError("DIGEST_INVALID", `manifest digest ${m.digest} does not match ${reference}`);
    }
    checkArtifactPolicy(m, this.policy);

    const blobs = await this.db.repositoryBlob.findMany({
      where: { repositoryId: repo.id, blob: { digest: { in: m.blobDigests } } },
      select: { blobId: true, blob: { select: { digest: true, size: true } } },
    });
    const missing = m.blobDigests.filter((d) => !blobs.some((b) => b.blob.digest === d));
    if (missing.length)
      throw new OciError(
        "MANIFEST_BLOB_UNKNOWN",
        `blob ${missing[0]} is unknown to this repository`,
        { digest: missing[0] },
        400,
      );
    const children = m.manifests.length
      ? await this.db.manifest.findMany({
          where: { repositoryId: repo.id, digest: { in: m.manifests.map((c) => c.digest) } },
          select: { id: true, digest: true },
        })
      : [];
    const missingChild = m.manifests.find((c) => !children.some((x) => x.digest === c.digest));
    if (missingChild)
      throw new OciError(
        "MANIFEST_BLOB_UNKNOWN",
        `manifest ${missingChild.digest} is unknown to this repository`,
        { digest: missingChild.digest },
        400,
      );

    await this.admission.check({ stage: "manifest", repositoryId: repo.id, namespaceId: repo.namespaceId });
    const labels = await this.configLabels(repo.id, m);

    const tag = byDigest ? null : reference;
    const { row: manifest, dispatch } = await this.tags.withRepoLock(repo.id, async (tx, now) => {
      // Garbage collection may have removed a link or a child since they were read above; it does so
      // under this same lock, so what is read here stays true until the commit. KEY SHARE also keeps a
      // blob link from being deleted through the API meanwhile, without blocking uploads refreshing it.
      await this.recheckReferences(
        tx,
        repo.id,
        blobs.map((b) => b.blobId),
        children.map((c) => c.id),
      );
      const inserted = await tx.manifest.createMany({
        data: [
          {
            repositoryId: repo.id,
            digest: m.digest,
            mediaType: m.mediaType,
            bytes: new Uint8Array(bytes),
            size: bytes.length,
            configMediaType: m.config?.mediaType ?? null,
            configDigest: m.config?.digest ?? null,
            artifactType: m.artifactType ?? null,
            subjectDigest: m.subject?.digest ?? null,
            layersSize: BigInt(m.layersSize),
          },
        ],
        skipDuplicates: true,
      });
      const row = await tx.manifest.findUniqueOrThrow({
        where: { repositoryId_digest: { repositoryId: repo.id, digest: m.digest } },
      });
      if (blobs.length) {
        await tx.manifestBlob.createMany({
          data: blobs.map((b) => ({ manifestId: row.id, blobId: b.blobId })),
          skipDuplicates: true,
        });
      }
      if (inserted.count && labels && Object.keys(labels).length) {
        await tx.label.createMany({
          data: Object.entries(labels).map(([key, value]) => ({
            manifestId: row.id,
            key,
            value,
            source: "manifest" as const,
          })),
        });
      }
      if (children.length) {
        await tx.manifestChild.createMany({
          data: m.manifests.map((c) => ({
            parentId: row.id,
            childId: children.find((x) => x.digest === c.digest)!.id,
            platform: c.platform ? (c.platform as unknown as Prisma.InputJsonValue) : undefined,
          })),
          skipDuplicates: true,
        });
      }
      if (tag) {
        await this.tags.retargetLocked(tx, now, repo.id, tag, row.id, {
          expiresAt: await this.labelExpiry(tx, now, row.id),
        });
      }
      // The audit entry and the push event commit with the manifest: one durable commit per push, and
      // never a push without its record (or a record without its push).
      await this.audit.recordForRepository(
        "push_repo",
        principal,
        repo,
        { tag, manifest_digest: m.digest },
        ip,
        tx,
      );
      const dispatch = tag
        ? await this.jobs.emitIn(tx, "repo_push", {
            repository: `${repo.namespace.name}/${repo.name}`,
            namespace: repo.namespace.name,
            tags: [tag],
            digest: m.digest,
            pusher: principalName(principal),
          })
        : null;
      return { row, dispatch };
    });
    await dispatch?.();
    return { manifest, parsed: m };
  }

  /** Labels of a new image's config; null when the manifest is already stored or is not an image. */
  private async configLabels(repositoryId: bigint, m: ParsedManifest) {
    if (!this.pushLabels || m.kind !== "image" || !m.config || !IMAGE_CONFIG_TYPES.has(m.config.mediaType))
      return null;
    const existing = await this.db.manifest.findUnique({
      where: { repositoryId_digest: { repositoryId, digest: m.digest } },
      select: { id: true },
    });
    return existing ? null : this.pushLabels.readConfigLabels(m.config.digest);
  }

  private async recheckReferences(
    tx: Prisma.TransactionClient,
    repositoryId: bigint,
    blobIds: bigint[],
    childIds: bigint[],
  ) {
    if (blobIds.length) {
      const linked = await tx.$queryRaw<{ blobId: bigint }[]>`
        SELECT "blobId" FROM "RepositoryBlob"
        WHERE "repositoryId" = ${repositoryId} AND "blobId" = ANY(${blobIds}::bigint[]) FOR KEY SHARE`;
      if (linked.length < new Set(blobIds).size)
        throw new OciError(
          "MANIFEST_BLOB_UNKNOWN",
          "a blob of this manifest was removed meanwhile",
          undefined,
          400,
        );
    }
    if (childIds.length && (await tx.manifest.count({ where: { id: { in: childIds } } })) < childIds.length)
      throw new OciError("MANIFEST_BLOB_UNKNOWN", "a child manifest was removed meanwhile", undefined, 400);
  }

  /** `quay.expires-after` on the manifest: the new tag row expires that long after it starts. */
  private async labelExpiry(tx: Prisma.TransactionClient, now: Date, manifestId: bigint) {
    if (!this.pushLabels) return null;
    const label = await tx.label.findFirst({
      where: { manifestId, key: EXPIRES_AFTER_LABEL },
      orderBy: { id: "desc" },
    });
    const seconds =
      label && expiresAfterSeconds(label.value, this.pushLabels.clamp.min, this.pushLabels.clamp.max);
    return seconds ? new Date(now.getTime() + seconds * 1000) : null;
  }

  /** DELETE by tag ends the tag; by digest removes the manifest and every tag pointing at it. */
  async delete(
    principal: Principal,
    repo: RepositoryWithNamespace,
    reference: string,
    ip?: string | null,
  ): Promise<void> {
    const full = `${repo.namespace.name}/${repo.name}`;
    if (!parseDigest(reference)) {
      if (!(await this.tags.remove(repo.id, reference)))
        throw new OciError("MANIFEST_UNKNOWN", undefined, { tag: reference });
      await this.afterTagDelete(principal, repo, [reference], ip, full);
      return;
    }
    const removedTags = await this.tags.withRepoLock(repo.id, async (tx, now) => {
      const row = await tx.manifest.findUnique({
        where: { repositoryId_digest: { repositoryId: repo.id, digest: reference } },
      });
      if (!row) throw new OciError("MANIFEST_UNKNOWN", undefined, { digest: reference });
      const parent = await tx.manifestChild.findFirst({
        where: { childId: row.id },
        include: { parent: { select: { digest: true } } },
      });
      if (parent) {
        throw new OciError(
          "DENIED",
          `manifest is referenced by index ${parent.parent.digest}; delete the index first`,
          undefined,
          409,
        );
      }
      const alive = await tx.tag.findMany({
        where: { manifestId: row.id, ...aliveAt(now) },
        select: { name: true },
      });
      // The manifest is gone for good, so its tag history cannot be restored either.
      await tx.tag.deleteMany({ where: { manifestId: row.id } });
      await tx.manifest.delete({ where: { id: row.id } });
      return alive.map((t) => t.name);
    });
    await this.audit.record({
      kind: "delete_manifest",
      principal,
      namespaceId: repo.namespaceId,
      repositoryId: repo.id,
      ip,
      metadata: { repo: repo.name, namespace: repo.namespace.name, digest: reference, tags: removedTags },
    });
    if (removedTags.length) await this.afterTagDelete(principal, repo, removedTags, ip, full, false);
  }

  private async afterTagDelete(
    principal: Principal,
    repo: RepositoryWithNamespace,
    tags: string[],
    ip: string | null | undefined,
    full: string,
    audit = true,
  ) {
    if (audit) {
      for (const tag of tags) {
        await this.audit.record({
          kind: "delete_tag",
          principal,
          namespaceId: repo.namespaceId,
          repositoryId: repo.id,
          ip,
          metadata: { repo: repo.name, namespace: repo.namespace.name, tag },
        });
      }
    }
    await this.jobs.emit("tag_deleted", {
      repository: full,
      namespace: repo.namespace.name,
      tags,
      performer: principalName(principal),
    });
  }

  async referrers(
    repositoryId: bigint,
    subjectDigest: string,
    artifactType?: string,
  ): Promise<ReferrerDescriptor[]> {
    const rows = await this.db.manifest.findMany({
      where: { repositoryId, subjectDigest },
      select: {
        digest: true,
        mediaType: true,
        size: true,
        bytes: true,
        artifactType: true,
        configMediaType: true,
      },
      orderBy: { id: "asc" },
    });
    const out: ReferrerDescriptor[] = [];
    for (const r of rows) {
      const type = effectiveArtifactType({
        artifactType: r.artifactType ?? undefined,
        config: r.configMediaType ? { mediaType: r.configMediaType, digest: "", size: 0 } : undefined,
      });
      if (artifactType && type !== artifactType) continue;
      const doc = JSON.parse(Buffer.from(r.bytes).toString("utf8")) as {
        annotations?: Record<string, string>;
      };
      out.push({
        mediaType: r.mediaType,
        digest: r.digest,
        size: r.size,
        ...(type ? { artifactType: type } : {}),
        ...(doc.annotations ? { annotations: doc.annotations } : {}),
      });
    }
    return out;
  }
}
