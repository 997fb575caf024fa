// A REST caller for tests, as scripts call Quay's API: a bearer token, Basic `$app`/`$oauthtoken`, or a
// browser session with its CSRF token. Every answer goes through the contract check (the discovery
// document), so each test of the suite also tests the document.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { OAUTH_SCOPES } from "../../src/access/authz.js";
import { startTestSystem, type TestSystem } from "../harness.js";
import { GqlSession } from "../gql-client.js";
import { Contract } from "./contract.js";

export type Auth =
  | { bearer: string }
  | { basic: [string, string] }
  | { cookie: string; csrf?: string }
  | Record<string, never>;

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** The contract violations seen by every caller of a file, asserted empty after its last test. */
const violations: string[] = [];
after(() => assert.deepEqual(violations, [], "REST answers that break the discovery document"));

export class Rest {
  constructor(
    readonly base: string,
    readonly contract: Contract,
    readonly auth: Auth = {},
  ) {}

  with(auth: Auth): Rest {
    return new Rest(this.base, this.contract, auth);
  }

  async call<T = any>(
    method: string,
    path: string,
    opts: { body?: unknown; raw?: string; headers?: Record<string, string>; outsideContract?: boolean } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    const a = this.auth as Partial<{ bearer: string; basic: [string, string]; cookie: string; csrf: string }>;
    if (a.bearer) headers.authorization = `Bearer ${a.bearer}`;
    if (a.basic) headers.authorization = `Basic ${Buffer.from(a.basic.join(":")).toString("base64")}`;
    if (a.cookie) headers.cookie = a.cookie;
    if (a.csrf) headers["x-csrf-token"] = a.csrf;
    let payload: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(`${this.base}/api/v1${path}`, { method, headers, body: payload });
    const text = await res.text();
    assert.match(
      res.headers.get("content-type") ?? "application/json",
      /json/,
      `${method} ${path}: JSON answer`,
    );
    const body = text ? (JSON.parse(text) as T) : (null as T);
    assert.ok(res.status < 500, `${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    if (!opts.outsideContract)
      violations.push(...this.contract.check(method, `/api/v1${path}`, res.status, body));
    return { status: res.status, body, headers: res.headers };
  }

  /** A call that must answer `status` (default: any 2xx); returns the body. */
  async expect<T = any>(status: number | "2xx", method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call<T>(method, path, { body });
    if (status === "2xx")
      assert.ok(
        r.status >= 200 && r.status < 300,
        `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`,
      );
    else assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  get = <T = any>(path: string) => this.expect<T>("2xx", "GET", path);
  put = <T = any>(path: string, body?: unknown) => this.expect<T>("2xx", "PUT", path, body);
  post = <T = any>(path: string, body?: unknown) => this.expect<T>("2xx", "POST", path, body);
  del = (path: string) => this.expect(204, "DELETE", path);
}

/** Quay's error shape, with the status it must carry. */
export function assertQuayError(r: Answer, status: number, detail?: RegExp) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  for (const k of ["detail", "error_message", "error_type", "title", "type", "status"])
    assert.ok(k in r.body, k);
  assert.equal(r.body.status, status);
  assert.equal(r.body.detail, r.body.error_message);
  if (detail) assert.match(r.body.detail, detail);
}

/** The file's system, its contract, and the means to sign users in and mint their tokens. */
export class RestWorld {
  sys!: TestSystem;
  contract!: Contract;
  anonymous!: Rest;
  private clientId = "";

  private started: Promise<void> | null = null;

  static forFile(env: Record<string, string> = {}): RestWorld {
    const w = new RestWorld();
    before(() => w.start(env));
    after(async () => w.sys?.stop());
    return w;
  }

  /**
   * Starts the file's system once; a file's own `before` awaits it first (node may run the file's hooks
   * before this one).
   */
  start(env: Record<string, string> = {}): Promise<void> {
    return (this.started ??= (async () => {
      this.sys = await startTestSystem(env);
      const doc = await (await fetch(`${this.sys.url}/api/v1/discovery`)).json();
      this.contract = new Contract(doc);
      this.anonymous = new Rest(this.sys.url, this.contract);
      // One application issues the tokens of every test user.
      const admin = await this.principal("admin", "admin-password");
      await this.sys.services.orgs.create(admin, { name: "tokenissuer" });
      const { app } = await this.sys.services.oauth.createApplication(admin, "tokenissuer", {
        name: "tests",
      });
      this.clientId = app.clientId;
    })());
  }

  async principal(username: string, password: string) {
    const p = await this.sys.services.accounts.verifyPassword(username, password);
    assert.ok(p, `${username} signs in`);
    return p;
  }

  /** An OAuth access token of the user with these scopes (all of them when left out). */
  async token(username: string, password: string, scopes: string[] = [...OAUTH_SCOPES]): Promise<string> {
    const p = await this.principal(username, password);
    const held = p.kind === "user" && p.superuser ? scopes : scopes.filter((s) => s !== "super:user");
    return this.sys.services.oauth.issueToken(p, this.clientId, held);
  }

  /** A REST caller with a bearer token of the user. */
  async as(username: string, password: string, scopes?: string[]): Promise<Rest> {
    return this.anonymous.with({ bearer: await this.token(username, password, scopes) });
  }

  /** A user signed up through GraphQL, with a REST caller holding every scope they may hold. */
  async user(base: string): Promise<{ name: string; password: string; rest: Rest; gql: GqlSession }> {
    const name = `${base}${Math.random().toString(16).slice(2, 10)}`;
    const gql = new GqlSession(this.sys);
    const password = "password-123";
    await gql.raw(
      `mutation($u: String!, $e: String!, $p: String!) { signUp(username: $u, email: $e, password: $p) { username } }`,
      { u: name, e: `${name}@example.com`, p: password },
    );
    assert.ok(gql.cookie, `${name} signed up`);
    return { name, password, rest: await this.as(name, password), gql };
  }
}
