// RemoteRegistry: the client of one upstream registry, shared by the proxy cache and repository mirroring.
import { baseMediaType, parseDigest } from "@hm/oci";
import type { Credentials } from "./auth.js";
import { RemoteBlob } from "./blob.js";
import { RemoteError } from "./errors.js";
import { discard, readBody, responseError } from "./http.js";
import {
  MANIFEST_ACCEPT,
  manifestMediaType,
  parseTagPage,
  verifyManifestDigest,
  type ManifestHead,
  type ManifestResult,
} from "./manifest.js";
import type { ProxySettings } from "./proxy.js";
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from "./retry.js";
import { Session, nextLink, type Op } from "./session.js";
import { checkName, checkReference, normalizeRegistry } from "./upstream.js";

export interface RemoteRegistryOptions {
  /** `host[:port]`; Docker Hub's aliases are resolved. */
  registry: string;
  /** Plain HTTP, or HTTPS without certificate verification (tried first, as Docker does). */
  insecure?: boolean;
  /** false: HTTPS that accepts any certificate (self-signed upstreams). Default true. */
  verifyTls?: boolean;
  credentials?: Credentials;
  proxy?: ProxySettings;
  /** Silence (no answer, or no bytes while we wait for them) after which a request fails. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt for connection errors, 5xx and 429. Default 3. */
  retries?: number;
  /** Backoff before the first retry (doubles each time, with jitter). Default 250 ms. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Longest Retry-After we wait for; a longer one goes to the caller as "rate_limited". Default 10 s. */
  maxRetryAfterMs?: number;
  userAgent?: string;
  maxManifestBytes?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}
export interface PingResult {
  /** 200: open; 401: wants authentication. */
  status: number;
  /** The challenge scheme a 401 carried ("bearer", "basic"). */
  authScheme?: string;
  /** `Docker-Distribution-API-Version`, when sent. */
  apiVersion?: string;
}

export class RemoteRegistry {
  readonly registry: string;
  private readonly session: Session;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly maxManifestBytes: number;

  constructor(opts: RemoteRegistryOptions) {
    this.registry = normalizeRegistry(opts.registry);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxManifestBytes = opts.maxManifestBytes ?? 4 * 1024 * 1024;
    this.session = new Session(this.registry, {
      insecure: opts.insecure === true,
      verifyTls: !opts.insecure && opts.verifyTls !== false,
      credentials: opts.credentials,
      proxy: opts.proxy,
      timeoutMs: this.timeoutMs,
      userAgent: opts.userAgent ?? "harbormaster-remote/1",
    });
    this.policy = {
      retries: opts.retries ?? DEFAULT_RETRY_POLICY.retries,
      baseDelayMs: opts.retryDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      maxDelayMs: opts.maxRetryDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    };
  }

  /** Token requests sent so far (each scope's token is cached until it expires). */
  get tokenRequests(): number {
    return this.session.auth.tokenRequests;
  }

  /** GET /v2/ without credentials: 200 or 401 means a registry; anything else throws. */
  ping(o: CallOptions = {}): Promise<PingResult> {
    return withRetries(
      this.policy,
      async () => {
        const { res, url } = await this.session.request({
          method: "GET",
          path: "/v2/",
          noAuth: true,
          signal: o.signal,
        });
        const status = res.statusCode ?? 0;
        if (status !== 200 && status !== 401) {
          const err = await responseError(res, url, `${this.registry} /v2/`);
          if (!err.transient) throw new RemoteError("protocol", `${err.message} (not a registry?)`, err);
          throw err;
        }
        discard(res);
        if (status === 401) this.session.auth.learn(res.headers["www-authenticate"]);
        const apiVersion = res.headers["docker-distribution-api-version"];
        return {
          status,
          authScheme: this.session.auth.scheme,
          apiVersion: typeof apiVersion === "string" ? apiVersion : undefined,
        };
      },
      o.signal,
    );
  }

  /** Proves the credentials (and pull access to `name`, when given); throws "unauthorized"/"not_found". */
  async checkAccess(name?: string, o: CallOptions = {}): Promise<void> {
    if (name !== undefined) checkName(name);
    const scope = name === undefined ? undefined : `repository:${name}:pull`;
    const path = name === undefined ? "/v2/" : `/v2/${name}/tags/list?n=1`;
    await withRetries(
      this.policy,
      async () => {
        const { res, url } = await this.session.request({ method: "GET", path, scope, signal: o.signal });
        if (res.statusCode !== 200) throw await responseError(res, url, `access to ${name ?? this.registry}`);
        discard(res);
      },
      o.signal,
    );
  }

  /** A manifest by tag or digest, its digest verified. */
  getManifest(
    name: string,
    reference: string,
    accept: readonly string[] = MANIFEST_ACCEPT,
    o: CallOptions = {},
  ): Promise<ManifestResult> {
    checkName(name);
    checkReference(reference);
    return withRetries(
      this.policy,
      async () => {
        const op = this.op(name, "GET", `manifests/${reference}`, o, accept);
        const { res, url } = await this.session.request(op);
        if (res.statusCode !== 200) throw await responseError(res, url, `manifest ${name}:${reference}`);
        const bytes = await readBody(res, this.maxManifestBytes, url);
        const mediaType = manifestMediaType(res.headers["content-type"], bytes, url);
        const digest = verifyManifestDigest(
          bytes,
          reference,
          res.headers["docker-content-digest"],
          mediaType,
          url,
        );
        return { digest, mediaType, bytes };
      },
      o.signal,
    );
  }

