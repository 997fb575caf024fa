// Authorization per the distribution token spec: learn the upstream's challenge from a 401, then send Basic
// credentials (Basic realm) or a Bearer token fetched from the realm for the scope, cached until it expires.
import { parseChallenges, pickChallenge, type Challenge } from "./challenge.js";
import { RemoteError } from "./errors.js";
import { readBody, responseError, type Transport } from "./http.js";

export interface Credentials {
  username: string;
  password: string;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Tokens without `expires_in` live 60 s (the spec's default). */
const DEFAULT_TOKEN_TTL_S = 60;

export const basicAuthorization = (c: Credentials) =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;

export class Authorizer {
  private challenge?: Challenge;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();
  /** Token requests sent to realms (for tests and metrics). */
  tokenRequests = 0;

  constructor(
    private readonly transport: Transport,
    private readonly credentials: Credentials | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get scheme(): string | undefined {
    return this.challenge?.scheme;
  }

  /** Remembers the upstream's challenge from a 401's `WWW-Authenticate`; false if there is none we can answer. */
  learn(header: string | string[] | undefined): boolean {
    const c = pickChallenge(parseChallenges(header));
    if (!c) return false;
    const prev = this.challenge;
    if (prev?.params.realm !== c.params.realm || prev?.params.service !== c.params.service)
      this.tokens.clear();
    this.challenge = c;
    return true;
  }

  /** Forgets the token for a scope (the upstream refused it). */
  invalidate(scope: string | undefined): void {
    if (this.challenge) this.tokens.delete(this.key(this.challenge, scope));
  }

  /** The Authorization header value for a request needing `scope`, if the upstream asked for any. */
  async authorization(scope: string | undefined, signal?: AbortSignal): Promise<string | undefined> {
    const c = this.challenge;
    if (!c) return undefined;
    if (c.scheme === "basic") return this.credentials ? basicAuthorization(this.credentials) : undefined;
    const key = this.key(c, scope);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return `Bearer ${cached.token}`;
    let p = this.pending.get(key);
    if (!p) {
      p = this.fetchToken(c, scope, signal).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    const t = await p;
    this.tokens.set(key, t);
    return `Bearer ${t.token}`;
  }

  private key(c: Challenge, scope: string | undefined): string {
    return `${c.params.realm} ${c.params.service ?? ""} ${scope ?? ""}`;
  }

  private async fetchToken(
    c: Challenge,
    scope: string | undefined,
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    let url: URL;
    try {
      url = new URL(c.params.realm!);
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(url.protocol);
    } catch {
      throw new RemoteError("protocol", `unusable token realm ${JSON.stringify(c.params.realm)}`);
    }
    if (c.params.service) url.searchParams.set("service", c.params.service);
    if (scope) url.searchParams.append("scope", scope);
    if (this.credentials) url.searchParams.set("account", this.credentials.username);
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.credentials) headers.authorization = basicAuthorization(this.credentials);
    this.tokenRequests++;
    const res = await this.transport.send({ method: "GET", url, headers, signal });
    const where = `token from ${url.origin}${url.pathname}`;
    if (res.statusCode !== 200) {
      const err = await responseError(res, url.href, where);
      if (err.kind === "not_found") throw new RemoteError("protocol", err.message, err);
      if (err.kind === "unauthorized")
        err.message = `${where}: ${this.credentials ? "credentials refused" : "anonymous access refused"} (${res.statusCode}${err.upstreamMessage ? `: ${err.upstreamMessage}` : ""})`;
      throw err;
    }
    const body = await readBody(res, 1024 * 1024, url.href);
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(body.toString("utf8"));
    } catch {
      throw new RemoteError("protocol", `${where}: answer is not JSON`, { url: url.href });
    }
    const token = typeof doc.token === "string" && doc.token ? doc.token : doc.access_token;
    if (typeof token !== "string" || !token)
      throw new RemoteError("protocol", `${where}: answer has no token`, { url: url.href });
    const ttlS =
      typeof doc.expires_in === "number" && doc.expires_in > 0 ? doc.expires_in : DEFAULT_TOKEN_TTL_S;
    const ttlMs = ttlS * 1000;
    // Renew a little early: a tenth of the lifetime, at most 30 s.
    return { token, expiresAt: this.now() + ttlMs - Math.min(30_000, ttlMs / 10) };
  }
}
