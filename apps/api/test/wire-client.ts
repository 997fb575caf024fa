// An HTTP client that speaks to /v2 the way registry clients do (containerd, oras-go v2, go-containerregistry):
// a challenge-driven token flow and their two ways of pushing a blob. It logs every exchange so tests can compare
// the sequence a client sends with what the registry answered.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { basic } from "./harness.js";

export const sha = (b: Buffer | string) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

export interface Blob {
  mediaType: string;
  bytes: Buffer;
}

/** Whose token flow: containerd tries an OAuth2 POST first; oras-go v2 and go-containerregistry GET. */
export type Style = "containerd" | "oras" | "ggcr";
interface Send {
  headers?: Record<string, string>;
  body?: Buffer;
  /** The scope the client asks a token for (its hint), instead of the challenge's. */
  scope?: string;
}

/** A path as the log shows it: an upload's location as <id>, with only its digest parameter. */
function shown(path: string): string {
  const m = /^(.*\/blobs\/uploads\/)[^/?]+(\?.*)?$/.exec(path);
  if (!m) return path;
  const digest = new URLSearchParams(m[2] ?? "").get("digest");
  return `${m[1]}<id>${digest ? `?digest=${digest}` : ""}`;
}

const withDigest = (location: string, digest: string) =>
  `${location}${location.includes("?") ? "&" : "?"}digest=${digest}`;

/**
 * Authenticates as these clients do: a request without a token first, then on a 401 a token for its scope from
 * the challenge's realm, then the request again. `log` keeps every exchange as "METHOD path status", and each
 * token fetched as "token <scope>"; `tokenRequests` has the token endpoint's exchanges themselves.
 */
export class WireClient {
  readonly log: string[] = [];
  readonly tokenRequests: string[] = [];
  private readonly tokens = new Map<string, string>();
  /** Without a scope hint, the token last fetched is tried first, as clients reuse theirs. */
  private last: string | undefined;
  constructor(
    readonly base: string,
    readonly creds: [string, string],
    readonly style: Style,
  ) {}

  async send(method: string, path: string, init: Send = {}): Promise<Response> {
    const cached = init.scope ? this.tokens.get(init.scope) : this.last;
    let res = await this.raw(method, path, init, cached);
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get("www-authenticate"));
      const token = await this.fetchToken(challenge, init.scope ?? challenge.scope ?? "");
      res = await this.raw(method, path, init, token);
    }
    return res;
  }

  /** go-containerregistry's ping: GET /v2/ without credentials, then a token for the scope it will need. */
  async ping(scope: string) {
    const res = await this.raw("GET", "/v2/", {});
    assert.equal(res.status, 401);
    await this.fetchToken(parseChallenge(res.headers.get("www-authenticate")), scope);
  }

  /** Sends and checks the status, with the body in the message when it differs. */
  async expect(status: number, method: string, path: string, init: Send = {}): Promise<Response> {
    const res = await this.send(method, path, init);
    if (res.status !== status) assert.fail(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  }

  private async raw(method: string, path: string, init: Send, token?: string): Promise<Response> {
    const res = await fetch(new URL(path, this.base), {
      method,
      // A Buffer is a Uint8Array, which fetch sends as is; the DOM typings do not list it.
      body: init.body as BodyInit | undefined,
      headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      redirect: "manual",
    });
    this.log.push(`${method} ${shown(path)} ${res.status}`);
    return res;
  }

  private async fetchToken(challenge: Record<string, string>, scope: string): Promise<string> {
    const realm = new URL(challenge.realm!);
    const service = challenge.service ?? "";
    this.log.push(`token ${scope}`);
    if (this.style === "containerd") {
      // containerd asks with the OAuth2 password grant first and falls back to GET on 401, 404 or 405.
      const form = new URLSearchParams({ scope, service, client_id: "containerd-client" });
      form.set("grant_type", "password");
      form.set("username", this.creds[0]);
      form.set("password", this.creds[1]);
      const post = await fetch(realm, {
        method: "POST",
        body: form,
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      });
      this.tokenRequests.push(`POST ${realm.pathname} ${post.status}`);
      if (post.status === 200) return this.keep(scope, (await post.json()) as { access_token: string });
      assert.ok(
        [401, 404, 405].includes(post.status),
        `containerd gives up on a POST answered ${post.status}`,
      );
    }
    const q = new URLSearchParams(scope ? { scope, service } : { service });
    const res = await fetch(`${realm.origin}${realm.pathname}?${q}`, {
      headers: { authorization: basic(...this.creds) },
    });
    this.tokenRequests.push(`GET ${realm.pathname}?${q} ${res.status}`);
    assert.equal(res.status, 200);
    return this.keep(scope, (await res.json()) as { token: string });
  }

  private keep(scope: string, body: { token?: string; access_token?: string }): string {
    const token = body.token ?? body.access_token!;
    this.tokens.set(scope, token);
    this.last = token;
    return token;
  }

  /** A blob as oras-go v2 and containerd push it: POST, then one PUT ?digest= carrying the whole body. */
  async putBlobMonolithic(repo: string, blob: Blob, scope: string) {
    const start = await this.expect(202, "POST", `/v2/${repo}/blobs/uploads/`, { scope });
    const put = await this.expect(201, "PUT", withDigest(start.headers.get("location")!, sha(blob.bytes)), {
      body: blob.bytes,
      headers: { "content-type": "application/octet-stream" },
      scope,
    });
    assert.equal(put.headers.get("docker-content-digest"), sha(blob.bytes), "containerd checks the digest");
  }

  /**
   * A blob as go-containerregistry pushes it: HEAD (a blob the repository has is skipped), POST, PATCH with the
   * body, PUT ?digest= without one.
   */
  async putBlobStreamed(repo: string, blob: Blob, scope: string) {
    const head = await this.send("HEAD", `/v2/${repo}/blobs/${sha(blob.bytes)}`, { scope });
    if (head.status === 200) return;
    assert.equal(head.status, 404);
    const start = await this.expect(202, "POST", `/v2/${repo}/blobs/uploads/`, {
      headers: { "content-type": "application/json" },
      scope,
    });
    const patch = await this.expect(202, "PATCH", start.headers.get("location")!, {
      body: blob.bytes,
      headers: { "content-type": "application/octet-stream" },
      scope,
    });
    await this.expect(201, "PUT", withDigest(patch.headers.get("location")!, sha(blob.bytes)), {
      headers: { "content-type": "application/octet-stream" },
      scope,
    });
  }
}

function parseChallenge(header: string | null): Record<string, string> {
  return Object.fromEntries([...(header ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}
