// Manifests: validation against what the repository holds, storage, tag retargeting, push events.
import {
  digestOf,
  effectiveArtifactType,
  parseDigest,
  parseManifest,
  type ParsedManifest,
  type ReferrerDescriptor,
} from "@hm/oci";
import type { Db } from "../infra/database.js";
import { withEventId, type Tx, type UnitOfWork } from "../events/unit-of-work.js";
import { ContentError } from "./errors.js";
import { assertWritableBy } from "./repository-state.js";
import type { Admission } from "./admission.js";
import { actor, repositoryEntry, type Actor } from "../audit/writer.js";
import { QUOTA_EXCEEDED_SQLSTATE, type ManifestWrites } from "./manifest-writes.js";
import { DomainError } from "../common/errors.js";
import { principalName, type Principal } from "../access/principal.js";
import type { RepositoryWithNamespace } from "./repositories.js";
import { aliveAt, type TagService } from "../tags/history.js";
import type { ExpirationClamp } from "./labels.js";
import { EXPIRES_AFTER_LABEL, expiresAfterSeconds } from "./manifest-labels.js";
import { IMAGE_CONFIG_TYPES, checkArtifactPolicy, type ArtifactPolicy } from "./artifact-policy.js";

// The push policy lives in artifact-policy.ts; still exported here, where callers found it before.
export { checkArtifactPolicy, type ArtifactPolicy };

/** Reads the labels of an image config blob at push time (source "manifest"). */
export interface PushLabels {
  readConfigLabels(configDigest: string): Promise<Record<string, string>>;
  clamp: ExpirationClamp;
}

