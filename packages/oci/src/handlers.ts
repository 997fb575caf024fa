// Handlers for each /v2 endpoint. They translate HTTP to RegistryBackend calls and back; no rules live here.
import type { Request, Response } from "express";
import { parseDigest, requireDigest } from "./digest.js";
import { OciError } from "./errors.js";
import { hasBody, intParam, parseContentRange, parseRange, readLimited, sendJson, streamTo } from "./http.js";
import type { Access, RegistryBackend, UploadState } from "./interfaces.js";
import { IMAGE_MANIFEST_TYPES, INDEX_TYPES, MediaType, baseMediaType } from "./media-types.js";
import { isValidTag } from "./names.js";

export interface Ctx {
  req: Request;
  res: Response;
  backend: RegistryBackend;
  access: Access;
  /** Repository name (validated), or "" for routes without one. */
  repo: string;
  params: string[];
  maxManifestBytes: number;
}

const uploadHeaders = (res: Response, repo: string, u: UploadState) => {
  res.setHeader("Location", `/v2/${repo}/blobs/uploads/${u.id}`);
  res.setHeader("Range", `0-${Math.max(0, u.size - 1)}`);
  res.setHeader("Docker-Upload-UUID", u.id);
  res.setHeader("Content-Length", "0");
};

const blobCreated = (res: Response, repo: string, digest: string) => {
  res.setHeader("Location", `/v2/${repo}/blobs/${digest}`);
  res.setHeader("Docker-Content-Digest", digest);
  res.setHeader("Content-Length", "0");
  res.status(201).end();
};

/** A PUT names what it creates: a malformed tag or digest is the client's error (400). */
function validReference(ref: string): void {
  if (ref.includes(":")) requireDigest(ref, "DIGEST_INVALID");
  else if (!isValidTag(ref))
    throw new OciError("TAG_INVALID", `invalid tag: ${ref.slice(0, 140)}`, undefined, 400);
}

/**
 * GET, HEAD and DELETE only look a manifest up: a reference that is neither a tag nor a digest names nothing,
 * so the answer is 404 MANIFEST_UNKNOWN, as the spec's conformance suite expects (`.INVALID_MANIFEST_NAME`)
 * and distribution answers (its route does not match such a reference, for any method).
 */
function existingReference(ref: string): void {
  if (ref.includes(":") ? parseDigest(ref) : isValidTag(ref)) return;
  throw new OciError("MANIFEST_UNKNOWN", undefined, { reference: ref.slice(0, 140) });
}

function linkNext(
  res: Response,
  path: string,
  n: number | undefined,
  last: string | undefined,
  page: string[],
) {
  if (n !== undefined && page.length === n && last !== page[page.length - 1] && page.length > 0) {
    const q = new URLSearchParams({ n: String(n), last: page[page.length - 1]! });
    res.setHeader("Link", `<${path}?${q}>; rel="next"`);
  }
}

export async function base({ res }: Ctx) {
  res.type("application/json").send("{}");
}

export async function catalog({ req, res, backend, access }: Ctx) {
  const n = intParam(req.query.n, "n");
  const last = typeof req.query.last === "string" ? req.query.last : undefined;
  const repositories = n === 0 ? [] : await backend.catalog(n, last, access);
  linkNext(res, "/v2/_catalog", n, last, repositories);
  sendJson(res, { repositories });
}

export async function headOrGetBlob({ req, res, backend, access, repo, params }: Ctx) {
  const digest = requireDigest(params[0]).digest;
  const info = await backend.statBlob(repo, digest, access);
  if (!info) throw new OciError("BLOB_UNKNOWN", undefined, { digest });
  const range = parseRange(req.headers.range, info.size);
  if (range === null) {
    res.setHeader("Content-Range", `bytes */${info.size}`);
    throw new OciError("RANGE_INVALID", "requested range not satisfiable");
  }
  // Open before any header is set, so a vanished file still gets a clean error response. The whole blob is
  // asked for as the range it is (the size is known), so the store need not look it up again.
  const body =
    req.method === "HEAD"
      ? null
      : await backend.openBlob(repo, digest, range ?? { start: 0, end: info.size - 1 }, access);
  res.setHeader("Docker-Content-Digest", digest);
  res.setHeader("ETag", `"${digest}"`);
  res.setHeader("Accept-Ranges", "bytes");
  res.setHeader("Content-Type", "application/octet-stream");
  res.setHeader("Cache-Control", "max-age=31536000");
  if (range) {
    res.status(206);
    res.setHeader("Content-Range", `bytes ${range.start}-${range.end}/${info.size}`);
    res.setHeader("Content-Length", String(range.end - range.start + 1));
  } else {
    res.setHeader("Content-Length", String(info.size));
  }
  if (!body) return void res.end();
  await streamTo(res, body);
}

export async function deleteBlob({ res, backend, access, repo, params }: Ctx) {
  await backend.deleteBlob(repo, requireDigest(params[0]).digest, access);
  res.status(202).setHeader("Content-Length", "0");
  res.end();
}

