// What every source plugin shares: the request and outcome shapes, the refusal error, and small helpers for
// reading a webhook (headers, JSON bodies, Basic "$token" auth, HMAC signatures) without timing leaks.
import crypto from "node:crypto";
import type { TriggerConfig, TriggerMetadata, TriggerService } from "../types.js";

/** An incoming webhook: headers lower-cased as node gives them, and the raw body (signatures cover bytes). */
export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface TriggerSecrets {
  /** The delegate token in the webhook URL's userinfo ($token:<authToken>). Empty: Basic auth disabled. */
  authToken: string;
  /** The shared secret for the service's signature header. Empty: signatures disabled. */
  webhookSecret: string;
}

export type WebhookOutcome = { kind: "build"; metadata: TriggerMetadata } | { kind: "skip"; reason: string };

/** 401: missing or forged credentials; 400: a body that is not a push we can read. */
export class WebhookRefused extends Error {
  constructor(
    readonly status: 400 | 401,
    message: string,
  ) {
    super(message);
    this.name = "WebhookRefused";
  }
}

export interface SourcePlugin {
  name: TriggerService;
  title: string;
  /** Throws WebhookRefused(401) unless the request is authentic. */
  verify(req: WebhookRequest, secrets: TriggerSecrets): void;
  /** The request's body to trigger metadata, with skip rules and branchtag_regex applied. */
  parse(req: WebhookRequest, config: TriggerConfig): WebhookOutcome;
  /** The URL to clone for this config and metadata. */
  cloneUrl(config: TriggerConfig, metadata: TriggerMetadata): string;
}

/** Quay's delegate-token username (auth/credential_consts.py ACCESS_TOKEN_USERNAME). */
export const TOKEN_USERNAME = "$token";

export const HEX_COMMIT = /^[A-Fa-f0-9]{7,64}$/;
export const ZERO_COMMIT = /^0+$/;
/** Quay's METADATA_SCHEMA ref pattern. */
export const REF_PATTERN = /^refs\/(heads|tags|remotes)\/(.+)$/;

export type Json = Record<string, unknown>;

/** One header's value; a repeated header counts by its first value. */
export function header(req: WebhookRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Equal strings, in time that depends on neither content nor length (both sides are hashed first). */
export function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a, "utf8").digest();
  const hb = crypto.createHash("sha256").update(b, "utf8").digest();
  return crypto.timingSafeEqual(ha, hb);
}

export const hmacHex = (body: Buffer, secret: string) =>
  crypto.createHmac("sha256", secret).update(body).digest("hex");

/** undefined: no Basic credentials presented; true/false: presented and right/wrong. */
export function checkBasic(req: WebhookRequest, authToken: string): boolean | undefined {
  const auth = header(req, "authorization");
  const m = auth ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  // Some senders copy the URL's userinfo without percent-decoding it, so "%24token" arrives verbatim.
  const userOk = user === TOKEN_USERNAME || user === "%24token";
  const passOk = authToken !== "" && safeEqual(decoded.slice(colon + 1), authToken);
  return userOk && passOk;
}

/** A "sha256=<hex>" signature header checked against the body; undefined when the header is absent. */
export function checkSignature(req: WebhookRequest, name: string, secret: string): boolean | undefined {
  const sig = header(req, name);
  if (sig === undefined) return undefined;
  if (secret === "") return false; // an HMAC under an empty key proves nothing
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(sig.trim());
  return m !== null && safeEqual(m[1]!.toLowerCase(), hmacHex(req.body, secret));
}

/**
 * The request is authentic when at least one credential was presented and none presented was wrong: a
 * valid token next to a forged signature still means a misconfigured or tampered sender.
 */
export function requireAuthentic(service: string, checks: Record<string, boolean | undefined>): void {
  const presented = Object.entries(checks).filter(([, v]) => v !== undefined);
  if (presented.length === 0) throw new WebhookRefused(401, `${service} webhook: missing credentials`);
  const bad = presented.find(([, v]) => v === false);
  if (bad) throw new WebhookRefused(401, `${service} webhook: invalid ${bad[0]}`);
}

const isJsonType = (ct: string) => /^application\/([\w.+-]+\+)?json$/i.test(ct.split(";")[0]!.trim());

/**
 * The body as a JSON object. `formField` allows application/x-www-form-urlencoded with the JSON in that
 * field (GitHub's "form" content type sends `payload=<json>`).
 */
export function readJson(req: WebhookRequest, formField?: string): Json {
  if (req.body.length === 0) throw new WebhookRefused(400, "Missing expected payload");
  const ct = header(req, "content-type") ?? "";
  let text: string;
  if (isJsonType(ct)) text = req.body.toString("utf8");
  else if (formField && /^application\/x-www-form-urlencoded\b/i.test(ct)) {
    const field = new URLSearchParams(req.body.toString("utf8")).get(formField);
    if (field === null) throw new WebhookRefused(400, `Missing form field '${formField}'`);
    text = field;
  } else throw new WebhookRefused(400, "Content-Type must be application/json");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new WebhookRefused(400, `Invalid JSON payload: ${(e as Error).message}`);
  }
  if (!isObject(parsed)) throw new WebhookRefused(400, "Payload must be a JSON object");
  return parsed;
}

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The value at a dotted path, or undefined when any step is missing. */
export function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** A non-empty string at the path, else undefined (payloads often carry null or ""). */
export function str(obj: unknown, path: string): string | undefined {
  const v = at(obj, path);
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** A copy without undefined fields or empty nested objects, as Quay's SafeDictSetter leaves them out. */
export function compact<T extends object>(obj: T): T {
  const out: Json = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (isObject(v)) {
      const inner = compact(v);
      if (Object.keys(inner).length) out[k] = inner;
    } else out[k] = v;
  }
  return out as T;
}

/** Quay's prepare_build check (METADATA_SCHEMA): a hex commit and a refs/(heads|tags|remotes)/ ref. */
export function checkMetadata(md: TriggerMetadata): TriggerMetadata {
  if (!HEX_COMMIT.test(md.commit)) throw new WebhookRefused(400, `Invalid commit '${md.commit}'`);
  if (!REF_PATTERN.test(md.ref)) throw new WebhookRefused(400, `Invalid ref '${md.ref}'`);
  return md;
}

/** The origin of a URL, or undefined when it does not parse. */
export function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** "owner/repo" from git@host:owner/repo.git or ssh://git@host/owner/repo.git (lower-cased). */
export function repoPathOf(gitUrl: string): string | undefined {
  const scp = /^[^/@\s]+@[^/:\s]+:(?!\/\/)(.+)$/.exec(gitUrl);
  let path = scp?.[1];
  if (path === undefined) {
    try {
      path = new URL(gitUrl).pathname.replace(/^\/+/, "");
    } catch {
      return undefined;
    }
  }
  return path
    .replace(/\/+$/, "")
    .replace(/\.git$/, "")
    .toLowerCase();
}

/**
 * The clone URL for a hosted service: the payload's git URL when it names the configured repository (it
 * carries the right host, e.g. GitHub Enterprise), else the public host's scp form. Never a payload URL for
 * another repository: the deploy key and the pushed image belong to build_source.
 */
export function hostedCloneUrl(host: string, config: TriggerConfig, metadata: TriggerMetadata): string {
  const source = config.build_source;
  if (!source) {
    if (metadata.git_url) return metadata.git_url;
    throw new Error("trigger without build_source");
  }
  if (metadata.git_url && repoPathOf(metadata.git_url) === source.toLowerCase()) return metadata.git_url;
  return `git@${host}:${source}.git`;
}
