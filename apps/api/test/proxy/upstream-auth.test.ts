// Pull-through from upstreams that want credentials: CNCF distribution with htpasswd (Basic), and a second
// instance of our own server (Bearer tokens from its realm, the distribution token flow). The organization's
// credentials reach the upstream; without them the upstream's refusal reaches the client.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestSystem, type TestSystem } from "../harness.js";
import {
  DOCKER_REGISTRY,
  requireBinaries,
  startDistribution,
  type Distribution,
} from "../remote/upstreams.js";
import { RegistryClient } from "../registry-client.js";
import { startGate, type Gate } from "./gate.js";
import { admin, image, index, parsed, proxyOrg, pull, putUpstream, tune } from "./fixtures.js";

let cache: TestSystem;
let locked: Distribution;
let upstream: TestSystem;
let gate: Gate;
let client: RegistryClient;
const HT = { username: "puller", password: "pull-secret-1" };
const img = image([1024, 200_000]);
const multi = index([image([2048], "amd64"), image([2048], "arm64")]);

before(async () => {
  requireBinaries(DOCKER_REGISTRY, "skopeo", "htpasswd");
  [cache, locked, upstream] = await Promise.all([
    startTestSystem({ FEATURE_PROXY_CACHE: "true" }),
    startDistribution({ htpasswd: HT }),
    startTestSystem({}, { workers: false }),
  ]);
  tune(cache);
  client = new RegistryClient(cache, ["admin", "admin-password"]);
  await putUpstream(locked.host, "team/app", { v1: img }, [HT.username, HT.password]);
  // The upstream of our own kind: an organization holding the image, a robot that may read it.
  const p = (await admin(upstream))!;
  await upstream.services.orgs.create(p, { name: "vendor" });
  await putUpstream(upstream.host, "vendor/app", { v1: img, multi }, ["admin", "admin-password"]);
  gate = await startGate(upstream.host);
});
after(async () => {
  await cache?.services.proxyCacheRuntime.idle();
  await Promise.all([cache?.stop(), locked?.stop(), upstream?.stop(), gate?.close()]);
});

test("htpasswd upstream: the organization's credentials pull; without them, the refusal", async () => {
  await proxyOrg(cache, "ht", locked.host, HT);
  assert.equal((await pull(client, "ht/team/app", "v1")).digest, img.desc.digest);
  await cache.services.proxyCacheRuntime.idle();
  await proxyOrg(cache, "htanon", locked.host);
  const r = await client.req("GET", "htanon/team/app", "/manifests/v1", { actions: "pull" });
  assert.equal(r.status, 404);
  const e = ((await r.json()) as { errors: { code: string; message: string }[] }).errors[0]!;
  assert.equal(e.code, "MANIFEST_UNKNOWN");
  assert.match(e.message, /credentials/);
});

test("our own server as the upstream (token auth): first pull, then only a HEAD", async () => {
  await proxyOrg(cache, "mirror", `${gate.host}/vendor`, { username: "admin", password: "admin-password" });
  assert.equal((await pull(client, "mirror/app", "v1")).digest, img.desc.digest);
  const amd64 = multi.children[0]!;
  assert.equal((await pull(client, "mirror/app", "multi")).digest, multi.desc.digest);
  assert.equal((await pull(client, "mirror/app", amd64.desc.digest)).digest, amd64.desc.digest);
  await cache.services.proxyCacheRuntime.idle();
  for (const d of parsed(img).blobDigests) assert.equal(gate.count("GET", new RegExp(`/blobs/${d}$`)), 1);
  gate.reset();
  await pull(client, "mirror/app", "v1");
  await pull(client, "mirror/app", "multi");
  await pull(client, "mirror/app", amd64.desc.digest);
  assert.deepEqual(gate.content, [
    { method: "HEAD", path: "/v2/vendor/app/manifests/v1" },
    { method: "HEAD", path: "/v2/vendor/app/manifests/multi" },
  ]);
});
