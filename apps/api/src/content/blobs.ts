// Blobs and upload sessions. A blob row exists only after its file is verified and in place; a repository
// may read a blob only once it is linked to it (uploaded or mounted there).
import crypto from "node:crypto";
import type { Readable } from "node:stream";
import type { SendableBody } from "@hm/oci";
import type { Db } from "../infra/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import { DigestMismatchError, UploadOffsetError, type BlobStore } from "../storage/blob-store.js";
import type { Admission } from "./admission.js";
import type { BlobWrites } from "./blob-writes.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import { BlobUnknownError, UploadUnknownError } from "./errors.js";

export { BlobUnknownError, UploadUnknownError, DigestMismatchError, UploadOffsetError };

type Tx = Prisma.TransactionClient;

/**
 * Advisory lock class for one blob digest (two-key form, apart from the repository tag locks). Uploads and
 * mounts hold it shared while they put a blob's file, row and link in place; garbage collection holds it
 * exclusively while it re-checks, deletes the row and then the file. See operations/gc.ts.
 */
export const BLOB_LOCK_CLASS = 0x626c6f62; // "blob"

interface RepoCtx {
  id: bigint;
  namespaceId: bigint;
}

export class BlobService {
  constructor(
    private readonly db: Db,
    private readonly store: BlobStore,
    private readonly admission: Admission,
    private readonly graceSeconds: number,
    private readonly writes: BlobWrites,
    private readonly uow: UnitOfWork,
  ) {}

  private protectedUntil() {
    return new Date(Date.now() + this.graceSeconds * 1000);
  }

  /** The blob if it is linked to the repository and present in storage. */
  async statInRepo(repositoryId: bigint, digest: string) {
    const link = await this.db.repositoryBlob.findFirst({
      where: { repositoryId, blob: { digest } },
      include: { blob: true },
    });
    return link?.blob ?? null;
  }

  async open(digest: string, range?: { start: number; end: number }): Promise<Readable | SendableBody> {
    return this.store.read(digest, range);
  }

