// Authenticated upstreams: a real CNCF distribution with htpasswd (Basic) auth, content pushed by skopeo with
// --dest-creds; and a second Harbormaster (startTestSystem) whose /v2 answers 401 with a Bearer realm, content
// pushed with the test helper RegistryClient. Token requests are counted at the wire through a forward proxy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { MediaType } from "@hm/oci";
import { RemoteError, RemoteRegistry } from "../../src/remote/index.js";
import { startTestSystem, type TestSystem } from "../harness.js";
import { RegistryClient } from "../registry-client.js";
import { Content, skopeoCopy, type Built } from "./content.js";
import { countingProxy, type CountingProxy } from "./fakes.js";
import { DOCKER_REGISTRY, requireBinaries, startDistribution, type Distribution } from "./upstreams.js";

const USER = { username: "puller", password: "s3cret-pass" };
let basicReg: Distribution;
let sys: TestSystem;
let proxy: CountingProxy;
let image: Built;
let layout: string;
let hmDigest: string;
let hmLayer: string;
const clients: RemoteRegistry[] = [];
const make = (...a: ConstructorParameters<typeof RemoteRegistry>) => {
  const c = new RemoteRegistry(...a);
  clients.push(c);
  return c;
};
const kindOf = async (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: unknown) => (e instanceof RemoteError ? e.kind : `not a RemoteError: ${String(e)}`),
  );
const drain = async (s: AsyncIterable<unknown>) => {
  let n = 0;
  for await (const c of s) n += (c as Buffer).length;
  return n;
};

before(async () => {
  requireBinaries(DOCKER_REGISTRY, "skopeo", "htpasswd");
  [basicReg, sys, proxy] = await Promise.all([
    startDistribution({ htpasswd: USER }),
    startTestSystem({}, { workers: false }),
    countingProxy(),
  ]);
  const c = new Content();
  image = c.image({ layerSizes: [4096] });
  layout = c.writeLayout({ v1: image });
  await skopeoCopy(
    `oci:${layout}:v1`,
    `docker://${basicReg.host}/team/app:v1`,
    "--dest-tls-verify=false",
    "--dest-creds",
    `${USER.username}:${USER.password}`,
  );
  const admin = new RegistryClient(sys, ["admin", "admin-password"]);
  const pushed = await admin.pushImage("admin/app", "v1", { layer: "harbormaster layer" });
  hmDigest = pushed.digest;
  hmLayer = (JSON.parse(pushed.bytes.toString()) as { layers: { digest: string }[] }).layers[0]!.digest;
  for (const t of ["v2", "v3", "v4", "v5", "v6"]) await admin.putManifest("admin/app", t, pushed.bytes);
  await admin.pushImage("admin/pub", "latest");
  await sys.db.$executeRawUnsafe(`UPDATE "Repository" SET visibility = 'public' WHERE name = 'pub'`);
});

after(async () => {
  for (const c of clients) c.close();
  await Promise.all([basicReg?.stop(), sys?.stop(), proxy?.close()]);
  if (layout) fs.rmSync(layout, { recursive: true, force: true });
});

test("htpasswd distribution: ping sees Basic; no or wrong credentials are unauthorized", async () => {
  const anon = make({ registry: basicReg.host, insecure: true, retries: 0 });
  const p = await anon.ping();
  assert.equal(p.status, 401);
  assert.equal(p.authScheme, "basic");
  await assert.rejects(anon.getManifest("team/app", "v1"), (e: RemoteError) => {
    assert.equal(e.kind, "unauthorized");
    assert.equal(e.status, 401);
    assert.match(e.message, /requires credentials/);
    return true;
  });
  const wrong = make({ registry: basicReg.host, insecure: true, credentials: { ...USER, password: "nope" } });
  assert.equal(await kindOf(wrong.getManifest("team/app", "v1")), "unauthorized");
  assert.equal(await kindOf(wrong.checkAccess()), "unauthorized");
});