export async function startUpload({ req, res, backend, access, repo }: Ctx) {
  const { mount, from, digest } = req.query;
  if (typeof mount === "string") {
    const d = requireDigest(mount).digest;
    const fromRepo = typeof from === "string" && from !== "" ? from : undefined;
    const mounted = await backend.mountBlob(repo, d, fromRepo, access);
    if (mounted) return blobCreated(res, repo, d);
    // Not mountable: fall through to an ordinary upload session, as the spec asks.
  }
  if (typeof digest === "string") {
    const d = requireDigest(digest).digest;
    const info = await backend.putBlob(repo, d, req, access);
    return blobCreated(res, repo, info.digest);
  }
  if (hasBody(req)) req.resume();
  const upload = await backend.startUpload(repo, access);
  uploadHeaders(res, repo, upload);
  res.status(202).end();
}

export async function patchUpload({ req, res, backend, access, repo, params }: Ctx) {
  const range = parseContentRange(req.headers["content-range"] as string | undefined);
  const upload = await backend.appendUpload(repo, params[0]!, req, range?.start, access);
  uploadHeaders(res, repo, upload);
  res.status(202).end();
}

export async function finishUpload({ req, res, backend, access, repo, params }: Ctx) {
  const digest = requireDigest(req.query.digest).digest;
  const info = await backend.finishUpload(repo, params[0]!, digest, hasBody(req) ? req : undefined, access);
  blobCreated(res, repo, info.digest);
}

export async function uploadStatus({ res, backend, access, repo, params }: Ctx) {
  const upload = await backend.uploadStatus(repo, params[0]!, access);
  uploadHeaders(res, repo, upload);
  res.status(204).end();
}

export async function cancelUpload({ res, backend, access, repo, params }: Ctx) {
  await backend.cancelUpload(repo, params[0]!, access);
  res.status(204).end();
}

export async function headOrGetManifest({ req, res, backend, access, repo, params }: Ctx) {
  const ref = params[0]!;
  existingReference(ref);
  let m = await backend.getManifest(repo, ref, access);
  if (!m) throw new OciError("MANIFEST_UNKNOWN", undefined, { reference: ref });
  const child = negotiatedChild(m, req.headers.accept);
  if (child) m = (await backend.getManifest(repo, child, access)) ?? m;
  res.setHeader("Content-Type", m.mediaType);
  res.setHeader("Docker-Content-Digest", m.digest);
  res.setHeader("ETag", `"${m.digest}"`);
  res.setHeader("Content-Length", String(m.bytes.length));
  if (req.method === "HEAD") return void res.end();
  res.end(m.bytes);
}

/**
 * Accept negotiation: a client that does not accept index types (old Docker clients) asking for an index
 * gets the linux/amd64 image instead, as distribution does. Returns that child's digest, or null.
 */
function negotiatedChild(m: { mediaType: string; bytes: Buffer }, accept: string | undefined): string | null {
  if (!accept || !INDEX_TYPES.includes(m.mediaType)) return null;
  const accepted = accept.split(",").map((a) => baseMediaType(a));
  if (
    accepted.includes(m.mediaType) ||
    accepted.includes("*/*") ||
    !accepted.some((a) => IMAGE_MANIFEST_TYPES.includes(a))
  )
    return null;
  try {
    const doc = JSON.parse(m.bytes.toString("utf8")) as {
      manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[];
    };
    return (
      doc.manifests?.find((d) => d.platform?.os === "linux" && d.platform?.architecture === "amd64")
        ?.digest ?? null
    );
  } catch {
    return null;
  }
}

export async function putManifest({ req, res, backend, access, repo, params, maxManifestBytes }: Ctx) {
  const ref = params[0]!;
  validReference(ref);
  const bytes = await readLimited(req, maxManifestBytes);
  const stored = await backend.putManifest(repo, ref, bytes, req.headers["content-type"] ?? "", access);
  res.setHeader("Location", `/v2/${repo}/manifests/${stored.digest}`);
  res.setHeader("Docker-Content-Digest", stored.digest);
  if (stored.subjectDigest) res.setHeader("OCI-Subject", stored.subjectDigest);
  res.setHeader("Content-Length", "0");
  res.status(201).end();
}

export async function deleteManifest({ res, backend, access, repo, params }: Ctx) {
  const ref = params[0]!;
  existingReference(ref);
  await backend.deleteManifest(repo, ref, access);
  res.status(202).setHeader("Content-Length", "0");
  res.end();
}

export async function listTags({ req, res, backend, access, repo }: Ctx) {
  const n = intParam(req.query.n, "n");
  const last = typeof req.query.last === "string" ? req.query.last : undefined;
  const tags = n === 0 ? [] : await backend.listTags(repo, n, last, access);
  linkNext(res, `/v2/${repo}/tags/list`, n, last, tags);
  sendJson(res, { name: repo, tags });
}

export async function listReferrers({ req, res, backend, access, repo, params }: Ctx) {
  const digest = requireDigest(params[0], "DIGEST_INVALID").digest;
  const artifactType =
    typeof req.query.artifactType === "string" && req.query.artifactType ? req.query.artifactType : undefined;
  const manifests = await backend.listReferrers(repo, digest, artifactType, access);
  if (artifactType) res.setHeader("OCI-Filters-Applied", "artifactType");
  res.setHeader("Content-Type", MediaType.OciIndex);
  res.end(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests }));
}
