// Small HTTP helpers for the /v2 router: header parsing, body limits, streaming responses.
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import type { Request, Response } from "express";
import { OciError } from "./errors.js";
import type { ByteRange, SendableBody } from "./interfaces.js";

/** Parses a PATCH `Content-Range` ("start-end", tolerating a "bytes " or "bytes=" prefix). */
export function parseContentRange(value: string | undefined): ByteRange | undefined {
  if (value === undefined || value === "") return undefined;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)$/.exec(value.trim());
  if (!m)
    throw new OciError(
      "BLOB_UPLOAD_INVALID",
      `invalid Content-Range: ${value.slice(0, 100)}`,
      undefined,
      416,
    );
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) {
    throw new OciError(
      "BLOB_UPLOAD_INVALID",
      `invalid Content-Range: ${value.slice(0, 100)}`,
      undefined,
      416,
    );
  }
  return { start, end };
}

/** Parses a GET `Range` header against a blob size. Returns undefined for none, null when unsatisfiable. */
export function parseRange(value: string | undefined, size: number): ByteRange | undefined | null {
  if (!value) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return null;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return null;
  return { start, end };
}

/** Reads a body into memory with a hard limit (only for manifests; blobs are always streamed). */
export async function readLimited(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new OciError("MANIFEST_INVALID", `manifest exceeds ${limit} bytes`, undefined, 413);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      req.resume();
      throw new OciError("MANIFEST_INVALID", `manifest exceeds ${limit} bytes`, undefined, 413);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Does the request carry a body? (Content-Length > 0 or chunked.) */
export function hasBody(req: Request): boolean {
  const len = req.headers["content-length"];
  if (len !== undefined) return Number(len) > 0;
  return /chunked/i.test(String(req.headers["transfer-encoding"] ?? ""));
}

export async function streamTo(res: Response, body: Readable | SendableBody): Promise<void> {
  try {
    if ("sendTo" in body) await body.sendTo(res);
    else await pipeline(body, res);
  } catch {
    // Client went away or the source failed mid-stream: nothing more can be sent; make sure both ends close.
    body.destroy();
    res.destroy();
  }
}

export function sendError(res: Response, err: OciError, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(extraHeaders)) res.setHeader(k, v);
  res.status(err.status).type("application/json").send(JSON.stringify(err.toJSON()));
}

export function intParam(v: unknown, name: string): number | undefined {
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "string" || !/^\d{1,9}$/.test(v))
    throw new OciError("PAGINATION_NUMBER_INVALID", `invalid ${name}`);
  return Number(v);
}

/**
 * Sends a JSON answer as it is: no ETag hashed over the body and no conditional-request check (Express's
 * res.json does both on every answer; registry clients use neither on these lists).
 */
export function sendJson(res: Response, value: unknown): void {
  const body = JSON.stringify(value);
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}
