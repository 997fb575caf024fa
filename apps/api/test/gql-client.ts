// A GraphQL caller for tests that keeps its session cookie, like a browser does. It sends the typed documents
// of @hm/schema, the ones clients send, so variables and results are checked against the schema at compile
// time; `raw` also takes a string, for requests no client would make.
import assert from "node:assert/strict";
import { print } from "graphql";
import {
  LoginDocument,
  SignUpDocument,
  type ResultOf,
  type TadaDocumentNode,
  type VariablesOf,
} from "@hm/schema";

export interface GqlError {
  message: string;
  extensions?: { code?: string };
}

export type Document = TadaDocumentNode<any, any, any>;
/** Variables may be left out only when the operation has no required ones. */
type VarsArg<D extends Document> =
  Partial<VariablesOf<D>> extends VariablesOf<D> ? [variables?: VariablesOf<D>] : [variables: VariablesOf<D>];
type Response<T> = { status: number; body: { data?: T; errors?: GqlError[] }; setCookie: string | null };

/** A session that login or signUp signed in, so its username is known. */
export type SignedIn = { username: string };

export class GqlSession {
  cookie: string | null = null;
  /** Who signed in through login or signUp. */
  username: string | null = null;
  constructor(
    readonly server: { url: string },
    readonly headers: Record<string, string> = {},
  ) {}

  /** Sends a typed document; a string is for requests no client would make, and its result is untyped. */
  async raw<D extends Document>(document: D, ...variables: VarsArg<D>): Promise<Response<ResultOf<D>>>;
  async raw(query: string, variables?: Record<string, unknown>): Promise<Response<any>>;
  async raw(query: string | Document, variables: Record<string, unknown> = {}): Promise<Response<unknown>> {
    const res = await fetch(`${this.server.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...this.headers,
      },
      body: JSON.stringify({ query: typeof query === "string" ? query : print(query), variables }),
    });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) {
      const [pair] = setCookie.split(";");
      this.cookie = pair!.endsWith("=") ? null : pair!;
    }
    const body = (await res.json()) as Response<unknown>["body"];
    return { status: res.status, body, setCookie };
  }

  /** Runs an operation that must succeed. */
  async ok<D extends Document>(document: D, ...variables: VarsArg<D>): Promise<ResultOf<D>> {
    const r = await this.raw(document, ...variables);
    assert.equal(r.body.errors, undefined, `unexpected errors: ${JSON.stringify(r.body.errors)}`);
    return r.body.data!;
  }

  /** Runs an operation that must fail; returns the first error's code and message. */
  async fails<D extends Document>(
    document: D,
    ...variables: VarsArg<D>
  ): Promise<{ code: string; message: string }> {
    const r = await this.raw(document, ...variables);
    assert.ok(r.body.errors?.length, `expected an error, got ${JSON.stringify(r.body.data)}`);
    assert.ok(r.status < 500, `status ${r.status}`);
    const e = r.body.errors![0]!;
    return { code: e.extensions?.code ?? "", message: e.message };
  }

  async login(username: string, password: string): Promise<this & SignedIn> {
    await this.ok(LoginDocument, { username, password });
    assert.ok(this.cookie, "login sets the session cookie");
    this.username = username;
    return this as this & SignedIn;
  }
}

export async function signUp(
  server: { url: string },
  username: string,
  password = "password-123",
): Promise<GqlSession & SignedIn> {
  const s = new GqlSession(server);
  await s.ok(SignUpDocument, { username, email: `${username}@example.com`, password });
  s.username = username;
  return s as GqlSession & SignedIn;
}