  /** Runs `fn` in a transaction holding the digest's lock shared (many pushes at once, never during GC). */
  private withBlobShared<T>(digest: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(${BLOB_LOCK_CLASS}::int, hashtext(${digest}))`;
        return fn(tx);
      },
      { timeout: 15 * 60_000, maxWait: 60_000 },
    );
  }

  private async linkIn(tx: Tx, repositoryId: bigint, blobId: bigint): Promise<void> {
    const protectedUntil = this.protectedUntil();
    await tx.repositoryBlob.upsert({
      where: { repositoryId_blobId: { repositoryId, blobId } },
      create: { repositoryId, blobId, protectedUntil },
      update: { protectedUntil },
    });
  }

  /**
   * Removes the repository's link to a blob, holding the repository's tag lock exclusively as garbage
   * collection does: a manifest push (holding it shared) relies on the links it has checked staying put.
   */
  async unlink(repositoryId: bigint, digest: string): Promise<boolean> {
    return this.uow.runLocked(repositoryId, async ({ tx }) => {
      const r = await tx.repositoryBlob.deleteMany({ where: { repositoryId, blob: { digest } } });
      return r.count > 0;
    });
  }

  /** Links a blob that `sourceRepositoryIds` hold into the target; null when none holds it. */
  async mount(target: RepoCtx, digest: string, sourceRepositoryIds: bigint[]) {
    return this.withBlobShared(digest, async (tx) => {
      const link = await tx.repositoryBlob.findFirst({
        where: { repositoryId: { in: sourceRepositoryIds }, blob: { digest } },
        include: { blob: true },
      });
      if (!link || (await this.store.stat(digest)) === null) return null;
      await this.linkIn(tx, target.id, link.blobId);
      return link.blob;
    });
  }

  /** Repositories holding the blob (for mounts without `from`). */
  async holders(digest: string): Promise<bigint[]> {
    const rows = await this.db.repositoryBlob.findMany({
      where: { blob: { digest } },
      select: { repositoryId: true },
      take: 50,
    });
    return rows.map((r) => r.repositoryId);
  }

  async startUpload(repo: RepoCtx) {
    await this.admission.check({
      stage: "upload_start",
      repositoryId: repo.id,
      namespaceId: repo.namespaceId,
    });
    const id = crypto.randomUUID();
    await this.writes.createSession(id, repo.id);
    await this.store.createUpload(id);
    return { id, size: 0 };
  }

  private async session(repo: RepoCtx, id: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new UploadUnknownError();
    if ((await this.writes.sessionRepository(id)) !== repo.id) throw new UploadUnknownError();
  }

  /** `declaredBytes` (Content-Length, when the client sent one) lets admission refuse before reading. */
  async appendUpload(
    repo: RepoCtx,
    id: string,
    body: Readable,
    expectedOffset?: number,
    declaredBytes?: number,
  ) {
    await this.session(repo, id);
    return this.append(repo, id, body, expectedOffset, declaredBytes);
  }

  /** The session's scratch file records its activity (mtime), so a chunk writes no row. */
  private async append(
    repo: RepoCtx,
    id: string,
    body: Readable,
    expectedOffset?: number,
    declaredBytes?: number,
  ) {
    await this.admission.check({
      stage: "chunk",
      repositoryId: repo.id,
      namespaceId: repo.namespaceId,
      bytes: declaredBytes,
    });
    const size = await this.store.appendUpload(id, body, expectedOffset);
    return { id, size };
  }

  async uploadStatus(repo: RepoCtx, id: string) {
    await this.session(repo, id);
    const size = await this.store.uploadSize(id);
    if (size === null) throw new UploadUnknownError();
    return { id, size };
  }

  async finishUpload(repo: RepoCtx, id: string, digest: string, body?: Readable, declaredBytes?: number) {
    await this.session(repo, id);
    if (body) await this.append(repo, id, body, undefined, declaredBytes);
    return this.commit(repo, id, digest);
  }

  private async commit(repo: RepoCtx, id: string, digest: string) {
    try {
      // File, row and link appear together under the digest's shared lock, so garbage collection never
      // sees the row without its link, nor deletes a file this upload has just put in place.
      return await this.store.commitUpload(id, digest, (size, place) =>
        this.writes.finish(id, repo.id, digest, size, this.protectedUntil(), place),
      );
    } catch (e) {
      if (e instanceof DigestMismatchError) await this.cancelUpload(repo, id); // nothing of a bad upload is kept
      throw e;
    }
  }

  async putBlob(repo: RepoCtx, digest: string, body: Readable, declaredBytes?: number) {
    const { id } = await this.startUpload(repo);
    try {
      return await this.finishUpload(repo, id, digest, body, declaredBytes);
    } catch (e) {
      await this.cancelUpload(repo, id).catch(() => {});
      throw e;
    }
  }

  /**
   * An upload the server makes itself (the proxy cache storing what it fetches): the session is opened at
   * once, before the bytes are there, and its appends and commit skip the checks a client's requests need
   * (its session, its chunks' admission), so no round trip stands between the first byte and the disk.
   */
  async serverUpload(repo: RepoCtx) {
    const { id } = await this.startUpload(repo);
    return {
      append: (body: Readable) => this.store.appendUpload(id, body),
      commit: (digest: string) => this.commit(repo, id, digest),
      cancel: () => this.cancelUpload(repo, id),
    };
  }

  async cancelUpload(repo: RepoCtx, id: string) {
    await this.session(repo, id);
    await this.store.deleteUpload(id);
    await this.writes.deleteSession(id);
  }

  /**
   * Removes upload sessions idle for `ttlSeconds`: started before then and with no chunk since (the scratch
   * file's mtime), rows and files; then scratch files whose row is gone (a crash between the two writes).
   */
  async cleanupUploads(ttlSeconds: number): Promise<{ sessions: number; files: number }> {
    const before = new Date(Date.now() - ttlSeconds * 1000);
    const idleFiles = new Set(await this.store.staleUploads(before));
    const old = await this.db.upload.findMany({ where: { createdAt: { lt: before } }, select: { id: true } });
    const stale: string[] = [];
    for (const u of old)
      if (idleFiles.has(u.id) || (await this.store.uploadSize(u.id)) === null) stale.push(u.id);
    for (const id of stale) await this.store.deleteUpload(id);
    await this.db.upload.deleteMany({ where: { id: { in: stale } } });
    let files = 0;
    for (const id of idleFiles) {
      if (stale.includes(id)) continue;
      if (!(await this.db.upload.findUnique({ where: { id } }))) {
        await this.store.deleteUpload(id);
        files++;
      }
    }
    return { sessions: stale.length, files };
  }
}
