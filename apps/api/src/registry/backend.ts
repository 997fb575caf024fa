// The RegistryBackend that packages/oci's router calls: it only translates between the protocol's interfaces
// and the registry domain service (content/registry.ts), and maps domain errors to distribution error codes.
import type { Readable } from "node:stream";
import pg from "pg";
import {
  OciError,
  isOciError,
  type Access,
  type ByteRange,
  type ErrorCode,
  type RegistryBackend,
} from "@hm/oci";
import { DomainError } from "../common/errors.js";
import { ContentError } from "../content/errors.js";
import type { BlobService } from "../content/blobs.js";
import type { RegistryCaller, RegistryService } from "../content/registry.js";
import { DigestMismatchError, UploadOffsetError } from "../storage/blob-store.js";
import type { RegistryAccess } from "./authenticator.js";

/** The distribution error code (and status, where it is not the code's own) of each content reason. */
const CONTENT_CODES: Record<ContentError["reason"], [ErrorCode, number?]> = {
  MANIFEST_INVALID: ["MANIFEST_INVALID"],
  DIGEST_INVALID: ["DIGEST_INVALID"],
  MANIFEST_BLOB_UNKNOWN: ["MANIFEST_BLOB_UNKNOWN", 400],
  MANIFEST_UNKNOWN: ["MANIFEST_UNKNOWN"],
  REPOSITORY_UNKNOWN: ["NAME_UNKNOWN"],
  MANIFEST_REFERENCED: ["DENIED", 409],
  REPOSITORY_READ_ONLY: ["DENIED", 405],
  BLOB_UNKNOWN: ["BLOB_UNKNOWN"],
  UPLOAD_UNKNOWN: ["BLOB_UPLOAD_UNKNOWN"],
};

const DOMAIN_CODES: Record<DomainError["code"], [ErrorCode, number?]> = {
  QUOTA_EXCEEDED: ["DENIED"],
  FORBIDDEN: ["DENIED"],
  NOT_FOUND: ["NAME_UNKNOWN"],
  BAD_USER_INPUT: ["NAME_INVALID"],
  UNAUTHENTICATED: ["UNAUTHORIZED"],
  CONFLICT: ["DENIED", 409],
  RATE_LIMITED: ["TOOMANYREQUESTS"],
};

/** Maps domain and storage failures to the protocol's error codes; anything else stays a server error. */
export function toOciError(e: unknown): unknown {
  if (isOciError(e)) return e;
  if (e instanceof DigestMismatchError)
    return new OciError("DIGEST_INVALID", e.message, { expected: e.expected, actual: e.actual });
  if (e instanceof UploadOffsetError)
    return new OciError("BLOB_UPLOAD_INVALID", e.message, { size: e.actual }, 416);
  if (e instanceof DomainError) {
    const [code, status] = e instanceof ContentError ? CONTENT_CODES[e.reason] : DOMAIN_CODES[e.code];
    return new OciError(code, e.message, e instanceof ContentError ? e.detail : undefined, status);
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

const declared = (body: Readable): number | undefined => {
  const v = Number((body as unknown as { headers?: Record<string, string> }).headers?.["content-length"]);
  return Number.isFinite(v) ? v : undefined;
};

const callerOf = (access: Access): RegistryCaller => ({
  ref: (access as RegistryAccess).who ?? { kind: "anonymous" },
  name: access.subject,
  ip: access.ip ?? null,
});

const info = (b: { digest: string; size: bigint }) => ({ digest: b.digest, size: Number(b.size) });

export function createRegistryBackend(registry: RegistryService, blobs: BlobService): RegistryBackend {
  const repo = (name: string) => registry.repository(name);
  return {
    statBlob: async (name, digest) => {
      const b = await registry.linkedBlob(name, digest);
      return b && info(b);
    },
    openBlob: (name, digest, range: ByteRange | undefined) => registry.openBlob(digest, range, name),
    deleteBlob: (name, digest) => registry.deleteBlob(name, digest),
    mountBlob: async (name, digest, from, access) => {
      const b = await registry.mount(name, digest, from, callerOf(access));
      return b && info(b);
    },
    startUpload: async (name, access) => blobs.startUpload(await registry.pushTarget(name, callerOf(access))),
    appendUpload: async (name, id, body, expectedOffset) =>
      blobs.appendUpload(await repo(name), id, body, expectedOffset, declared(body)),
    uploadStatus: async (name, id) => blobs.uploadStatus(await repo(name), id),
    finishUpload: async (name, id, digest, body) =>
      info(await blobs.finishUpload(await repo(name), id, digest, body, body ? declared(body) : undefined)),
    cancelUpload: async (name, id) => blobs.cancelUpload(await repo(name), id),
    putBlob: async (name, digest, body, access) =>
      info(
        await blobs.putBlob(await registry.pushTarget(name, callerOf(access)), digest, body, declared(body)),
      ),
    getManifest: async (name, reference, access) => {
      const m = await registry.pull(name, reference, callerOf(access));
      return (
        m && { digest: m.digest, mediaType: m.mediaType, bytes: m.bytes, subjectDigest: m.subjectDigest }
      );
    },
    putManifest: async (name, reference, bytes, contentType, access) => {
      const m = await registry.putManifest(name, reference, bytes, contentType, callerOf(access));
      return { digest: m.digest, mediaType: m.mediaType, bytes, subjectDigest: m.subjectDigest };
    },
    deleteManifest: (name, reference, access) => registry.deleteManifest(name, reference, callerOf(access)),
    listTags: (name, n, last) => registry.tagNames(name, n, last),
    listReferrers: (name, digest, artifactType) => registry.referrers(name, digest, artifactType),
    catalog: (n, last, access) => registry.catalog(n, last, callerOf(access)),
  };
}
