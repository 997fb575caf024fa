// Retries, backoff and tokens against tiny node:http fake upstreams (what a real registry will not do on
// demand: answer 503 or 429 a given number of times, hang, cut a body, expire tokens after a second).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import type http from "node:http";
import { RemoteError, RemoteRegistry } from "../../src/remote/index.js";
import { freePort } from "../../src/infra/embedded-postgres.js";
import { sha256 } from "./content.js";
import { fakeUpstream, type FakeUpstream } from "./fakes.js";

const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {},
    layers: [],
  }),
);
const servers: FakeUpstream[] = [];
const clients: RemoteRegistry[] = [];
after(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
});
const fake = async (h: Parameters<typeof fakeUpstream>[0]) => {
  const s = await fakeUpstream(h);
  servers.push(s);
  return s;
};
const make = (o: ConstructorParameters<typeof RemoteRegistry>[0]) => {
  const c = new RemoteRegistry({ insecure: true, retryDelayMs: 20, maxRetryDelayMs: 100, ...o });
  clients.push(c);
  return c;
};
const manifest = (res: http.ServerResponse) =>
  res
    .writeHead(200, {
      "content-type": "application/vnd.oci.image.manifest.v1+json",
      "docker-content-digest": sha256(MANIFEST),
    })
    .end(MANIFEST);
const isManifestGet = (req: http.IncomingMessage) => req.url!.startsWith("/v2/ns/app/manifests/");

test("503 twice, then the manifest: retried with backoff, three requests in all", async () => {
  let n = 0;
  const up = await fake((req, res) =>
    isManifestGet(req) && ++n > 2 ? manifest(res) : res.writeHead(503).end(),
  );
  const c = make({ registry: up.host, retries: 3 });
  const m = await c.getManifest("ns/app", "v1");
  assert.equal(m.digest, sha256(MANIFEST));
  assert.equal(up.requests.filter((r) => r.url.includes("/manifests/")).length, 3);
});

test("a 503 that lasts: unavailable with status 503 after retries + 1 attempts", async () => {
  const up = await fake((_req, res) =>
    res
      .writeHead(503, { "content-type": "application/json" })
      .end('{"errors":[{"code":"UNAVAILABLE","message":"down for maintenance"}]}'),
  );
  const c = make({ registry: up.host, retries: 2 });
  await assert.rejects(c.getManifest("ns/app", "v1"), (e: unknown) => {
    assert.ok(e instanceof RemoteError);
    assert.deepEqual(
      [e.kind, e.status, e.code, e.upstreamMessage, e.attempts, e.transient],
      ["unavailable", 503, "UNAVAILABLE", "down for maintenance", 3, true],
    );
    return true;
  });
});

test("429 with Retry-After: 1 is waited for, then the request succeeds", async () => {
  let n = 0;
  const up = await fake((req, res) =>
    isManifestGet(req) && n++ === 0 ? res.writeHead(429, { "retry-after": "1" }).end() : manifest(res),
  );
  const c = make({ registry: up.host });
  const t0 = Date.now();
  await c.getManifest("ns/app", "v1");
  assert.ok(Date.now() - t0 >= 950, `waited only ${Date.now() - t0} ms`);
  assert.equal(n, 2);
});

test("429 with a Retry-After beyond the limit goes to the caller at once as rate_limited", async () => {
  const up = await fake((_req, res) => res.writeHead(429, { "retry-after": "3600" }).end());
  const c = make({ registry: up.host, maxRetryAfterMs: 5_000 });
  await assert.rejects(c.headManifest("ns/app", "v1"), (e: unknown) => {
    assert.ok(e instanceof RemoteError);
    assert.deepEqual([e.kind, e.status, e.retryAfterMs, e.attempts], ["rate_limited", 429, 3_600_000, 1]);
    return true;
  });
  assert.equal(up.requests.length, 1);
});

test("an unreachable upstream is unavailable after the retries", async () => {
  const port = await freePort();
  const c = make({ registry: `127.0.0.1:${port}`, retries: 2 });
  const t0 = Date.now();
  await assert.rejects(c.getManifest("ns/app", "v1"), (e: unknown) => {
    assert.ok(e instanceof RemoteError);
    assert.deepEqual([e.kind, e.code, e.attempts], ["unavailable", "ECONNREFUSED", 3]);
    assert.match(e.message, /gave up after 3 attempts/);
    return true;
  });
  assert.ok(Date.now() - t0 >= 20, "backoff between attempts");
});

