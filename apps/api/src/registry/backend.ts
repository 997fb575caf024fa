// The RegistryBackend that packages/oci's router calls: resolves repositories and delegates every rule
// to the domain services, translating domain errors into distribution error codes.
import type { Readable } from "node:stream";
import pg from "pg";
import {
  OciError,
  isOciError,
  type Access,
  type BlobInfo,
  type ByteRange,
  type RegistryBackend,
  type SendableBody,
} from "@hm/oci";
import type { Db } from "../infra/database.js";
import type { AccountService } from "../tenancy/accounts.js";
import type { AuditService, Actor } from "../audit/writer.js";
import type { AuthzService } from "../access/authz.js";
import {
  BlobUnknownError,
  DigestMismatchError,
  UploadOffsetError,
  UploadUnknownError,
  type BlobService,
} from "../content/blobs.js";
import { DomainError } from "../common/errors.js";
import type { ManifestService } from "../content/manifests.js";
import { ANONYMOUS, type Principal } from "../access/principal.js";
import type { RepositoryService, RepositoryWithNamespace } from "../content/repositories.js";
import type { TagService } from "../tags/history.js";
import type { RegistryAccess } from "./authenticator.js";
import type { RegistryLookups } from "../content/registry-lookups.js";

export interface BackendDeps {
  db: Db;
  accounts: AccountService;
  authz: AuthzService;
  repos: RepositoryService;
  blobs: BlobService;
  manifests: ManifestService;
  tags: TagService;
  audit: AuditService;
  /** The per-request lookups (repository, manifest, linked blob) as prepared statements. */
  lookups: RegistryLookups;
}

/** Maps domain and storage failures to the protocol's error codes. */
export function toOciError(e: unknown): unknown {
  if (isOciError(e)) return e;
  if (e instanceof DigestMismatchError)
    return new OciError("DIGEST_INVALID", e.message, { expected: e.expected, actual: e.actual });
  if (e instanceof UploadOffsetError)
    return new OciError("BLOB_UPLOAD_INVALID", e.message, { size: e.actual }, 416);
  if (e instanceof UploadUnknownError) return new OciError("BLOB_UPLOAD_UNKNOWN");
  if (e instanceof BlobUnknownError) return new OciError("BLOB_UNKNOWN", e.message);
  if (e instanceof DomainError) {
    switch (e.code) {
      case "QUOTA_EXCEEDED":
      case "FORBIDDEN":
        return new OciError("DENIED", e.message);
      case "NOT_FOUND":
        return new OciError("NAME_UNKNOWN", e.message);
      case "BAD_USER_INPUT":
        return new OciError("NAME_INVALID", e.message);
      case "UNAUTHENTICATED":
        return new OciError("UNAUTHORIZED", e.message);
      case "CONFLICT":
        return new OciError("DENIED", e.message, undefined, 409);
    }
  }
  const code = (e as { code?: string })?.code;
  // A row this request depended on was deleted meanwhile (the repository, or its upload session, removed
  // by a concurrent delete): the protocol's answer is "unknown", not a server error.
  const prismaGone =
    (e as Error)?.name === "PrismaClientKnownRequestError" && (code === "P2003" || code === "P2025");
  // The same through the prepared statements of the hot paths: pg's foreign_key_violation.
  const pgGone = e instanceof pg.DatabaseError && code === "23503";
  if (prismaGone || pgGone) {
    return new OciError("NAME_UNKNOWN", "the repository or upload was deleted while this request ran");
  }
  if (code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ECONNABORTED") {
    return new OciError("BLOB_UPLOAD_INVALID", "upload interrupted");
  }
  return e;
}

function wrap<T extends object>(target: T): T {
  for (const key of Object.getOwnPropertyNames(Object.getPrototypeOf(target))) {
    const fn = (target as Record<string, unknown>)[key];
    if (key === "constructor" || typeof fn !== "function") continue;
    (target as Record<string, unknown>)[key] = async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => unknown).apply(target, args);
      } catch (e) {
        throw toOciError(e);
      }
    };
  }
  return target;
}

const declared = (body: Readable): number | undefined => {
  const v = Number((body as unknown as { headers?: Record<string, string> }).headers?.["content-length"]);
  return Number.isFinite(v) ? v : undefined;
};

function actor(access: Access): Actor {
  const ctx = (access as RegistryAccess).ctx ?? "a";
  return { name: access.subject, id: ctx === "a" ? null : BigInt(ctx.slice(2)) };
}

class Backend implements RegistryBackend {
  constructor(private readonly d: BackendDeps) {}

  private async principal(access: Access): Promise<Principal> {
    const ctx = (access as RegistryAccess).ctx ?? "a";
    if (ctx.startsWith("u:")) {
      const user = await this.d.lookups.user(BigInt(ctx.slice(2)));
      if (user?.enabled) return this.d.accounts.toPrincipal(user);
    } else if (ctx.startsWith("r:")) {
      const robot = await this.d.lookups.robot(BigInt(ctx.slice(2)));
      if (robot)
        return {
          kind: "robot",
          robotId: robot.id,
          name: robot.name,
          namespaceId: robot.namespaceId,
          namespace: robot.namespace,
        };
    }
    return ANONYMOUS;
  }

