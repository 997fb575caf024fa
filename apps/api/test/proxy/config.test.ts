// The proxy cache configuration through Quay's REST calls with the seed's bodies (create, get, delete and
// validate, against real upstreams: CNCF distribution open and with htpasswd, and a second instance of our
// own server with token auth), through GraphQL, and absent when FEATURE_PROXY_CACHE is off.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestSystem, type TestSystem } from "../harness.js";
import { GqlSession } from "../gql-client.js";
import { RestWorld, assertQuayError, type Rest } from "../rest/client.js";
import {
  DOCKER_REGISTRY,
  requireBinaries,
  startDistribution,
  type Distribution,
} from "../remote/upstreams.js";

const w = RestWorld.forFile({ FEATURE_PROXY_CACHE: "true" });
let open: Distribution;
let locked: Distribution;
let ours: TestSystem;
let owner: { name: string; password: string; rest: Rest; gql: GqlSession };
let member: { name: string; password: string; rest: Rest };
const HT = { username: "puller", password: "pull-secret-1" };

before(async () => {
  requireBinaries(DOCKER_REGISTRY, "htpasswd");
  await w.start();
  [open, locked, ours] = await Promise.all([
    startDistribution(),
    startDistribution({ htpasswd: HT }),
    startTestSystem({}, { workers: false }),
  ]);
  owner = await w.user("owner");
  member = await w.user("member");
  const s = w.sys.services;
  const p = await w.principal(owner.name, owner.password);
  for (const org of ["pc", "pc2", "pcgql"]) await s.orgs.create(p, { name: org });
  await s.teams.create(p, "pc", { name: "readers", role: "member" });
  await s.teams.addMember(p, "pc", "readers", member.name);
  const m = await w.principal(member.name, member.password);
  const invite = (await s.teams.invitationsFor(m))[0];
  if (invite) await s.teams.acceptInvite(m, invite.id);
});
after(async () => {
  await Promise.all([open?.stop(), locked?.stop(), ours?.stop()]);
});

test("create with the seed's body: 201 Created; GET shows it without secrets; twice is refused", async () => {
  const body = {
    upstream_registry: `${locked.host}/library`,
    expiration_s: 3600,
    insecure: true,
    upstream_registry_username: HT.username,
    upstream_registry_password: HT.password,
  };
  const created = await owner.rest.call("POST", "/organization/pc/proxycache", { body });
  assert.equal(created.status, 201);
  assert.equal(created.body, "Created");
  const got = await member.rest.get("/organization/pc/proxycache");
  assert.deepEqual(got, { upstream_registry: `${locked.host}/library`, expiration_s: 3600, insecure: true });
  const row = await w.sys.db.proxyCacheConfig.findFirstOrThrow({ where: { namespace: { name: "pc" } } });
  assert.ok(row.credentialsSealed && !row.credentialsSealed.includes(HT.password), "sealed at rest");
  const log = await w.sys.db.auditLog.findFirstOrThrow({ where: { kind: "create_proxy_cache_config" } });
  assert.deepEqual(log.metadata, { namespace: "pc", upstream_registry: `${locked.host}/library` });
  assertQuayError(
    await owner.rest.call("POST", "/organization/pc/proxycache", { body }),
    400,
    /Proxy Cache Configuration already exists/,
  );
  // Members read it; only admins change it; outsiders see nothing.
  assertQuayError(await member.rest.call("POST", "/organization/pc2/proxycache", { body }), 403);
  assertQuayError(await member.rest.call("DELETE", "/organization/pc/proxycache"), 403);
  assertQuayError(await w.anonymous.call("GET", "/organization/pc/proxycache"), 401);
});

test("an organization without one answers Quay's empty view", async () => {
  assert.deepEqual(await owner.rest.get("/organization/pc2/proxycache"), {
    upstream_registry: "",
    expiration_s: "",
    insecure: "",
  });
});

test("bad configurations are refused with the reason", async () => {
  const post = (body: unknown) => owner.rest.call("POST", "/organization/pc2/proxycache", { body });
  assertQuayError(await post({ upstream_registry: "not a host!" }), 400, /upstream_registry/);
  assertQuayError(await post({ upstream_registry: open.host, expiration_s: 0 }), 400, /expiration_s/);
  assertQuayError(
    await post({ upstream_registry: open.host, upstream_registry_username: "x" }),
    400,
    /together/,
  );
  assertQuayError(await post({ expiration_s: 10 }), 400, /upstream_registry/);
});

