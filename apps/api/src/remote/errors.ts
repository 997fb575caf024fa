// The one error type of the remote-registry client: a `kind` callers branch on, plus what the upstream said.

export type RemoteErrorKind =
  | "unauthorized" // 401/403, refused credentials, or a token endpoint that refused us
  | "not_found" // 404: unknown repository, manifest, blob or tag
  | "rate_limited" // 429 (retried while Retry-After allows)
  | "unavailable" // connection errors, timeouts, 5xx, a proxy that failed us
  | "tls" // certificate verification or handshake failure
  | "digest_mismatch" // content did not hash to its digest, or its size differs
  | "protocol"; // anything else the upstream answered that a registry should not

export interface RemoteErrorInit {
  status?: number;
  /** The upstream's error code (distribution's `errors[0].code`) or the system error code (ECONNREFUSED…). */
  code?: string;
  /** What the upstream said (`errors[0].message`), when it said something. */
  upstreamMessage?: string;
  retryAfterMs?: number;
  url?: string;
  cause?: unknown;
}

export class RemoteError extends Error {
  readonly kind: RemoteErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly upstreamMessage?: string;
  /** How long the upstream asked us to wait (429/503 `Retry-After`). */
  readonly retryAfterMs?: number;
  readonly url?: string;
  /** Requests made before giving up (set by the retry loop). */
  attempts = 1;

  constructor(kind: RemoteErrorKind, message: string, init: RemoteErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "RemoteError";
    this.kind = kind;
    this.status = init.status;
    this.code = init.code;
    this.upstreamMessage = init.upstreamMessage;
    this.retryAfterMs = init.retryAfterMs;
    this.url = init.url;
  }

  /** Worth asking again later: what a proxy cache answers from its stale copy. */
  get transient(): boolean {
    return this.kind === "unavailable" || this.kind === "rate_limited";
  }
}

export function isRemoteError(e: unknown, kind?: RemoteErrorKind): e is RemoteError {
  return e instanceof RemoteError && (kind === undefined || e.kind === kind);
}

/** The kind an HTTP status maps to (for statuses that are errors for the operation at hand). */
export function kindForStatus(status: number): RemoteErrorKind {
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status >= 500 && status !== 501 && status !== 505) return "unavailable";
  return "protocol";
}

/** Reads distribution's `{"errors":[{"code","message"}]}`, tolerating anything else. */
export function parseErrorBody(body: Buffer | undefined): { code?: string; message?: string } {
  if (!body?.length) return {};
  try {
    const doc = JSON.parse(body.toString("utf8")) as {
      errors?: { code?: unknown; message?: unknown }[];
      error?: unknown;
      details?: unknown;
    };
    const first = Array.isArray(doc.errors) ? doc.errors[0] : undefined;
    if (first)
      return {
        code: typeof first.code === "string" ? first.code : undefined,
        message: typeof first.message === "string" ? first.message : undefined,
      };
    if (typeof doc.error === "string") return { message: doc.error };
    if (typeof doc.details === "string") return { message: doc.details };
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = body.toString("utf8").trim().slice(0, 300);
  return text ? { message: text } : {};
}

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Maps a socket-level failure (no HTTP answer at all) to a RemoteError. */
export function networkError(e: unknown, url: string): RemoteError {
  if (e instanceof RemoteError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === "string" ? err.code : undefined;
  const message = err?.message ?? String(e);
  const tls =
    (code !== undefined && (TLS_CODES.has(code) || /^ERR_(SSL|TLS)_/.test(code))) ||
    (code === "EPROTO" && /SSL|TLS/i.test(message));
  return new RemoteError(
    tls ? "tls" : "unavailable",
    `${tls ? "TLS failure" : "cannot reach"} ${url}: ${message}`,
    {
      code,
      url,
      cause: e,
    },
  );
}
