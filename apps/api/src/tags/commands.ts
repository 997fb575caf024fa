// Write side of tags: add, move, delete, restore from history (time machine), permanently remove a history
// entry, and expiration. Every change runs under the repository's tag lock with the database clock, is
// audited with Quay's kind names, and emits the catalogue's events.
import { isValidTag, parseDigest } from "@hm/oci";
import type { Db } from "../infra/database.js";
import type { JobSystem } from "../jobs/job-system.js";
import type { AuditService } from "../audit/writer.js";
import { badInput, conflict, notFound } from "../common/errors.js";
import { principalName, type Principal } from "../access/principal.js";
import type { RepositoryService } from "../content/repositories.js";
import type { RepositoryWithNamespace } from "../content/repositories.js";
import { aliveAt, type TagService } from "./history.js";

export interface TagChange {
  tag: string;
  manifestDigest: string;
}

/** Restore either a history entry (by id) or "this tag back to this manifest" as Quay's API does. */
export type RestoreTarget = { entryId: bigint } | { tag: string; manifestDigest: string };

export class TagCommandService {
  constructor(
    private readonly db: Db,
    private readonly access: Pick<RepositoryService, "require">,
    private readonly tags: TagService,
    private readonly audit: AuditService,
    private readonly jobs: JobSystem,
    private readonly maxExpirationSeconds: number,
  ) {}

  private checkName(name: string) {
    if (!isValidTag(name)) throw badInput(`Invalid tag name: ${name}`);
  }

  private async manifestId(repo: RepositoryWithNamespace, digest: string) {
    if (!parseDigest(digest)) throw badInput(`Invalid digest: ${digest}`);
    const m = await this.db.manifest.findUnique({
      where: { repositoryId_digest: { repositoryId: repo.id, digest } },
      select: { id: true },
    });
    if (!m) throw notFound(`Manifest ${digest}`);
    return m.id;
  }

  private log(
    p: Principal,
    repo: RepositoryWithNamespace,
    kind: string,
    meta: Record<string, unknown>,
    ip?: string | null,
  ) {
    return this.audit.recordForRepository(kind, p, repo, meta, ip);
  }

  /** Creates a tag on a manifest. A tag already on that manifest is left alone; one elsewhere is a CONFLICT. */
  async addTag(
    p: Principal,
    repository: string,
    name: string,
    digest: string,
    ip?: string | null,
  ): Promise<TagChange> {
    this.checkName(name);
    const repo = await this.access.require(p, repository, "write");
    const manifestId = await this.manifestId(repo, digest);
    const changed = await this.tags.withRepoLock(repo.id, async (tx, now) => {
      const alive = await tx.tag.findFirst({ where: { repositoryId: repo.id, name, ...aliveAt(now) } });
      if (alive && alive.manifestId !== manifestId)
        throw conflict(`Tag ${name} already exists; move it instead`);
      return this.tags.retargetLocked(tx, now, repo.id, name, manifestId);
    });
    if (changed) await this.log(p, repo, "create_tag", { tag: name, manifest_digest: digest }, ip);
    return { tag: name, manifestDigest: digest };
  }

  /** Points an existing tag at another manifest; the history shows the move. */
  async moveTag(
    p: Principal,
    repository: string,
    name: string,
    digest: string,
    ip?: string | null,
  ): Promise<TagChange> {
    this.checkName(name);
    const repo = await this.access.require(p, repository, "write");
    const manifestId = await this.manifestId(repo, digest);
    const from = await this.tags.withRepoLock(repo.id, async (tx, now) => {
      const alive = await tx.tag.findFirst({
        where: { repositoryId: repo.id, name, ...aliveAt(now) },
        include: { manifest: { select: { digest: true } } },
      });
      if (!alive) throw notFound(`Tag ${name}`);
      if (alive.manifestId === manifestId) return null;
      await this.tags.retargetLocked(tx, now, repo.id, name, manifestId);
      return alive.manifest.digest;
    });
    if (from) {
      await this.log(
        p,
        repo,
        "move_tag",
        { tag: name, manifest_digest: digest, original_manifest_digest: from },
        ip,
      );
    }
    return { tag: name, manifestDigest: digest };
  }

  /** Ends each named alive tag. Returns the names deleted; NOT_FOUND when none of them was alive. */
  async deleteTags(p: Principal, repository: string, names: string[], ip?: string | null): Promise<string[]> {
    if (!names.length) throw badInput("No tags given");
    const repo = await this.access.require(p, repository, "write");
    const deleted = await this.tags.withRepoLock(repo.id, async (tx, now) => {
      const alive = await tx.tag.findMany({
        where: { repositoryId: repo.id, name: { in: [...new Set(names)] }, ...aliveAt(now) },
        include: { manifest: { select: { digest: true } } },
      });
      await tx.tag.updateMany({
        where: { id: { in: alive.map((t) => t.id) } },
        data: { lifetimeEnd: now, expires: false },
      });
      return alive.map((t) => ({ name: t.name, digest: t.manifest.digest }));
    });
    if (!deleted.length) throw notFound(`Tag ${names.join(", ")}`);
    for (const t of deleted)
      await this.log(p, repo, "delete_tag", { tag: t.name, manifest_digest: t.digest }, ip);
    await this.jobs.emit("tag_deleted", {
      repository: `${repo.namespace.name}/${repo.name}`,
      namespace: repo.namespace.name,
      tags: deleted.map((t) => t.name),
      performer: principalName(p),
    });
    return deleted.map((t) => t.name);
  }

