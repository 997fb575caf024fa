// An external tool obtains a token the way Quay's users' tools do: the authorization-code grant through
// /oauth/authorize, the consent form's post and /oauth/access_token; and the implicit grant.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import { assertQuayError, RestWorld } from "./client.js";

const w = RestWorld.forFile();
const REDIRECT = "https://tool.example.com/oauth/cb";
let app: { client_id: string; client_secret: string };
let user: Awaited<ReturnType<RestWorld["user"]>>;

/** The grantor and their organization's application, made once for the file's tests. */
let made: Promise<void> | null = null;
const setUp = () =>
  (made ??= (async () => {
    await w.start();
    user = await w.user("grantor");
    const org = `tools${Math.random().toString(16).slice(2, 8)}`;
    await user.rest.post("/organization/", { name: org });
    app = await user.rest.post(`/organization/${org}/applications`, {
      name: "Tool",
      redirect_uri: "https://tool.example.com/oauth",
    });
  })());
beforeEach(() => setUp());

const authorizeQuery = (extra: Record<string, string> = {}) =>
  new URLSearchParams({
    response_type: "code",
    client_id: app.client_id,
    redirect_uri: REDIRECT,
    scope: "repo:read user:read",
    state: "s-42",
    ...extra,
  });

async function consent(extra: Record<string, string> = {}, cookie = user.gql.cookie!) {
  return fetch(`${w.sys.url}/oauth/authorize?${authorizeQuery({ ...extra, format: "json" })}`, {
    headers: { cookie },
  });
}

/** Submits the consent form as the console's page does. */
async function approve(fields: Record<string, string>, cookie = user.gql.cookie!) {
  return fetch(`${w.sys.url}/oauth/authorizeapp`, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

const exchange = (fields: Record<string, string>) =>
  fetch(`${w.sys.url}/oauth/access_token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });

describe("authorization-code grant", () => {
  test("consent, code, token; the token carries the scopes approved; the code works once", async () => {
    const page = await consent();
    assert.equal(page.status, 200);
    const info = (await page.json()) as any;
    assert.equal(info.application.name, "Tool");
    assert.deepEqual(
      info.scopes.map((s: { scope: string }) => s.scope),
      ["repo:read", "user:read"],
    );
    assert.equal(info.has_dangerous_scopes, false);

    const fields = { ...Object.fromEntries(authorizeQuery()), _csrf_token: info.csrf_token_val };
    const r = await approve(fields);
    assert.equal(r.status, 302);
    const back = new URL(r.headers.get("location")!);
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
    assert.equal(back.searchParams.get("state"), "s-42");
    const code = back.searchParams.get("code")!;
    assert.ok(code);

    const grant = {
      grant_type: "authorization_code",
      client_id: app.client_id,
      client_secret: app.client_secret,
      code,
      redirect_uri: REDIRECT,
    };
    assert.equal((await exchange({ ...grant, client_secret: "wrong" })).status, 400);
    const t = await exchange(grant);
    assert.equal(t.status, 200);
    assert.equal(t.headers.get("cache-control"), "no-store");
    const token = (await t.json()) as {
      access_token: string;
      token_type: string;
      expires_in: number;
      scope: string;
    };
    assert.deepEqual(
      [token.token_type, token.expires_in, token.scope],
      ["Bearer", 315576000, "repo:read user:read"],
    );

    const tool = w.anonymous.with({ bearer: token.access_token });
    assert.equal((await tool.get("/user/")).username, user.name);
    assertQuayError(
      await tool.call("POST", "/repository", { body: { repository: "x", visibility: "private" } }),
      403,
    );

    const again = await exchange(grant);
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { error: string }).error, "invalid_grant");
  });

  test("a client authenticating with Basic; a code asked back at another redirect URI is refused", async () => {
    const info = (await (await consent()).json()) as any;
    const r = await approve({ ...Object.fromEntries(authorizeQuery()), _csrf_token: info.csrf_token_val });
    const code = new URL(r.headers.get("location")!).searchParams.get("code")!;
    const basicAuth = `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString("base64")}`;
    const wrongUri = await fetch(`${w.sys.url}/oauth/access_token`, {
      method: "POST",
      headers: { authorization: basicAuth, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: "https://tool.example.com/oauth/other",
      }),
    });
    assert.equal(((await wrongUri.json()) as { error: string }).error, "invalid_grant");
    const unsupported = await exchange({ grant_type: "password", client_id: app.client_id });
    assert.equal(((await unsupported.json()) as { error: string }).error, "unsupported_grant_type");
  });
});

describe("implicit grant and refusals", () => {
  test("response_type=token sends the token back in the fragment", async () => {
    const info = (await (await consent({ response_type: "token" })).json()) as any;
    const r = await approve({
      ...Object.fromEntries(authorizeQuery({ response_type: "token" })),
      _csrf_token: info.csrf_token_val,
    });
    assert.equal(r.status, 302);
    const fragment = new URLSearchParams(new URL(r.headers.get("location")!).hash.slice(1));
    assert.equal(fragment.get("token_type"), "Bearer");
    assert.equal(fragment.get("state"), "s-42");
    const tool = w.anonymous.with({ bearer: fragment.get("access_token")! });
    assert.equal((await tool.get("/user/")).username, user.name);
  });

  test("a redirect URI outside the application's, unknown scopes, no session, no CSRF, and denial", async () => {
    for (const [extra, error] of [
      [{ redirect_uri: "https://evil.example.com/oauth/cb" }, "invalid_request"],
      [{ redirect_uri: "https://tool.example.com/other" }, "invalid_request"],
      [{ redirect_uri: "https://tool.example.com/oauth/../x" }, "invalid_request"],
      [{ scope: "repo:read everything" }, "invalid_scope"],
      [{ client_id: "nope" }, "invalid_client"],
      [{ response_type: "magic" }, "unsupported_response_type"],
    ] as const) {
      const r = await consent(extra);
      assert.equal(r.status, 400, JSON.stringify(extra));
      assert.equal(((await r.json()) as { error: string }).error, error);
    }
    assert.equal((await consent({}, "hm_session=nobody")).status, 401);
    const noCsrf = await approve(Object.fromEntries(authorizeQuery()));
    assert.equal(noCsrf.status, 403);
    const info = (await (await consent()).json()) as any;
    const denied = await fetch(`${w.sys.url}/oauth/denyapp`, {
      method: "POST",
      headers: { cookie: user.gql.cookie!, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        ...Object.fromEntries(authorizeQuery()),
        _csrf_token: info.csrf_token_val,
      }),
      redirect: "manual",
    });
    assert.equal(denied.status, 302);
    assert.equal(new URL(denied.headers.get("location")!).searchParams.get("error"), "access_denied");
    // super:user is for superusers only: the grant is refused back to the application.
    const su = await approve({
      ...Object.fromEntries(authorizeQuery({ scope: "super:user" })),
      _csrf_token: info.csrf_token_val,
    });
    assert.equal(new URL(su.headers.get("location")!).searchParams.get("error"), "access_denied");
  });
});
