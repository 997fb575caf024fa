// Write side of tags: add, move, delete, restore from history (time machine), permanently remove a history
// entry, and expiration. Every change is one unit of work under the repository's tag lock with the database
// clock: the change, its audit entries (Quay's kind names) and its events commit together.
import { isValidTag, parseDigest } from "@hm/oci";
import type { Db } from "../infra/database.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
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
    private readonly access: Pick<RepositoryService, "require" | "requireWritable">,
    private readonly tags: TagService,
    private readonly uow: UnitOfWork,
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

  /** Creates a tag on a manifest. A tag already on that manifest is left alone; one elsewhere is a CONFLICT. */
  async addTag(
    p: Principal,
    repository: string,
    name: string,
    digest: string,
    ip?: string | null,
  ): Promise<TagChange> {
    this.checkName(name);
    const repo = await this.access.requireWritable(p, repository);
    const manifestId = await this.manifestId(repo, digest);
    await this.uow.runLocked(repo.id, async (w, now) => {
      const { tx } = w;
      const alive = await tx.tag.findFirst({ where: { repositoryId: repo.id, name, ...aliveAt(now) } });
      if (alive && alive.manifestId !== manifestId)
        throw conflict(`Tag ${name} already exists; move it instead`);
      if (await this.tags.retargetLocked(tx, now, repo.id, name, manifestId))
        w.auditRepo("create_tag", { principal: p, ip }, repo, { tag: name, manifest_digest: digest });
    });
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
    const repo = await this.access.requireWritable(p, repository);
    const manifestId = await this.manifestId(repo, digest);
    await this.uow.runLocked(repo.id, async (w, now) => {
      const { tx } = w;
      const alive = await tx.tag.findFirst({
        where: { repositoryId: repo.id, name, ...aliveAt(now) },
        include: { manifest: { select: { digest: true } } },
      });
      if (!alive) throw notFound(`Tag ${name}`);
      if (alive.manifestId === manifestId) return;
      await this.tags.retargetLocked(tx, now, repo.id, name, manifestId);
      w.auditRepo("move_tag", { principal: p, ip }, repo, {
        tag: name,
        manifest_digest: digest,
        original_manifest_digest: alive.manifest.digest,
      });
    });
    return { tag: name, manifestDigest: digest };
  }

  /** Quay's PUT of a tag: creates it on the manifest, or moves it there when it points elsewhere. */
  async setTag(p: Principal, repository: string, name: string, digest: string, ip?: string | null) {
    this.checkName(name);
    const repo = await this.access.requireWritable(p, repository);
    const manifestId = await this.manifestId(repo, digest);
    await this.uow.runLocked(repo.id, async (w, now) => {
      const alive = await w.tx.tag.findFirst({
        where: { repositoryId: repo.id, name, ...aliveAt(now) },
        include: { manifest: { select: { digest: true } } },
      });
      if (alive?.manifestId === manifestId) return;
      await this.tags.retargetLocked(w.tx, now, repo.id, name, manifestId);
      if (alive)
        w.auditRepo("move_tag", { principal: p, ip }, repo, {
          tag: name,
          manifest_digest: digest,
          original_manifest_digest: alive.manifest.digest,
        });
      else w.auditRepo("create_tag", { principal: p, ip }, repo, { tag: name, manifest_digest: digest });
    });
    return { tag: name, manifestDigest: digest };
  }

  /** Ends each named alive tag. Returns the names deleted; NOT_FOUND when none of them was alive. */
  async deleteTags(p: Principal, repository: string, names: string[], ip?: string | null): Promise<string[]> {
    if (!names.length) throw badInput("No tags given");
    const repo = await this.access.requireWritable(p, repository);
    return this.uow.runLocked(repo.id, async (w, now) => {
      const { tx } = w;
      const alive = await tx.tag.findMany({
        where: { repositoryId: repo.id, name: { in: [...new Set(names)] }, ...aliveAt(now) },
        include: { manifest: { select: { digest: true } } },
      });
      if (!alive.length) throw notFound(`Tag ${names.join(", ")}`);
      const ns = await tx.namespace.findUniqueOrThrow({
        where: { id: repo.namespaceId },
        select: { timeMachineSeconds: true },
      });
      // Without a time machine nothing can restore the row: it goes at once, and with it the space it held
      // (garbage collection removes the rows of a longer window once they leave it).
      if (ns.timeMachineSeconds === 0)
        await tx.tag.deleteMany({ where: { id: { in: alive.map((t) => t.id) } } });
      else
        await tx.tag.updateMany({
          where: { id: { in: alive.map((t) => t.id) } },
          data: { lifetimeEnd: now, expires: false },
        });
      for (const t of alive)
        w.auditRepo("delete_tag", { principal: p, ip }, repo, {
          tag: t.name,
          manifest_digest: t.manifest.digest,
        });
      w.emit(
        "tag_deleted",
        {
          repository: `${repo.namespace.name}/${repo.name}`,
          namespace: repo.namespace.name,
          tags: alive.map((t) => t.name),
          performer: principalName(p),
        },
        repo.id,
      );
      return alive.map((t) => t.name);
    });
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
    const repo = await this.access.requireWritable(p, repository);
    const ns = await this.db.namespace.findUniqueOrThrow({ where: { id: repo.namespaceId } });
    return this.uow.runLocked(repo.id, async (w, now) => {
      const { tx } = w;
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
      w.auditRepo("revert_tag", { principal: p, ip }, repo, {
        tag: entry.name,
        manifest_digest: entry.manifest.digest,
        original_manifest_digest: alive?.manifest.digest ?? null,
      });
      return { tag: entry.name, manifestDigest: entry.manifest.digest };
    });
  }

  /** Removes an ended history entry for good (repository admins): it can no longer be restored. */
  async purgeHistoryEntry(
    p: Principal,
    repository: string,
    entryId: bigint,
    ip?: string | null,
  ): Promise<void> {
    const repo = await this.access.requireWritable(p, repository, "admin");
    await this.uow.runLocked(repo.id, async (w, now) => {
      const { tx } = w;
      const row = await tx.tag.findFirst({
        where: { id: entryId, repositoryId: repo.id },
        include: { manifest: { select: { digest: true } } },
      });
      if (!row) throw notFound("Tag history entry");
      if (!row.lifetimeEnd || row.lifetimeEnd > now)
        throw badInput(`Tag ${row.name} is alive; delete it before removing it from history`);
      await tx.tag.delete({ where: { id: row.id } });
      w.auditRepo("permanently_delete_tag", { principal: p, ip }, repo, {
        tag: row.name,
        manifest_digest: row.manifest.digest,
      });
    });
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
    const repo = await this.access.requireWritable(p, repository);
    return this.uow.runLocked(repo.id, async (w, now) => {
      const { tx } = w;
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
      if (!alive.length) throw notFound(`Tag ${names.join(", ")}`);
      for (const t of alive)
        w.auditRepo("change_tag_expiration", { principal: p, ip }, repo, {
          tag: t.name,
          expiration_date: expiresAt?.toISOString() ?? null,
          old_expiration_date: t.lifetimeEnd?.toISOString() ?? null,
        });
      return alive.map((t) => t.name);
    });
  }
}