export class ManifestService {
  constructor(
    private readonly db: Db,
    private readonly tags: TagService,
    private readonly admission: Admission,
    private readonly uow: UnitOfWork,
    private readonly writes: ManifestWrites,
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

  /** `who`: the pusher as the registry token names it (no account lookup on the hot path). */
  async put(
    who: Principal | Actor,
    repo: RepositoryWithNamespace,
    reference: string,
    bytes: Buffer,
    contentType: string,
    ip?: string | null,
  ) {
    await assertWritableBy(this.db, repo, who);
    const m = parseManifest(bytes, contentType);
    const byDigest = parseDigest(reference);
    // Clients may address a manifest by a sha512 digest; verify with the algorithm they chose.
    if (byDigest?.algorithm === "sha512" && m.kind !== "schema1") m.digest = digestOf(bytes, "sha512");
    if (byDigest && byDigest.digest !== m.digest) {
      throw new ContentError("DIGEST_INVALID", `manifest digest ${m.digest} does not match ${reference}`);
    }
    checkArtifactPolicy(m, this.policy);
    await this.admission.check({ stage: "manifest", repositoryId: repo.id, namespaceId: repo.namespaceId });

    // Labels come from the config of a new image; a stored manifest keeps the labels it has (an API edit of
    // `quay.expires-after` included), and the new tag row expires after that label's duration.
    const stored = await this.writes.stored(repo.id, m.digest, EXPIRES_AFTER_LABEL);
    const labels = stored ? {} : await this.configLabels(m);
    const expiresAfter = stored ? stored.expiresAfter : labels[EXPIRES_AFTER_LABEL];
    const tag = byDigest ? null : reference;
    const event = tag
      ? withEventId({
          repository: `${repo.namespace.name}/${repo.name}`,
          namespace: repo.namespace.name,
          tags: [tag],
          digest: m.digest,
          pusher: actor(who).name,
        })
      : null;
    // One statement holding the repository's tag lock shared (garbage collection, holding it exclusively,
    // removes links and children) and the tag's own lock: the links are checked there, and the audit entry
    // and the push event's job records commit with the manifest, so there is never a push without its
    // record (or a record without its push). Its outbox rows follow the unit of work's contract.
    const r = await this.writes
      .push({
        repositoryId: repo.id,
        bytes,
        manifest: m,
        labels,
        tag,
        expiresAfterSeconds:
          this.pushLabels && expiresAfter
            ? expiresAfterSeconds(expiresAfter, this.pushLabels.clamp.min, this.pushLabels.clamp.max)
            : null,
        audit: repositoryEntry("push_repo", who, repo, { tag, manifest_digest: m.digest }, ip),
        event: event && { name: "repo_push", payload: event },
      })
      .catch(async (e: unknown) => {
        if ((e as { code?: string }).code !== QUOTA_EXCEEDED_SQLSTATE) throw e;
        const refusal = new DomainError("QUOTA_EXCEEDED", "Quota has been exceeded on namespace");
        await this.admission.refused(
          { stage: "manifest", repositoryId: repo.id, namespaceId: repo.namespaceId },
          refusal,
        );
        throw refusal;
      });
    const missing = r.missingBlob ?? r.missingChild;
    if (missing)
      throw new ContentError(
        "MANIFEST_BLOB_UNKNOWN",
        `${r.missingBlob ? "blob" : "manifest"} ${missing} is unknown to this repository`,
        { digest: missing },
      );
    await this.uow.committed(r.outbox, event ? ["push_repo", "repo_push"] : ["push_repo"], { wait: false });
    return {
      manifest: {
        id: r.manifestId,
        digest: m.digest,
        mediaType: m.mediaType,
        subjectDigest: m.subject?.digest ?? null,
      },
      parsed: m,
    };
  }

  /** Labels of a new image's config (none for other manifests). */
  private async configLabels(m: ParsedManifest): Promise<Record<string, string>> {
    if (!this.pushLabels || m.kind !== "image" || !m.config || !IMAGE_CONFIG_TYPES.has(m.config.mediaType))
      return {};
    return this.pushLabels.readConfigLabels(m.config.digest);
  }

  /** DELETE by tag ends the tag; by digest removes the manifest and every tag pointing at it. */
  async delete(principal: Principal, repo: RepositoryWithNamespace, reference: string, ip?: string | null) {
    await assertWritableBy(this.db, repo, principal);
    const by = { principal, ip };
    const byDigest = Boolean(parseDigest(reference));
    await this.uow.runLocked(repo.id, async (w, now) => {
      let tags: string[];
      if (!byDigest) {
        const r = await w.tx.tag.updateMany({
          where: { repositoryId: repo.id, name: reference, ...aliveAt(now) },
          data: { lifetimeEnd: now, expires: false },
        });
        if (!r.count) throw new ContentError("MANIFEST_UNKNOWN", "manifest unknown", { tag: reference });
        tags = [reference];
        w.auditRepo("delete_tag", by, repo, { tag: reference });
      } else {
        tags = await this.removeByDigest(w.tx, repo.id, reference, now);
        w.auditRepo("delete_manifest", by, repo, { digest: reference, tags });
      }
      if (tags.length)
        w.emit(
          "tag_deleted",
          {
            repository: `${repo.namespace.name}/${repo.name}`,
            namespace: repo.namespace.name,
            tags,
            performer: principalName(principal),
          },
          repo.id,
        );
    });
  }

  /** Removes a manifest with every tag row pointing at it; returns the names of the alive ones. */
  private async removeByDigest(tx: Tx, repositoryId: bigint, digest: string, now: Date): Promise<string[]> {
    const row = await tx.manifest.findUnique({ where: { repositoryId_digest: { repositoryId, digest } } });
    if (!row) throw new ContentError("MANIFEST_UNKNOWN", "manifest unknown", { digest });
    const parent = await tx.manifestChild.findFirst({
      where: { childId: row.id },
      include: { parent: { select: { digest: true } } },
    });
    if (parent)
      throw new ContentError(
        "MANIFEST_REFERENCED",
        `manifest is referenced by index ${parent.parent.digest}; delete the index first`,
      );
    const alive = await tx.tag.findMany({
      where: { manifestId: row.id, ...aliveAt(now) },
      select: { name: true },
    });
    // The manifest is gone for good, so its tag history cannot be restored either. A manifest held without
    // a tag (a referrer of a held subject) leaves the repository's size too, before its blob links go.
    await tx.tag.deleteMany({ where: { manifestId: row.id } });
    await tx.$executeRaw`SELECT hm_usage_release(ARRAY[${row.id}]::bigint[], true)`;
    await tx.manifest.delete({ where: { id: row.id } });
    return alive.map((t) => t.name);
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