  /** What a tag or digest points at, without the body; null when the upstream does not have it. */
  async headManifest(name: string, reference: string, o: CallOptions = {}): Promise<ManifestHead | null> {
    checkName(name);
    checkReference(reference);
    const head = await withRetries(
      this.policy,
      async () => {
        const op = this.op(name, "HEAD", `manifests/${reference}`, o, MANIFEST_ACCEPT);
        const { res, url } = await this.session.request(op);
        discard(res);
        if (res.statusCode === 404) return null;
        if (res.statusCode !== 200)
          throw await responseError(res, url, `manifest ${name}:${reference}`, Buffer.alloc(0));
        const announced = res.headers["docker-content-digest"];
        const digest = parseDigest(announced)?.digest ?? parseDigest(reference)?.digest;
        const mediaType = baseMediaType(res.headers["content-type"]);
        const size = Number(res.headers["content-length"]);
        // Registries that leave out what we need on HEAD: ask for the body instead.
        if (!digest || !mediaType || mediaType === "application/json" || !Number.isSafeInteger(size))
          return "get";
        return { digest, mediaType, size };
      },
      o.signal,
    );
    if (head !== "get") return head;
    try {
      const m = await this.getManifest(name, reference, MANIFEST_ACCEPT, o);
      return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length };
    } catch (e) {
      if (e instanceof RemoteError && e.kind === "not_found") return null;
      throw e;
    }
  }

  /**
   * A blob as a Readable that verifies digest and size while streaming, erroring with "digest_mismatch" at
   * the end. Redirects are followed; retries happen only until the first byte is handed over.
   */
  async getBlob(name: string, digest: string, o: CallOptions & { size?: number } = {}): Promise<RemoteBlob> {
    checkName(name);
    const d = parseDigest(digest);
    if (!d) throw new TypeError(`not a digest: ${JSON.stringify(digest)}`);
    const { res, url } = await withRetries(
      this.policy,
      async () => {
        const r = await this.session.request(this.op(name, "GET", `blobs/${digest}`, o));
        if (r.res.statusCode !== 200) throw await responseError(r.res, r.url, `blob ${name}@${digest}`);
        return r;
      },
      o.signal,
    );
    const length =
      res.headers["content-length"] === undefined ? undefined : Number(res.headers["content-length"]);
    if (o.size !== undefined && length !== undefined && length !== o.size) {
      res.destroy();
      throw new RemoteError(
        "digest_mismatch",
        `blob ${digest} from ${url}: ${length} bytes, expected ${o.size}`,
        { url },
      );
    }
    const blob = new RemoteBlob(res, {
      digest: d.digest,
      algorithm: d.algorithm,
      size: o.size ?? length,
      stallTimeoutMs: this.timeoutMs,
      url,
    });
    const signal = o.signal;
    if (signal) {
      const abort = () => blob.destroy(signal.reason as Error);
      signal.addEventListener("abort", abort, { once: true });
      blob.once("close", () => signal.removeEventListener("abort", abort));
    }
    return blob;
  }

  /** Every tag of a repository, following `Link: <…>; rel="next"` pages (`n` per page when given). */
  async listTags(name: string, o: CallOptions & { pageSize?: number } = {}): Promise<string[]> {
    checkName(name);
    let path = `/v2/${name}/tags/list${o.pageSize ? `?n=${o.pageSize}` : ""}`;
    // Later pages are absolute paths from Link headers.
    const tags: string[] = [];
    const seen = new Set<string>([path]);
    for (;;) {
      const page = await withRetries(
        this.policy,
        async () => {
          const { res, url } = await this.session.request(this.op(name, "GET", path, o));
          if (res.statusCode !== 200) throw await responseError(res, url, `tags of ${name}`);
          const tags = parseTagPage(await readBody(res, 16 * 1024 * 1024, url), url);
          return { tags, url, link: nextLink(res.headers.link, url) };
        },
        o.signal,
      );
      tags.push(...page.tags);
      if (!page.link) return tags;
      if (page.link.origin !== new URL(page.url).origin)
        throw new RemoteError("protocol", `tag pagination leaves the registry: ${page.link.href}`);
      path = page.link.pathname + page.link.search;
      if (seen.has(path)) throw new RemoteError("protocol", `tag pagination loops at ${path}`);
      seen.add(path);
    }
  }

  /** Closes pooled connections. */
  close(): void {
    this.session.close();
  }

  /** A pull of `path` (relative to /v2/<name>/, or an absolute path from a Link header). */
  private op(
    name: string,
    method: Op["method"],
    path: string,
    o: CallOptions,
    accept?: readonly string[],
  ): Op {
    return {
      method,
      path: path.startsWith("/") ? path : `/v2/${name}/${path}`,
      scope: `repository:${name}:pull`,
      accept: accept?.join(", "),
      signal: o.signal,
    };
  }
}
