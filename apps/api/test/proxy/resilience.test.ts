// When the upstream or the clients misbehave: the upstream away within the staleness period (the cached copy
// is served) and after it (the error reaches the client), rate limiting, concurrent first pulls (fetched
// from the upstream once), a client that leaves mid-layer (the blob is cached all the same), and a blob the
// upstream corrupts (never cached, the client never gets it whole).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  MiB,
  image,
  linked,
  parsed,
  proxyOrg,
  pull,
  putUpstream,
  startWorld,
  type World,
} from "./fixtures.js";

let w: World;
const idle = () => w.sys.services.proxyCacheRuntime.idle();
const code = async (r: Response) =>
  ((await r.json()) as { errors: { code: string; message: string }[] }).errors[0]!;

before(async () => {
  w = await startWorld();
  await proxyOrg(w.sys, "cache", w.gate.host);
  // Two seconds of staleness for the "after" case.
  await proxyOrg(w.sys, "brief", w.gate.host, { expirationS: 2 });
});
after(() => w?.stop());

test("upstream away: within the staleness period the cached copy is served, after it the error", async () => {
  const img = image([2048]);
  await putUpstream(w.dist.host, "lib/stale", { v1: img });
  await pull(w.client, "cache/lib/stale", "v1");
  await pull(w.client, "brief/lib/stale", "v1");
  await idle();
  const before = await w.sys.db.proxyCachedTag.findMany({
    where: { tag: "v1" },
    orderBy: { repositoryId: "asc" },
  });
  w.gate.down();
  try {
    const served = await pull(w.client, "cache/lib/stale", "v1");
    assert.equal(served.digest, img.desc.digest);
    await idle();
    const rows = await w.sys.db.proxyCachedTag.findMany({
      where: { tag: "v1" },
      orderBy: { repositoryId: "asc" },
    });
    assert.equal(
      rows[0]!.checkedAt.getTime(),
      before[0]!.checkedAt.getTime(),
      "not checked: the upstream failed",
    );
    assert.ok(rows[0]!.lastPulledAt > before[0]!.lastPulledAt, "but pulled");
    // The short period: once it is over, the upstream's failure reaches the client.
    await new Promise((r) => setTimeout(r, 2500));
    const r = await w.client.req("GET", "brief/lib/stale", "/manifests/v1", { actions: "pull" });
    assert.equal(r.status, 404);
    const e = await code(r);
    assert.equal(e.code, "MANIFEST_UNKNOWN");
    assert.match(e.message, /upstream/);
    // Never cached and the upstream away: the same error at once.
    const never = await w.client.req("GET", "cache/lib/never", "/manifests/v1", { actions: "pull" });
    assert.equal(never.status, 404);
  } finally {
    w.gate.mode = "up";
  }
  // Back up: the short-lived cache fetches the tag again.
  assert.equal((await pull(w.client, "brief/lib/stale", "v1")).digest, img.desc.digest);
});

test("upstream rate limiting (429): cached copy within the period, TOOMANYREQUESTS otherwise", async () => {
  w.gate.mode = "429";
  try {
    assert.ok((await pull(w.client, "cache/lib/stale", "v1")).digest);
    const r = await w.client.req("GET", "cache/lib/limited", "/manifests/v1", { actions: "pull" });
    assert.equal(r.status, 429);
    assert.equal((await code(r)).code, "TOOMANYREQUESTS");
  } finally {
    w.gate.mode = "up";
  }
});

test("concurrent first pulls of one image fetch it from the upstream once", async () => {
  const img = image([1024, 2 * MiB, 3 * MiB]);
  await putUpstream(w.dist.host, "lib/busy", { v1: img });
  w.gate.reset();
  const pulls = await Promise.all(Array.from({ length: 6 }, () => pull(w.client, "cache/lib/busy", "v1")));
  for (const p of pulls) assert.equal(p.digest, img.desc.digest);
  await idle();
  assert.equal(w.gate.count("GET", /\/manifests\/v1$/), 1);
  assert.equal(w.gate.count("HEAD", /\/manifests\//), 0);
  for (const d of parsed(img).blobDigests)
    assert.equal(w.gate.count("GET", new RegExp(`/blobs/${d}$`)), 1, d);
});

test("a client that leaves mid-layer leaves no broken blob: the cache completes it", async () => {
  const img = image([512, 6 * MiB]);
  await putUpstream(w.dist.host, "lib/leaver", { v1: img });
  const big = parsed(img).layers[1]!;
  const hold = w.gate.hold(big.digest, MiB);
  const m = await w.client.req("GET", "cache/lib/leaver", "/manifests/v1", { actions: "pull" });
  assert.equal(m.status, 200);
  await m.arrayBuffer();
  const ac = new AbortController();
  const res = await fetch(`${w.sys.url}/v2/cache/lib/leaver/blobs/${big.digest}`, {
    headers: { authorization: `Bearer ${await w.client.token("cache/lib/leaver", "pull")}` },
    signal: ac.signal,
  });
  const reader = res.body!.getReader();
  await hold.reached;
  await reader.read();
  ac.abort();
  hold.release();
  await idle();
  assert.ok(await linked(w.sys, "cache/lib/leaver", big.digest), "the blob was stored whole");
  w.gate.reset();
  await pull(w.client, "cache/lib/leaver", "v1");
  assert.equal(w.gate.count("GET", /\/blobs\//), 0, "and is served from the cache");
});

test("a blob the upstream corrupts is not cached, and the client does not get it whole", async () => {
  const img = image([512, 3 * MiB]);
  await putUpstream(w.dist.host, "lib/bad", { v1: img });
  const big = parsed(img).layers[1]!;
  w.gate.corrupt(big.digest);
  const m = await w.client.req("GET", "cache/lib/bad", "/manifests/v1", { actions: "pull" });
  await m.arrayBuffer();
  const got = await w.client
    .req("GET", "cache/lib/bad", `/blobs/${big.digest}`, { actions: "pull" })
    .then(async (r) => Buffer.from(await r.arrayBuffer()))
    .catch(() => null);
  assert.ok(got === null || got.length < big.size, "the last bytes are held back until the digest checks");
  await idle();
  assert.equal(await linked(w.sys, "cache/lib/bad", big.digest), false);
  w.gate.corrupt(big.digest, false);
  const again = await pull(w.client, "cache/lib/bad", "v1");
  assert.equal(again.digest, img.desc.digest);
  await idle();
  assert.ok(await linked(w.sys, "cache/lib/bad", big.digest));
});
