import crypto from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { OciError } from "./errors.js";

export type DigestAlgorithm = "sha256" | "sha512";
const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
  digest: string;
}

/** Parses `algo:hex`, accepting only algorithms we can verify and exact-length lowercase hex. */
export function parseDigest(value: unknown): ParsedDigest | null {
  if (typeof value !== "string") return null;
  const m = /^(sha256|sha512):([a-f0-9]+)$/.exec(value);
  if (!m) return null;
  const algorithm = m[1] as DigestAlgorithm;
  if (m[2]!.length !== HEX_LENGTH[algorithm]) return null;
  return { algorithm, hex: m[2]!, digest: value };
}

export function requireDigest(
  value: unknown,
  code: "DIGEST_INVALID" | "BLOB_UNKNOWN" | "MANIFEST_INVALID" = "DIGEST_INVALID",
): ParsedDigest {
  const d = parseDigest(value);
  if (!d) throw new OciError(code, `invalid digest: ${String(value).slice(0, 200)}`);
  return d;
}

export function digestOf(bytes: Buffer | string, algorithm: DigestAlgorithm = "sha256"): string {
  return `${algorithm}:${crypto.createHash(algorithm).update(bytes).digest("hex")}`;
}

/** A pass-through stream that hashes and counts what flows through it. */
export class DigestingStream extends Transform {
  private readonly hash: crypto.Hash;
  bytes = 0;
  constructor(readonly algorithm: DigestAlgorithm = "sha256") {
    super();
    this.hash = crypto.createHash(algorithm);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
  digest(): string {
    return `${this.algorithm}:${this.hash.digest("hex")}`;
  }
}
