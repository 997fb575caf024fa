// How the REST door takes requests: who is calling (bearer and Basic tokens, the console session and its
// CSRF token), the scope a token needs, and bad input answered with 4xx in Quay's error shape.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertQuayError, RestWorld } from "./client.js";

const w = RestWorld.forFile();

describe("callers", () => {
  test("a bearer token, the same token as Basic $oauthtoken; a bad token is 401, passwords are refused", async () => {
    const u = await w.user("caller");
    const token = await w.token(u.name, u.password);
    assert.equal((await w.anonymous.with({ bearer: token }).get("/user/")).username, u.name);
    assert.equal((await w.anonymous.with({ basic: ["$oauthtoken", token] }).get("/user/")).username, u.name);
    assertQuayError(
      await w.anonymous.with({ bearer: `${token}x` }).call("GET", "/user/"),
      401,
      /invalid or has expired/,
    );
    assertQuayError(
      await w.anonymous.with({ basic: [u.name, u.password] }).call("GET", "/user/"),
      401,
      /OAuth access token/,
    );
  });

  test("the console session: reads freely, writes only with the session's CSRF token", async () => {
    const u = await w.user("session");
    const cookie = u.gql.cookie!;
    const session = w.anonymous.with({ cookie });
    assert.equal((await session.get("/user/")).username, u.name);
    assertQuayError(
      await session.call("POST", "/repository", { body: { repository: "x", visibility: "private" } }),
      403,
      /CSRF token was invalid or missing/,
    );
    const csrf = (await (await fetch(`${w.sys.url}/csrf_token`, { headers: { cookie } })).json()).csrf_token;
    assert.ok(csrf);
    const withCsrf = w.anonymous.with({ cookie, csrf });
    await withCsrf.expect(201, "POST", "/repository", { repository: "x", visibility: "private" });
    // Another session's token does not pass.
    const other = await w.user("other");
    const theirs = (
      await (await fetch(`${w.sys.url}/csrf_token`, { headers: { cookie: other.gql.cookie! } })).json()
    ).csrf_token;
    assertQuayError(
      await w.anonymous.with({ cookie, csrf: theirs }).call("DELETE", `/repository/${u.name}/x`),
      403,
      /CSRF/,
    );
    assert.equal((await fetch(`${w.sys.url}/csrf_token`)).status, 401);
  });

  test("a token is held to each route's scope: 403 without it, the route works with it", async () => {
    const u = await w.user("scoped");
    const readOnly = await w.as(u.name, u.password, ["repo:read"]);
    assertQuayError(
      await readOnly.call("POST", "/repository", { body: { repository: "x", visibility: "private" } }),
      403,
      /repo:create/,
    );
    assertQuayError(await readOnly.call("GET", "/user/"), 403, /user:read/);
    assertQuayError(await readOnly.call("PUT", "/user/robots/bot"), 403, /user:admin/);
    const creator = await w.as(u.name, u.password, ["repo:create", "repo:read"]);
    await creator.expect(201, "POST", "/repository", { repository: "x", visibility: "private" });
    assert.equal((await readOnly.get(`/repository/${u.name}/x`)).can_write, false, "repo:read caps the role");
    const userRead = await w.as(u.name, u.password, ["user:read"]);
    assert.equal((await userRead.get("/user/")).username, u.name);
    // user:admin holds user:read.
    assert.equal((await (await w.as(u.name, u.password, ["user:admin"])).get("/user/")).username, u.name);
  });
});

describe("bad input", () => {
  test("unknown fields, wrong types, missing and malformed bodies: 400 naming the problem", async () => {
    const u = await w.user("input");
    const post = (body: unknown) => u.rest.call("POST", "/repository", { body });
    assertQuayError(
      await post({ repository: "x", visibility: "private", colour: "red" }),
      400,
      /unknown field 'colour'/,
    );
    assertQuayError(await post({ repository: 5, visibility: "private" }), 400, /body\.repository/);
    assertQuayError(await post({ repository: "x", visibility: "secret" }), 400, /body\.visibility/);
    assertQuayError(await post([]), 400, /body/);
    assertQuayError(await u.rest.call("POST", "/repository"), 400, /Missing JSON body/);
    assertQuayError(
      await u.rest.call("POST", "/repository", {
        raw: "{nope",
        headers: { "content-type": "application/json" },
      }),
      400,
      /not valid JSON/,
    );
    assertQuayError(await post({ repository: "a\u0000b", visibility: "private" }), 400, /NUL/);
  });

  test("an oversized body is refused with 413 before it is read whole", async () => {
    const u = await w.user("big");
    const r = await u.rest.call("PUT", `/repository/${u.name}/none`, {
      body: { description: "x".repeat(2 * 1024 * 1024) },
    });
    assertQuayError(r, 413, /larger than/);
  });

  test("query parameters: bad integers, repeated values, bad page tokens; unknown ones are ignored", async () => {
    const u = await w.user("query");
    await u.rest.post("/repository", { repository: "r", visibility: "private" });
    const tags = `/repository/${u.name}/r/tag/`;
    assertQuayError(
      await u.rest.call("GET", `${tags}?limit=abc`),
      400,
      /limit must be an integer from 1 to 100/,
    );
    assertQuayError(await u.rest.call("GET", `${tags}?limit=101`), 400, /limit/);
    assertQuayError(await u.rest.call("GET", `${tags}?page=1&page=2`), 400, /page must be given once/);
    assertQuayError(
      await u.rest.call("GET", `/repository?namespace=${u.name}&next_page=AAAA`),
      400,
      /cursor/i,
    );
    // Quay's own clients send parameters it ignores (the seed's quota=true); so do we.
    assert.equal(
      (await u.rest.get(`/repository?namespace=${u.name}&quota=true&colour=red`)).repositories.length,
      1,
    );
  });

  test("unknown paths and methods answer JSON, never the console's page", async () => {
    for (const path of ["/api/v1/nothing/here", "/api/nothing", "/api"]) {
      const r = await fetch(`${w.sys.url}${path}`, { headers: { accept: "text/html" } });
      assert.equal(r.status, 404);
      assert.match(r.headers.get("content-type")!, /json/);
      assert.equal(((await r.json()) as { error_type: string }).error_type, "not_found");
    }
    const r = await w.anonymous.call("PATCH", "/user/", { outsideContract: true });
    assertQuayError(r, 405);
    assert.match(r.headers.get("allow")!, /GET/);
    const described = await w.anonymous.get("/error/not_found");
    assert.equal(described.title, "not_found");
  });
});
