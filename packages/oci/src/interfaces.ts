// What the /v2 router needs from the outside world: three small interfaces, injected.
import type { Readable, Writable } from "node:stream";
import type { Request } from "express";

export type Action = "pull" | "push" | "delete";

/** The caller as far as the registry protocol is concerned. */
export interface Access {
  /** Username, `ns+robot`, or null for anonymous. */
  subject: string | null;
  /** The client's address, for audit entries. */
  ip?: string | null;
  can(repository: string, action: Action): boolean;
}

export interface Authenticator {
  /**
   * Resolves credentials (Bearer token, or Basic for scripts) into the caller's access. `repository` and
   * `actions` say what the route needs, so Basic credentials can be narrowed the same way as a token.
   * Throws OciError UNAUTHORIZED on bad credentials.
   */
  authenticate(req: Request, repository: string | undefined, actions: Action[]): Promise<Access>;
  /** `WWW-Authenticate` challenge value for a scope, e.g. `repository:ns/app:pull,push`. */
  challenge(req: Request, scope: string | undefined, error?: "insufficient_scope" | "invalid_token"): string;
}

export interface BlobInfo {
  digest: string;
  size: number;
}

export interface ByteRange {
  start: number;
  end: number; // inclusive
}

export interface UploadState {
  id: string;
  /** Bytes received so far. */
  size: number;
}

export interface StoredManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  subjectDigest?: string | null;
}

export interface ReferrerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/**
 * A blob body that can write itself to the response (with reused buffers, say) and end it; the router uses
 * `sendTo` when it is there and pipes the stream otherwise.
 */
export interface SendableBody extends Readable {
  sendTo(out: Writable): Promise<void>;
}

/** Content operations, always in the context of a repository and the caller's access. */
export interface RegistryBackend {
  statBlob(repo: string, digest: string, access: Access): Promise<BlobInfo | null>;
  openBlob(
    repo: string,
    digest: string,
    range: ByteRange | undefined,
    access: Access,
  ): Promise<Readable | SendableBody>;
  deleteBlob(repo: string, digest: string, access: Access): Promise<void>;
  /** Links an existing blob into `repo`; `from` undefined lets the backend look where the caller may read. */
  mountBlob(repo: string, digest: string, from: string | undefined, access: Access): Promise<BlobInfo | null>;

  startUpload(repo: string, access: Access): Promise<UploadState>;
  /** Appends the stream; `expectedOffset` (from Content-Range) must equal the current size. */
  appendUpload(
    repo: string,
    id: string,
    body: Readable,
    expectedOffset: number | undefined,
    access: Access,
  ): Promise<UploadState>;
  uploadStatus(repo: string, id: string, access: Access): Promise<UploadState>;
  /** Appends the optional final body, verifies the digest, publishes the blob. */
  finishUpload(
    repo: string,
    id: string,
    digest: string,
    body: Readable | undefined,
    access: Access,
  ): Promise<BlobInfo>;
  cancelUpload(repo: string, id: string, access: Access): Promise<void>;
  /** One-shot upload (`POST ?digest=`). */
  putBlob(repo: string, digest: string, body: Readable, access: Access): Promise<BlobInfo>;

  getManifest(repo: string, reference: string, access: Access): Promise<StoredManifest | null>;
  putManifest(
    repo: string,
    reference: string,
    bytes: Buffer,
    contentType: string,
    access: Access,
  ): Promise<StoredManifest>;
  deleteManifest(repo: string, reference: string, access: Access): Promise<void>;

  listTags(repo: string, n: number | undefined, last: string | undefined, access: Access): Promise<string[]>;
  listReferrers(
    repo: string,
    digest: string,
    artifactType: string | undefined,
    access: Access,
  ): Promise<ReferrerDescriptor[]>;
  catalog(n: number | undefined, last: string | undefined, access: Access): Promise<string[]>;
}
