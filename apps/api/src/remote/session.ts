// One attempt of a request to the upstream, as a registry client makes it: the scheme (HTTPS, or HTTP after
// an insecure fallback), authorization learnt from a 401 challenge, and redirects (credentials stay home).
import type { IncomingMessage } from "node:http";
import { Authorizer, type Credentials } from "./auth.js";
import { RemoteError } from "./errors.js";
import { Transport, discard, readBody, responseError, type TransportOptions } from "./http.js";

export interface Op {
  method: "GET" | "HEAD";
  /** Path and query on the registry, e.g. `/v2/ns/app/manifests/v1`. */
  path: string;
  /** The token scope the request needs (`repository:ns/app:pull`). */
  scope?: string;
  accept?: string;
  /** Send no credentials and do not react to a 401 (ping). */
  noAuth?: boolean;
  signal?: AbortSignal;
}

export interface Answer {
  res: IncomingMessage;
  /** The URL that answered (after redirects). */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

export class Session {
  readonly auth: Authorizer;
  private readonly transport: Transport;
  private scheme?: "https" | "http";

  constructor(
    readonly registry: string,
    opts: TransportOptions & { insecure: boolean; credentials?: Credentials },
  ) {
    this.transport = new Transport(opts);
    this.auth = new Authorizer(this.transport, opts.credentials);
    if (!opts.insecure) this.scheme = "https";
  }

  /** One attempt; any status but a 401 we could answer comes back to the caller. */
  async request(op: Op): Promise<Answer> {
    const first = op.noAuth ? undefined : await this.auth.authorization(op.scope, op.signal);
    let r = await this.exchange(op, first);
    if (r.res.statusCode !== 401 || op.noAuth || new URL(r.url).host !== this.registry) return r;
    const body = await readBody(r.res, 64 * 1024, r.url).catch(() => Buffer.alloc(0));
    if (!this.auth.learn(r.res.headers["www-authenticate"]))
      throw await responseError(r.res, r.url, op.path, body);
    if (first) this.auth.invalidate(op.scope);
    const second = await this.auth.authorization(op.scope, op.signal);
    if (!second || (second === first && this.auth.scheme === "basic")) {
      const err = await responseError(r.res, r.url, op.path, body);
      err.message = `${op.path}: ${this.registry} ${second ? "refused the credentials" : "requires credentials"}`;
      throw err;
    }
    r = await this.exchange(op, second);
    if (r.res.statusCode === 401) throw await responseError(r.res, r.url, `${op.path}: access refused`);
    return r;
  }

  close(): void {
    this.transport.close();
  }

  private async exchange(op: Op, authorization: string | undefined): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (op.accept) headers.accept = op.accept;
    const withAuth = authorization ? { ...headers, authorization } : headers;
    const send = (scheme: string) =>
      this.transport.send({
        method: op.method,
        url: new URL(op.path, `${scheme}://${this.registry}`),
        headers: withAuth,
        signal: op.signal,
      });
    let res: IncomingMessage;
    if (this.scheme) res = await send(this.scheme);
    else {
      // insecure and not known yet: HTTPS without verification first, then plain HTTP (as Docker does).
      try {
        res = await send("https");
        this.scheme = "https";
      } catch (e) {
        if (!(e instanceof RemoteError)) throw e;
        res = await send("http");
        this.scheme = "http";
      }
    }
    let url = new URL(op.path, `${this.scheme}://${this.registry}`);
    const origin = url.origin;
    for (let hops = 0; REDIRECTS.has(res.statusCode ?? 0) && res.headers.location; hops++) {
      if (hops === MAX_REDIRECTS)
        throw new RemoteError("protocol", `${url.href}: more than ${MAX_REDIRECTS} redirects`);
      discard(res);
      const next = new URL(res.headers.location, url);
      if (next.protocol !== "https:" && next.protocol !== "http:")
        throw new RemoteError("protocol", `${url.href}: redirect to ${next.protocol}`);
      // Credentials stay with the registry: object stores reject (or would leak) a foreign Authorization.
      url = next;
      res = await this.transport.send({
        method: op.method,
        url: next,
        headers: next.origin === origin ? withAuth : headers,
        signal: op.signal,
      });
    }
    return { res, url: url.href };
  }
}

/** The `rel="next"` target of a Link header, resolved against the page's URL. */
export function nextLink(link: string | string[] | undefined, base: string): URL | undefined {
  const value = Array.isArray(link) ? link.join(", ") : link;
  if (!value) return undefined;
  for (const m of value.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2]!);
    if (rel && (rel[1] ?? rel[2]!).toLowerCase().split(/\s+/).includes("next")) return new URL(m[1]!, base);
  }
  return undefined;
}