  private async repo(name: string): Promise<RepositoryWithNamespace> {
    const r = await this.d.lookups.repository(name);
    if (!r) throw new OciError("NAME_UNKNOWN", `repository ${name} not found`);
    return r;
  }

  private async pushTarget(name: string, access: Access): Promise<RepositoryWithNamespace> {
    const existing = await this.d.lookups.repository(name);
    if (existing) {
      if (existing.state !== "normal")
        throw new OciError("DENIED", `repository is ${existing.state.replace("_", "-")}`);
      return existing;
    }
    return this.d.repos.findOrCreateForPush(await this.principal(access), name, access.ip);
  }

  async statBlob(repo: string, digest: string): Promise<BlobInfo | null> {
    const b = await this.d.lookups.linkedBlob(repo, digest);
    return b ? { digest: b.digest, size: Number(b.size) } : null;
  }

  async openBlob(
    _repo: string,
    digest: string,
    range: ByteRange | undefined,
  ): Promise<Readable | SendableBody> {
    try {
      return await this.d.blobs.open(digest, range);
    } catch {
      throw new BlobUnknownError(digest);
    }
  }

  async deleteBlob(repo: string, digest: string): Promise<void> {
    const r = await this.repo(repo);
    if (!(await this.d.blobs.unlink(r.id, digest))) throw new BlobUnknownError(digest);
  }

  async mountBlob(
    repo: string,
    digest: string,
    from: string | undefined,
    access: Access,
  ): Promise<BlobInfo | null> {
    let sources: bigint[];
    if (from) {
      const src = await this.d.repos.find(from);
      if (!src) return null;
      const principal = await this.principal(access);
      if (!(await this.d.authz.repoAllows(principal, src, "read"))) return null;
      sources = [src.id];
    } else {
      // No `from`: look among the repositories holding the blob for one the caller may read.
      const principal = await this.principal(access);
      const holders = await this.d.db.repository.findMany({
        where: { id: { in: await this.d.blobs.holders(digest) } },
      });
      sources = [];
      for (const h of holders) if (await this.d.authz.repoAllows(principal, h, "read")) sources.push(h.id);
      if (!sources.length) return null;
    }
    const target = await this.pushTarget(repo, access);
    const b = await this.d.blobs.mount(target, digest, sources);
    return b ? { digest: b.digest, size: Number(b.size) } : null;
  }

  async startUpload(repo: string, access: Access) {
    return this.d.blobs.startUpload(await this.pushTarget(repo, access));
  }

  async appendUpload(repo: string, id: string, body: Readable, expectedOffset: number | undefined) {
    return this.d.blobs.appendUpload(await this.repo(repo), id, body, expectedOffset, declared(body));
  }

  async uploadStatus(repo: string, id: string) {
    return this.d.blobs.uploadStatus(await this.repo(repo), id);
  }

  async finishUpload(repo: string, id: string, digest: string, body: Readable | undefined) {
    const b = await this.d.blobs.finishUpload(
      await this.repo(repo),
      id,
      digest,
      body,
      body ? declared(body) : undefined,
    );
    return { digest: b.digest, size: Number(b.size) };
  }

  async cancelUpload(repo: string, id: string) {
    await this.d.blobs.cancelUpload(await this.repo(repo), id);
  }

  async putBlob(repo: string, digest: string, body: Readable, access: Access) {
    const b = await this.d.blobs.putBlob(await this.pushTarget(repo, access), digest, body, declared(body));
    return { digest: b.digest, size: Number(b.size) };
  }

  async getManifest(repo: string, reference: string, access: Access) {
    const m = await this.d.lookups.manifest(repo, reference);
    if (!m) return null;
    const slash = repo.indexOf("/");
    this.d.audit.recordInBackground({
      kind: "pull_repo",
      principal: actor(access),
      ip: access.ip,
      namespaceId: m.namespaceId,
      repositoryId: m.repositoryId,
      metadata: {
        repo: repo.slice(slash + 1),
        namespace: repo.slice(0, slash),
        ...(reference.includes(":") ? { manifest_digest: reference } : { tag: reference }),
      },
    });
    return {
      digest: m.digest,
      mediaType: m.mediaType,
      bytes: m.bytes,
      subjectDigest: m.subjectDigest,
    };
  }

  async putManifest(repo: string, reference: string, bytes: Buffer, contentType: string, access: Access) {
    const target = await this.pushTarget(repo, access);
    const { manifest } = await this.d.manifests.put(
      actor(access),
      target,
      reference,
      bytes,
      contentType,
      access.ip,
    );
    return {
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      bytes,
      subjectDigest: manifest.subjectDigest,
    };
  }

  async deleteManifest(repo: string, reference: string, access: Access) {
    await this.d.manifests.delete(await this.principal(access), await this.repo(repo), reference, access.ip);
  }

  async listTags(repo: string, n: number | undefined, last: string | undefined) {
    return this.d.lookups.tagNames((await this.repo(repo)).id, n, last);
  }

  async listReferrers(repo: string, digest: string, artifactType: string | undefined) {
    return this.d.manifests.referrers((await this.repo(repo)).id, digest, artifactType);
  }

  async catalog(n: number | undefined, last: string | undefined, access: Access) {
    return this.d.repos.listVisibleNames(await this.principal(access), n ?? 100, last);
  }
}

export function createRegistryBackend(deps: BackendDeps): RegistryBackend {
  return wrap(new Backend(deps));
}