test("an upstream that never answers times out as unavailable", async () => {
  const up = await fake(() => {});
  const c = make({ registry: up.host, timeoutMs: 200, retries: 1 });
  await assert.rejects(c.ping(), { kind: "unavailable", code: "ETIMEDOUT", attempts: 2 });
});

test("no retry once the caller has a blob's bytes: a cut connection errors the stream", async () => {
  const blob = Buffer.alloc(256 * 1024, 7);
  const up = await fake((req, res) => {
    if (!req.url!.includes("/blobs/")) return void res.writeHead(200).end();
    res.writeHead(200, { "content-length": blob.length });
    res.write(blob.subarray(0, 100 * 1024), () => setTimeout(() => res.socket?.destroy(), 50));
  });
  const c = make({ registry: up.host, retries: 3 });
  const stream = await c.getBlob("ns/app", sha256(blob));
  let got = 0;
  await assert.rejects(
    (async () => {
      for await (const chunk of stream) got += (chunk as Buffer).length;
    })(),
    { kind: "unavailable" },
  );
  assert.ok(got > 0 && got < blob.length);
  assert.equal(up.requests.filter((r) => r.url.includes("/blobs/")).length, 1);
});

/** A registry whose realm is itself: tokens `tok-N` that live `ttl` seconds; `revoke` makes it refuse one. */
async function tokenRegistry(ttl: number, field: "token" | "access_token" = "token") {
  const state = {
    issued: 0,
    scopes: [] as string[],
    auth: [] as string[],
    revoked: new Set<string>(),
    /** The realm answers 503 this many more times. */
    failRealm: 0,
  };
  const up = await fake((req, res) => {
    const u = new URL(req.url!, "http://x");
    if (u.pathname === "/token") {
      state.scopes.push(u.searchParams.get("scope") ?? "");
      state.auth.push(req.headers.authorization ?? "");
      if (state.failRealm-- > 0) return void res.writeHead(503).end();
      return void res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ [field]: `tok-${++state.issued}`, expires_in: ttl }));
    }
    const given = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (!given.startsWith("tok-") || state.revoked.has(given)) {
      const scope = u.pathname === "/v2/" ? "" : `,scope="repository:ns/app:pull"`;
      return void res
        .writeHead(401, {
          "www-authenticate": `Bearer realm="http://${req.headers.host}/token",service="fake"${scope}`,
        })
        .end();
    }
    manifest(res);
  });
  return { up, state };
}

test("tokens: one per scope while valid, a new one after expires_in, Basic credentials sent to the realm", async () => {
  const { up, state } = await tokenRegistry(1);
  const c = make({ registry: up.host, credentials: { username: "u", password: "p" } });
  await c.getManifest("ns/app", "v1");
  await c.getManifest("ns/app", "v2");
  await c.headManifest("ns/app", "v3");
  assert.equal(state.issued, 1);
  assert.deepEqual(state.scopes, ["repository:ns/app:pull"]);
  assert.equal(state.auth[0], `Basic ${Buffer.from("u:p").toString("base64")}`);
  await c.getManifest("ns/other", "v1");
  assert.equal(state.issued, 2, "another scope, another token");
  await new Promise((r) => setTimeout(r, 1_000));
  await c.getManifest("ns/app", "v1");
  assert.equal(state.issued, 3, "expired after expires_in");
  assert.equal(c.tokenRequests, 3);
});

test("tokens: access_token is accepted, anonymous requests send no Authorization to the realm", async () => {
  const { up, state } = await tokenRegistry(300, "access_token");
  const c = make({ registry: up.host });
  await c.getManifest("ns/app", "v1");
  assert.deepEqual([state.issued, state.auth], [1, [""]]);
});

test("tokens: a token the upstream stops accepting is replaced once; a realm that fails is retried", async () => {
  const { up, state } = await tokenRegistry(300);
  const c = make({ registry: up.host });
  await c.getManifest("ns/app", "v1");
  state.revoked.add("tok-1");
  await c.getManifest("ns/app", "v1");
  assert.equal(state.issued, 2);
  state.revoked.add("tok-2");
  state.failRealm = 2;
  const asked = state.scopes.length;
  await c.getManifest("ns/app", "v1");
  assert.equal(state.scopes.length - asked, 3, "the token endpoint was asked again after its two 503s");
  assert.equal(state.issued, 3);
});
