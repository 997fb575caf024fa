// The registry operations the workloads time, done the way podman/skopeo do them: blob push as
// POST → one PATCH → PUT ?digest=, blob pull as a streamed GET (hashed, digest checked), manifests by PUT/GET.
import crypto from "node:crypto";
import fs from "node:fs";
import type { Readable } from "node:stream";
import { expectStatus, type HttpClient } from "./http.js";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
/** What podman sends when it pulls a manifest. */
export const MANIFEST_ACCEPT = [
  OCI_MANIFEST,
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.index.v1+json",
].join(", ");

export const sha256 = (b: Buffer | string) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

export interface Blob {
  digest: string;
  size: number;
  /** The bytes, or a factory for a fresh stream of them (large blobs live in a file). */
  body: Buffer | (() => Readable);
}

/** A blob of random bytes (unique content, so every push stores something new). */
export function randomBlob(size: number): Blob {
  const body = crypto.randomBytes(size);
  return { digest: sha256(body), size, body };
}

/** A large random blob written to `file` in 1 MiB chunks and hashed on the way; never held in memory. */
export function randomFileBlob(file: string, size: number): Blob {
  const fd = fs.openSync(file, "w");
  const h = crypto.createHash("sha256");
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  for (let done = 0; done < size;) {
    const n = Math.min(chunk.length, size - done);
    crypto.randomFillSync(chunk, 0, n);
    const part = chunk.subarray(0, n);
    h.update(part);
    fs.writeSync(fd, part);
    done += n;
  }
  fs.closeSync(fd);
  return {
    digest: `sha256:${h.digest("hex")}`,
    size,
    body: () => fs.createReadStream(file, { highWaterMark: 1024 * 1024 }),
  };
}

const withDigest = (location: string, digest: string) =>
  `${location}${location.includes("?") ? "&" : "?"}digest=${encodeURIComponent(digest)}`;

export async function pushBlob(c: HttpClient, repo: string, blob: Blob): Promise<void> {
  const start = await c.request("POST", `/v2/${repo}/blobs/uploads/`, { body: "" });
  expectStatus(start, 202, `POST upload ${repo}`);
  const location = String(start.headers.location);
  const patch = await c.request("PATCH", location, {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(blob.size),
      "content-range": `0-${blob.size - 1}`,
    },
    body: blob.body,
  });
  expectStatus(patch, 202, `PATCH upload ${repo}`);
  const done = await c.request("PUT", withDigest(String(patch.headers.location ?? location), blob.digest), {
    body: "",
  });
  expectStatus(done, 201, `PUT upload ${repo}`);
}

/** Monolithic upload: POST opens the session, one PUT <location>?digest= carries the whole body. */
export async function pushBlobMonolithic(c: HttpClient, repo: string, blob: Blob): Promise<void> {
  const start = await c.request("POST", `/v2/${repo}/blobs/uploads/`, { body: "" });
  expectStatus(start, 202, `POST upload ${repo}`);
  const done = await c.request("PUT", withDigest(String(start.headers.location), blob.digest), {
    headers: { "content-type": "application/octet-stream", "content-length": String(blob.size) },
    body: blob.body,
  });
  expectStatus(done, 201, `PUT monolithic upload ${repo}`);
}

/** Single-request upload: POST /blobs/uploads/?digest= with the whole body (201 when the registry has it). */
export async function pushBlobSingleRequest(c: HttpClient, repo: string, blob: Blob): Promise<void> {
  const r = await c.request("POST", withDigest(`/v2/${repo}/blobs/uploads/`, blob.digest), {
    headers: { "content-type": "application/octet-stream", "content-length": String(blob.size) },
    body: blob.body,
  });
  expectStatus(r, 201, `POST ?digest= upload ${repo}`);
}

/** Pushes a small blob of the given bytes (distribution 2.8 ignores monolithic POST ?digest=, so no shortcut). */
export async function putSmallBlob(c: HttpClient, repo: string, body: Buffer): Promise<Blob> {
  const blob = { digest: sha256(body), size: body.length, body };
  await pushBlob(c, repo, blob);
  return blob;
}

export async function pullBlob(c: HttpClient, repo: string, blob: { digest: string; size: number }) {
  const r = await c.hashed("GET", `/v2/${repo}/blobs/${blob.digest}`);
  expectStatus(r, 200, `GET blob ${repo}`);
  if (r.digest !== blob.digest || r.bytes !== blob.size)
    throw new Error(`pulled blob does not match: ${r.digest} (${r.bytes} bytes), expected ${blob.digest}`);
}

/** An image's config and one layer, pushed once per repository; manifests then vary by annotation. */
export interface ImageParts {
  config: Blob;
  layer: Blob;
}

export async function pushImageParts(c: HttpClient, repo: string): Promise<ImageParts> {
  const layer = await putSmallBlob(c, repo, crypto.randomBytes(4096));
  const configJson = JSON.stringify({
    architecture: "amd64",
    os: "linux",
    config: {},
    rootfs: { type: "layers", diff_ids: [layer.digest] },
  });
  const config = await putSmallBlob(c, repo, Buffer.from(configJson));
  return { config, layer };
}

export function manifestFor(parts: ImageParts, id: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: parts.config.digest, size: parts.config.size },
      layers: [{ mediaType: OCI_LAYER, digest: parts.layer.digest, size: parts.layer.size }],
      annotations: { "org.example.bench": id },
    }),
  );
}

export async function putManifest(c: HttpClient, repo: string, ref: string, bytes: Buffer): Promise<void> {
  const r = await c.request("PUT", `/v2/${repo}/manifests/${ref}`, {
    headers: { "content-type": OCI_MANIFEST },
    body: bytes,
  });
  expectStatus(r, 201, `PUT manifest ${repo}:${ref}`);
}

export async function getManifest(c: HttpClient, repo: string, ref: string): Promise<Buffer> {
  const r = await c.request("GET", `/v2/${repo}/manifests/${ref}`, { headers: { accept: MANIFEST_ACCEPT } });
  expectStatus(r, 200, `GET manifest ${repo}:${ref}`);
  return r.body;
}