test("delete: 201 Deleted, then nothing to delete", async () => {
  const d = await owner.rest.call("DELETE", "/organization/pc/proxycache");
  assert.equal(d.status, 201);
  assert.equal(d.body, "Deleted");
  assert.equal((await owner.rest.get("/organization/pc/proxycache")).upstream_registry, "");
  assertQuayError(await owner.rest.call("DELETE", "/organization/pc/proxycache"), 404);
  assert.ok(await w.sys.db.auditLog.findFirst({ where: { kind: "delete_proxy_cache_config" } }));
});

test("validate: Valid with good credentials, 400 with bad ones, Anonymous without; real upstreams", async () => {
  const validate = (body: unknown) =>
    owner.rest.call("POST", "/organization/pc2/validateproxycache", { body });
  const ok = async (body: unknown, expected: string) => {
    const r = await validate(body);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body, expected);
  };
  await ok({ upstream_registry: open.host, insecure: true }, "Valid");
  await ok(
    {
      upstream_registry: locked.host,
      insecure: true,
      upstream_registry_username: HT.username,
      upstream_registry_password: HT.password,
    },
    "Valid",
  );
  await ok({ upstream_registry: locked.host, insecure: true }, "Anonymous");
  assertQuayError(
    await validate({
      upstream_registry: locked.host,
      insecure: true,
      upstream_registry_username: HT.username,
      upstream_registry_password: "wrong",
    }),
    400,
    /Failed login to remote registry/,
  );
  // Our own server with token auth (a realm answering Basic credentials with tokens).
  await ok(
    {
      upstream_registry: ours.host,
      insecure: true,
      upstream_registry_username: "admin",
      upstream_registry_password: "admin-password",
    },
    "Valid",
  );
  assertQuayError(
    await validate({
      upstream_registry: ours.host,
      insecure: true,
      upstream_registry_username: "admin",
      upstream_registry_password: "nope",
    }),
    400,
    /Failed login to remote registry/,
  );
  assertQuayError(
    await validate({ upstream_registry: "127.0.0.1:9", insecure: true }),
    400,
    /Failed to validate Proxy cache configuration/,
  );
  // Nothing was saved by validating.
  assert.equal((await owner.rest.get("/organization/pc2/proxycache")).upstream_registry, "");
});

test("GraphQL: the feature, the organization's configuration, create, validate and delete", async () => {
  const gql = owner.gql;
  const sys = await gql.raw("{ system { features { proxyCache } } }");
  assert.equal(sys.body.data.system.features.proxyCache, true);
  const v = await gql.raw(
    `mutation($i: ProxyCacheInput!) { validateProxyCache(organization: "pcgql", input: $i) { valid status message } }`,
    { i: { upstreamRegistry: locked.host, insecure: true, username: HT.username, password: "wrong" } },
  );
  assert.deepEqual(v.body.data.validateProxyCache, {
    valid: false,
    status: null,
    message: "Failed login to remote registry. Please verify entered details and try again.",
  });
  const c = await gql.raw(
    `mutation($i: ProxyCacheInput!) { createProxyCache(organization: "pcgql", input: $i) { upstreamRegistry expirationS insecure hasCredentials } }`,
    { i: { upstreamRegistry: open.host, insecure: true } },
  );
  assert.deepEqual(c.body.data.createProxyCache, {
    upstreamRegistry: open.host,
    expirationS: 86400,
    insecure: true,
    hasCredentials: false,
  });
  const q = `{ organization(name: "pcgql") { proxyCache { upstreamRegistry } } }`;
  assert.equal((await gql.raw(q)).body.data.organization.proxyCache.upstreamRegistry, open.host);
  // Someone outside the organization sees the organization, not its configuration.
  assert.equal((await new GqlSession(w.sys).raw(q)).body.data.organization.proxyCache, null);
  const d = await gql.raw(`mutation { deleteProxyCache(organization: "pcgql") }`);
  assert.equal(d.body.data.deleteProxyCache, true);
  assert.equal((await gql.raw(q)).body.data.organization.proxyCache, null);
});

test("with FEATURE_PROXY_CACHE off: no REST routes, GraphQL refuses, the feature reads false", async () => {
  const off = await startTestSystem({}, { workers: false });
  try {
    const res = await fetch(`${off.url}/api/v1/organization/x/proxycache`);
    assert.equal(res.status, 404);
    const gql = await new GqlSession(off).login("admin", "admin-password");
    assert.equal(
      (await gql.raw("{ system { features { proxyCache } } }")).body.data.system.features.proxyCache,
      false,
    );
    const e = await gql.raw(
      `mutation { createProxyCache(organization: "x", input: { upstreamRegistry: "quay.io" }) { insecure } }`,
    );
    assert.equal(e.body.errors?.[0]?.extensions?.code, "NOT_FOUND");
  } finally {
    await off.stop();
  }
});