  /**
   * Makes the tag point again at the entry's manifest (ending whatever it points at now), provided the entry
   * ended no longer ago than the namespace's time-machine window.
   */
  async restoreTag(
    p: Principal,
    repository: string,
    target: RestoreTarget,
    ip?: string | null,
  ): Promise<TagChange> {
    const repo = await this.access.require(p, repository, "write");
    const ns = await this.db.namespace.findUniqueOrThrow({ where: { id: repo.namespaceId } });
    const result = await this.tags.withRepoLock(repo.id, async (tx, now) => {
      const cutoff = new Date(now.getTime() - ns.timeMachineSeconds * 1000);
      const entry = await tx.tag.findFirst({
        where: {
          repositoryId: repo.id,
          hidden: false,
          ...("entryId" in target
            ? { id: target.entryId }
            : { name: target.tag, manifest: { digest: target.manifestDigest } }),
          lifetimeEnd: { not: null, lte: now },
        },
        orderBy: { lifetimeEnd: "desc" },
        include: { manifest: { select: { digest: true } } },
      });
      if (!entry) throw notFound("Tag history entry");
      if (entry.lifetimeEnd! <= cutoff)
        throw badInput(
          `Tag ${entry.name} can no longer be restored: it ended before the time-machine window`,
        );
      const alive = await tx.tag.findFirst({
        where: { repositoryId: repo.id, name: entry.name, ...aliveAt(now) },
        include: { manifest: { select: { digest: true } } },
      });
      if (alive?.manifestId === entry.manifestId)
        throw conflict(`Tag ${entry.name} already points at ${entry.manifest.digest}`);
      await this.tags.retargetLocked(tx, now, repo.id, entry.name, entry.manifestId, { restored: true });
      return { tag: entry.name, manifestDigest: entry.manifest.digest, from: alive?.manifest.digest ?? null };
    });
    await this.log(
      p,
      repo,
      "revert_tag",
      { tag: result.tag, manifest_digest: result.manifestDigest, original_manifest_digest: result.from },
      ip,
    );
    return { tag: result.tag, manifestDigest: result.manifestDigest };
  }

  /** Removes an ended history entry for good (repository admins): it can no longer be restored. */
  async purgeHistoryEntry(
    p: Principal,
    repository: string,
    entryId: bigint,
    ip?: string | null,
  ): Promise<void> {
    const repo = await this.access.require(p, repository, "admin");
    const entry = await this.tags.withRepoLock(repo.id, async (tx, now) => {
      const row = await tx.tag.findFirst({
        where: { id: entryId, repositoryId: repo.id },
        include: { manifest: { select: { digest: true } } },
      });
      if (!row) throw notFound("Tag history entry");
      if (!row.lifetimeEnd || row.lifetimeEnd > now)
        throw badInput(`Tag ${row.name} is alive; delete it before removing it from history`);
      await tx.tag.delete({ where: { id: row.id } });
      return row;
    });
    await this.log(
      p,
      repo,
      "permanently_delete_tag",
      { tag: entry.name, manifest_digest: entry.manifest.digest },
      ip,
    );
  }

  /**
   * Sets (a future time) or clears (null) the expiration of each named alive tag. Returns the names changed;
   * NOT_FOUND when none of them is alive.
   */
  async setExpiration(
    p: Principal,
    repository: string,
    names: string[],
    expiresAt: Date | null,
    ip?: string | null,
  ): Promise<string[]> {
    if (!names.length) throw badInput("No tags given");
    if (expiresAt !== null && !(expiresAt instanceof Date && Number.isFinite(expiresAt.getTime())))
      throw badInput("Invalid expiration date");
    const repo = await this.access.require(p, repository, "write");
    const changed = await this.tags.withRepoLock(repo.id, async (tx, now) => {
      if (expiresAt && expiresAt <= now) throw badInput("Expiration must be in the future");
      if (expiresAt && expiresAt.getTime() - now.getTime() > this.maxExpirationSeconds * 1000)
        throw badInput(`Expiration must be within ${Math.floor(this.maxExpirationSeconds / 86400)} days`);
      const alive = await tx.tag.findMany({
        where: { repositoryId: repo.id, name: { in: [...new Set(names)] }, ...aliveAt(now) },
      });
      await tx.tag.updateMany({
        where: { id: { in: alive.map((t) => t.id) } },
        data: { lifetimeEnd: expiresAt, expires: expiresAt !== null, expiryNotified: false },
      });
      return alive;
    });
    if (!changed.length) throw notFound(`Tag ${names.join(", ")}`);
    for (const t of changed) {
      await this.log(
        p,
        repo,
        "change_tag_expiration",
        {
          tag: t.name,
          expiration_date: expiresAt?.toISOString() ?? null,
          old_expiration_date: t.lifetimeEnd?.toISOString() ?? null,
        },
        ip,
      );
    }
    return changed.map((t) => t.name);
  }
}
