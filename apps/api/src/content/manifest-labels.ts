// Labels as data: parsing `key=value` input, reading `config.Labels` from an image config blob, and the
// `quay.expires-after` rule. No database here; LabelService and ManifestService apply these.
import type { Readable } from "node:stream";
import { parseDuration } from "../config/config.js";
import { badInput } from "../common/errors.js";

export const EXPIRES_AFTER_LABEL = "quay.expires-after";
export const LABEL_FORMAT_ERROR = "Invalid label format, must be key value separated by =";
/** Image configs are small JSON documents; anything larger is not read for labels. */
export const MAX_CONFIG_BYTES = 2 * 1024 * 1024;

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$/;

/** Keys Quay keeps for the image tooling: labels under them come from images, never from the API. */
export const RESERVED_LABEL_PREFIXES = [
  "com.docker.",
  "io.docker.",
  "org.dockerproject.",
  "org.opencontainers.",
  "io.cncf.",
  "io.kubernetes.",
  "io.k8s.",
];
export const LABEL_MEDIA_TYPES = ["text/plain", "application/json"] as const;
export type LabelMediaType = (typeof LABEL_MEDIA_TYPES)[number];

export interface LabelInput {
  key: string;
  value: string;
  /** Left out: application/json when the value is a JSON object or array, text/plain otherwise (Quay). */
  mediaType?: string | null;
}

/** `key=value` (the value may itself contain `=`; it may be empty, the key may not). */
export function parseLabelInput(input: string): { key: string; value: string } {
  const i = input.indexOf("=");
  if (i <= 0) throw badInput(LABEL_FORMAT_ERROR);
  return { key: input.slice(0, i).trim(), value: input.slice(i + 1).trim() };
}

/** A label as the API may add it: a valid key outside the reserved prefixes, a value, a known media type. */
export function checkLabel(input: string | LabelInput): Required<LabelInput> & { mediaType: LabelMediaType } {
  const { key, value, mediaType }: LabelInput = typeof input === "string" ? parseLabelInput(input) : input;
  if (!KEY_RE.test(key) || value.length > 4096 || /[\r\n]/.test(value)) throw badInput(LABEL_FORMAT_ERROR);
  if (RESERVED_LABEL_PREFIXES.some((p) => key.startsWith(p))) throw badInput("Label has a reserved prefix");
  if (mediaType != null && !(LABEL_MEDIA_TYPES as readonly string[]).includes(mediaType))
    throw badInput(`Media type is invalid please use a valid media type: ${LABEL_MEDIA_TYPES.join(", ")}`);
  return { key, value, mediaType: (mediaType as LabelMediaType | null) ?? inferMediaType(value) };
}

function inferMediaType(value: string): LabelMediaType {
  if (!/^\s*[[{]/.test(value)) return "text/plain";
  try {
    JSON.parse(value);
    return "application/json";
  } catch {
    return "text/plain";
  }
}

/** Labels of an OCI or Docker image config document (`config.Labels`; old Docker builds: `container_config`). */
export function labelsFromConfig(doc: unknown): Record<string, string> {
  const d = doc as { config?: { Labels?: unknown }; container_config?: { Labels?: unknown } } | null;
  const raw = d?.config?.Labels ?? d?.container_config?.Labels;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v === "string" && k.length > 0 && k.length <= 255) out[k] = v;
  }
  return out;
}

/** Reads at most `max` bytes of JSON from a stream; null when larger or not JSON. */
export async function readSmallJson(stream: Readable, max = MAX_CONFIG_BYTES): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      stream.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    return null;
  }
}

/**
 * Seconds after the tag's start at which it expires, from a `quay.expires-after` value (`1h`, `2d`, `3w`),
 * clamped to [min, max] as Quay does. Null when the value is not a duration (Quay ignores it).
 */
export function expiresAfterSeconds(value: string, min: number, max: number): number | null {
  const s = parseDuration(value);
  if (s === null) return null;
  return Math.min(Math.max(s, min), max);
}
