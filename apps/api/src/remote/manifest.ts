// What a manifest answer means: its media type (header, else the body) and its digest, verified against the
// digest asked for or the one the upstream announced.
import crypto from "node:crypto";
import { MediaType, baseMediaType, parseDigest } from "@hm/oci";
import { RemoteError } from "./errors.js";

/** What we ask for by default: OCI manifest and index, Docker schema 2 manifest and manifest list. */
export const MANIFEST_ACCEPT: readonly string[] = [
  MediaType.OciManifest,
  MediaType.OciIndex,
  MediaType.DockerManifest,
  MediaType.DockerManifestList,
];

export interface ManifestResult {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

const GENERIC_TYPES = new Set(["", "application/json", "text/plain", "application/octet-stream"]);

/** The manifest's media type: Content-Type unless it is generic, then the body's `mediaType` or its shape. */
export function manifestMediaType(
  contentType: string | string[] | undefined,
  bytes: Buffer,
  url: string,
): string {
  const declared = baseMediaType(Array.isArray(contentType) ? contentType[0] : contentType);
  if (!GENERIC_TYPES.has(declared)) return declared;
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new RemoteError("protocol", `${url}: manifest is not JSON`, { url });
  }
  if (typeof doc?.mediaType === "string") return doc.mediaType;
  if (doc?.schemaVersion === 1)
    return Array.isArray(doc.signatures) ? MediaType.DockerSchema1Signed : MediaType.DockerSchema1;
  if (Array.isArray(doc?.manifests)) return MediaType.OciIndex;
  if (doc?.config !== undefined) return MediaType.OciManifest;
  throw new RemoteError("protocol", `${url}: cannot tell the manifest's media type`, { url });
}

export function digestBytes(bytes: Buffer, algorithm: string): string {
  return `${algorithm}:${crypto.createHash(algorithm).update(bytes).digest("hex")}`;
}

/**
 * The digest of a fetched manifest. By digest: the bytes must hash to it. By tag: to the upstream's
 * Docker-Content-Digest when it sent one (schema 1 signed manifests excepted: their digest covers the payload
 * without signatures), else sha256 of the bytes.
 */
export function verifyManifestDigest(
  bytes: Buffer,
  reference: string,
  announced: string | string[] | undefined,
  mediaType: string,
  url: string,
): string {
  const wanted = parseDigest(reference) ?? parseDigest(Array.isArray(announced) ? announced[0] : announced);
  if (!wanted) return digestBytes(bytes, "sha256");
  const actual = digestBytes(bytes, wanted.algorithm);
  if (actual === wanted.digest) return actual;
  if (mediaType === MediaType.DockerSchema1Signed && !parseDigest(reference)) return wanted.digest;
  throw new RemoteError(
    "digest_mismatch",
    `${url}: manifest hashes to ${actual}, expected ${wanted.digest}${reference === wanted.digest ? "" : " (Docker-Content-Digest)"}`,
    { url },
  );
}

/** The tags of one `tags/list` page (`"tags": null` is an empty page, as distribution sends). */
export function parseTagPage(body: Buffer, url: string): string[] {
  let doc: { tags?: unknown };
  try {
    doc = JSON.parse(body.toString("utf8")) as { tags?: unknown };
  } catch {
    throw new RemoteError("protocol", `${url}: tag list is not JSON`, { url });
  }
  if (doc?.tags === null || doc?.tags === undefined) return [];
  if (!Array.isArray(doc.tags) || doc.tags.some((t) => typeof t !== "string"))
    throw new RemoteError("protocol", `${url}: tags is not a list of strings`, { url });
  return doc.tags as string[];
}
