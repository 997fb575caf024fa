// The storage driver interface: a pure content-addressed blob store plus upload scratch space.
// The filesystem driver implements it; an S3-compatible driver can implement the same contract.
import type { Readable } from "node:stream";
import type { SendableBody } from "@hm/oci";

export interface BlobStore {
  /** Creates empty scratch space for an upload session. */
  createUpload(id: string): Promise<void>;
  /** Appends a stream to the session; returns the new size. Partial writes are truncated away on failure. */
  appendUpload(id: string, body: Readable, expectedOffset?: number): Promise<number>;
  /** Current size of the session, or null when it does not exist. */
  uploadSize(id: string): Promise<number | null>;
  /**
   * Verifies the session's content against `digest` and makes it durable, then calls `publish` with its size
   * and `place`, which moves it into place atomically. The session is held throughout, so no chunk can
   * slip in; `publish` decides when, within its own critical section, the blob appears.
   */
  commitUpload<T>(
    id: string,
    digest: string,
    publish: (size: number, place: () => Promise<void>) => Promise<T>,
  ): Promise<T>;
  deleteUpload(id: string): Promise<void>;
  /** Upload ids whose scratch data has not been touched since `before`. */
  staleUploads(before: Date): Promise<string[]>;

  /** Size of a stored blob, or null. */
  stat(digest: string): Promise<number | null>;
  /** The blob's bytes as a stream; `sendTo` may be there for a faster way to a response (the /v2 router's). */
  read(digest: string, range?: { start: number; end: number }): Promise<Readable | SendableBody>;
  delete(digest: string): Promise<void>;
  /** Every stored blob with its last modification time (garbage collection's file sweep). */
  list(): AsyncIterable<{ digest: string; modifiedAt: Date }>;
  /** Throws unless the store can write (readiness). */
  checkWritable(): Promise<void>;
}

export class DigestMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`digest mismatch: expected ${expected}, got ${actual}`);
  }
}

export class UploadOffsetError extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`upload offset ${expected} does not match current size ${actual}`);
  }
}