test("htpasswd distribution: Basic credentials pull the manifest and its blobs", async () => {
  const c = make({ registry: basicReg.host, insecure: true, credentials: USER });
  await c.checkAccess("team/app");
  const m = await c.getManifest("team/app", "v1");
  assert.equal(m.digest, image.desc.digest);
  for (const [digest, bytes] of image.blobs)
    assert.equal(await drain(await c.getBlob("team/app", digest)), bytes.length);
  assert.deepEqual(await c.listTags("team/app"), ["v1"]);
  assert.equal(c.tokenRequests, 0);
});

test("Harbormaster upstream: Bearer realm; anonymous is refused on a private repository", async () => {
  const anon = make({ registry: sys.host, insecure: true, retries: 0 });
  const p = await anon.ping();
  assert.deepEqual([p.status, p.authScheme], [401, "bearer"]);
  await assert.rejects(anon.getManifest("admin/app", "v1"), (e: RemoteError) => {
    assert.equal(e.kind, "unauthorized");
    assert.equal(e.status, 401);
    assert.ok(e.code, "the upstream's error code is kept");
    return true;
  });
  // An anonymous token is enough for a public repository.
  const pub = await anon.getManifest("admin/pub", "latest");
  assert.equal(pub.mediaType, MediaType.OciManifest);
});

test("Harbormaster upstream: wrong password is refused at the token endpoint", async () => {
  const c = make({ registry: sys.host, insecure: true, credentials: { username: "admin", password: "x" } });
  await assert.rejects(c.getManifest("admin/app", "v1"), (e: RemoteError) => {
    assert.equal(e.kind, "unauthorized");
    assert.match(e.message, /credentials refused/);
    return true;
  });
  assert.equal(await kindOf(c.checkAccess()), "unauthorized");
});

test("Harbormaster upstream: authenticated pulls; one token per scope, counted at the proxy", async () => {
  const c = make({
    registry: sys.host,
    insecure: true,
    credentials: { username: "admin", password: "admin-password" },
    proxy: { httpProxy: proxy.url },
  });
  const tokenCalls = () => proxy.forwards.filter((u) => new URL(u).pathname === "/v2/auth");
  const before = tokenCalls().length;
  const byTag = await c.getManifest("admin/app", "v1");
  assert.equal(byTag.digest, hmDigest);
  assert.deepEqual(await c.getManifest("admin/app", hmDigest), byTag);
  assert.equal((await c.headManifest("admin/app", "v2"))?.digest, hmDigest);
  assert.equal(await drain(await c.getBlob("admin/app", hmLayer)), "harbormaster layer".length);
  const after1 = tokenCalls().slice(before);
  assert.equal(after1.length, 1, `token requests: ${after1.join(" ")}`);
  assert.equal(new URL(after1[0]!).searchParams.get("scope"), "repository:admin/app:pull");
  assert.equal(new URL(after1[0]!).searchParams.get("service"), sys.host);
  await c.getManifest("admin/pub", "latest");
  assert.equal(tokenCalls().length - before, 2, "a second scope needs a second token");
  await c.getManifest("admin/app", "v3");
  assert.equal(tokenCalls().length - before, 2, "the first scope's token is still cached");
  assert.equal(c.tokenRequests, 2);
});

test("Harbormaster upstream: tag pagination with n/last follows Link until the last page", async () => {
  const c = make({
    registry: sys.host,
    insecure: true,
    credentials: { username: "admin", password: "admin-password" },
    proxy: { httpProxy: proxy.url },
  });
  const pages = () => proxy.forwards.filter((u) => new URL(u).pathname === "/v2/admin/app/tags/list");
  const before = pages().length;
  assert.deepEqual(await c.listTags("admin/app", { pageSize: 2 }), ["v1", "v2", "v3", "v4", "v5", "v6"]);
  // The first page is asked twice: without a token (the 401 teaches the challenge), then with one.
  const seen = [
    ...new Set(
      pages()
        .slice(before)
        .map((u) => new URL(u).search),
    ),
  ];
  assert.ok(seen.length >= 3, `pages: ${seen.join(" ")}`);
  assert.equal(seen[0], "?n=2");
  assert.match(seen[1]!, /last=v2/);
  assert.deepEqual(await c.listTags("admin/app"), ["v1", "v2", "v3", "v4", "v5", "v6"]);
  assert.equal(await kindOf(c.listTags("admin/nothing")), "not_found");
});
