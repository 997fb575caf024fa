// Manifest labels. Labels read from the image config at push time have source "manifest" and are read-only;
// labels added through the API have source "api". `quay.expires-after` sets the expiration of the tags
// pointing at the manifest, from a push or from the API, as in Quay.
import type { Db } from "../infra/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { Caller, UnitOfWork, Work } from "../events/unit-of-work.js";
import { badInput, forbidden, notFound } from "../common/errors.js";
import { checkLabel, EXPIRES_AFTER_LABEL, expiresAfterSeconds, type LabelInput } from "./manifest-labels.js";
import type { Principal } from "../access/principal.js";
import type { RepositoryService } from "./repositories.js";
import type { RepositoryWithNamespace } from "./repositories.js";
import { aliveAt } from "../tags/history.js";

type Tx = Prisma.TransactionClient;

export interface LabelView {
  id: bigint;
  key: string;
  value: string;
  mediaType: string;
  source: "manifest" | "api";
  createdAt: Date;
}

export interface ExpirationClamp {
  min: number;
  max: number;
}

export const labelView = (l: LabelView): LabelView => ({
  id: l.id,
  key: l.key,
  value: l.value,
  mediaType: l.mediaType,
  source: l.source,
  createdAt: l.createdAt,
});

/**
 * Applies `quay.expires-after` to the alive tags of a manifest: each expires at its start plus the clamped
 * duration. Returns the names changed.
 */
export async function applyExpiresAfter(
  tx: Tx,
  now: Date,
  manifestId: bigint,
  value: string,
  clamp: ExpirationClamp,
): Promise<string[]> {
  const seconds = expiresAfterSeconds(value, clamp.min, clamp.max);
  if (seconds === null) return [];
  const tags = await tx.tag.findMany({ where: { manifestId, ...aliveAt(now) } });
  for (const t of tags) {
    const end = new Date(t.lifetimeStart.getTime() + seconds * 1000);
    await tx.tag.update({ where: { id: t.id }, data: { lifetimeEnd: end, expires: true } });
  }
  return tags.map((t) => t.name);
}

export class LabelService {
  constructor(
    private readonly db: Db,
    private readonly access: Pick<RepositoryService, "require" | "requireWritable">,
    private readonly uow: UnitOfWork,
    private readonly clamp: ExpirationClamp,
  ) {}

  private async manifest(repo: RepositoryWithNamespace, digest: string) {
    const m = await this.db.manifest.findUnique({
      where: { repositoryId_digest: { repositoryId: repo.id, digest } },
      select: { id: true, digest: true },
    });
    if (!m) throw notFound(`Manifest ${digest}`);
    return m;
  }

  /** The manifest's labels; with `prefix`, those whose key starts with it. */
  async list(p: Principal, repository: string, digest: string, prefix?: string | null): Promise<LabelView[]> {
    const repo = await this.access.require(p, repository, "read");
    const m = await this.manifest(repo, digest);
    const rows = await this.db.label.findMany({
      where: { manifestId: m.id, ...(prefix ? { key: { startsWith: prefix } } : {}) },
      orderBy: { id: "asc" },
    });
    return rows.map(labelView);
  }

  async get(p: Principal, repository: string, digest: string, labelId: bigint): Promise<LabelView> {
    const repo = await this.access.require(p, repository, "read");
    const m = await this.manifest(repo, digest);
    const row = await this.db.label.findFirst({ where: { id: labelId, manifestId: m.id } });
    if (!row) throw notFound(`Label ${labelId}`);
    return labelView(row);
  }

  /** `input` is `key=value`, or the key, value and media type apart (Quay's API). */
  async add(
    p: Principal,
    repository: string,
    digest: string,
    input: string | LabelInput,
    ip?: string | null,
  ) {
    const { key, value, mediaType } = checkLabel(input);
    const repo = await this.access.requireWritable(p, repository);
    const m = await this.manifest(repo, digest);
    const label = await this.uow.runLocked(repo.id, async (w, now) => {
      const row = await w.tx.label.create({
        data: { manifestId: m.id, key, value, mediaType, source: "api" },
      });
      if (key === EXPIRES_AFTER_LABEL) await applyExpiresAfter(w.tx, now, m.id, value, this.clamp);
      record(w, { principal: p, ip }, repo, "manifest_label_add", m.digest, row);
      return row;
    });
    return labelView(label);
  }

  /** Replaces an API label's key and value. Labels from the image itself cannot be edited. */
  async edit(
    p: Principal,
    repository: string,
    digest: string,
    labelId: bigint,
    input: string,
    ip?: string | null,
  ) {
    const { key, value, mediaType } = checkLabel(input);
    const repo = await this.access.requireWritable(p, repository);
    const m = await this.manifest(repo, digest);
    const old = await this.editable(m.id, labelId);
    const label = await this.uow.runLocked(repo.id, async (w, now) => {
      const row = await w.tx.label.update({ where: { id: old.id }, data: { key, value, mediaType } });
      if (key === EXPIRES_AFTER_LABEL) await applyExpiresAfter(w.tx, now, m.id, value, this.clamp);
      record(w, { principal: p, ip }, repo, "manifest_label_delete", m.digest, old);
      record(w, { principal: p, ip }, repo, "manifest_label_add", m.digest, row);
      return row;
    });
    return labelView(label);
  }

  async remove(p: Principal, repository: string, digest: string, labelId: bigint, ip?: string | null) {
    const repo = await this.access.requireWritable(p, repository);
    const m = await this.manifest(repo, digest);
    const old = await this.editable(m.id, labelId);
    await this.uow.run(async (w) => {
      await w.tx.label.delete({ where: { id: old.id } });
      record(w, { principal: p, ip }, repo, "manifest_label_delete", m.digest, old);
    });
  }

  private async editable(manifestId: bigint, labelId: bigint) {
    if (typeof labelId !== "bigint") throw badInput("Invalid label id");
    const label = await this.db.label.findFirst({ where: { id: labelId, manifestId } });
    if (!label) throw notFound(`Label ${labelId}`);
    if (label.source === "manifest") {
      throw forbidden(
        "Labels from the image manifest are read-only; only labels added through the API can change",
      );
    }
    return label;
  }
}

function record(
  w: Work,
  by: Caller,
  repo: RepositoryWithNamespace,
  kind: "manifest_label_add" | "manifest_label_delete",
  digest: string,
  l: { id: bigint; key: string; value: string },
) {
  w.auditRepo(kind, by, repo, { manifest_digest: digest, id: l.id.toString(), key: l.key, value: l.value });
}
