// A GraphQL caller for tests that keeps its session cookie, like a browser does.
import assert from "node:assert/strict";
import type { TestSystem } from "./harness.js";

export interface GqlError {
  message: string;
  extensions?: { code?: string };
}

export class GqlSession {
  cookie: string | null = null;
  constructor(
    readonly sys: TestSystem,
    readonly headers: Record<string, string> = {},
  ) {}

  async raw<T = any>(query: string, variables: Record<string, unknown> = {}) {
    const res = await fetch(`${this.sys.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...this.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) {
      const [pair] = setCookie.split(";");
      this.cookie = pair!.endsWith("=") ? null : pair!;
    }
    const body = (await res.json()) as { data?: T; errors?: GqlError[] };
    return { status: res.status, body, setCookie };
  }

  /** Runs an operation that must succeed. */
  async ok<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const r = await this.raw<T>(query, variables);
    assert.equal(r.body.errors, undefined, `unexpected errors: ${JSON.stringify(r.body.errors)}`);
    return r.body.data as T;
  }

  /** Runs an operation that must fail; returns the first error's code and message. */
  async fails(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{ code: string; message: string }> {
    const r = await this.raw(query, variables);
    assert.ok(r.body.errors?.length, `expected an error, got ${JSON.stringify(r.body.data)}`);
    assert.ok(r.status < 500, `status ${r.status}`);
    const e = r.body.errors![0]!;
    return { code: e.extensions?.code ?? "", message: e.message };
  }

  async login(username: string, password: string): Promise<this> {
    await this.ok(`mutation($u:String!,$p:String!){ login(username:$u,password:$p){ username } }`, {
      u: username,
      p: password,
    });
    assert.ok(this.cookie, "login sets the session cookie");
    return this;
  }
}

export async function signUp(
  sys: TestSystem,
  username: string,
  password = "password-123",
): Promise<GqlSession> {
  const s = new GqlSession(sys);
  await s.ok(
    `mutation($u:String!,$e:String!,$p:String!){ signUp(username:$u,email:$e,password:$p){ username } }`,
    {
      u: username,
      e: `${username}@example.com`,
      p: password,
    },
  );
  return s;
}
