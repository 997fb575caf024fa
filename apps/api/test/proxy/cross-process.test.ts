// Two API processes of one deployment (two systems on one database and one blob store): a layer both are
// asked for while it arrives is fetched from the upstream once; the second waits for the first's copy.
// The advisory locks behind it are released when their holder's connection goes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { startTestSystem, type TestSystem } from "../harness.js";
import { RegistryClient } from "../registry-client.js";
import { ProxyLocks } from "../../src/proxy/locks.js";
import {
  MiB,
  image,
  linked,
  parsed,
  proxyOrg,
  pull,
  putUpstream,
  sha256,
  startWorld,
  tune,
  type World,
} from "./fixtures.js";

let w: World;
let b: TestSystem;

before(async () => {
  w = await startWorld();
  b = await startTestSystem({
    FEATURE_PROXY_CACHE: "true",
    DATABASE_URL: w.sys.dbUrl,
    DATA_DIR: w.sys.dataDir,
    STORAGE_PATH: w.sys.config.STORAGE_PATH,
  });
  // The completions wait for the clients here: the test decides who fetches what.
  tune(w.sys, { idleMs: 60_000 });
  tune(b, { idleMs: 60_000 });
  await proxyOrg(w.sys, "cache", w.gate.host);
});
after(async () => {
  await b?.services.proxyCacheRuntime.idle();
  await b?.stop();
  await w?.stop();
});

test("a layer asked of two processes at once comes from the upstream once", async () => {
  const img = image([512, 4 * MiB]);
  await putUpstream(w.dist.host, "lib/shared", { v1: img });
  const big = parsed(img).layers[1]!;
  const ca = w.client;
  const cb = new RegistryClient(b, ["admin", "admin-password"]);
  w.gate.reset();
  const hold = w.gate.hold(big.digest, MiB);
  for (const c of [ca, cb]) {
    const m = await c.req("GET", "cache/lib/shared", "/manifests/v1", { actions: "pull" });
    assert.equal(m.status, 200);
    await m.arrayBuffer();
  }
  const first = ca.req("GET", "cache/lib/shared", `/blobs/${big.digest}`, { actions: "pull" });
  await hold.reached;
  // The second process finds the first fetching it and waits for the stored blob.
  const second = cb.req("GET", "cache/lib/shared", `/blobs/${big.digest}`, { actions: "pull" });
  await new Promise((r) => setTimeout(r, 600));
  hold.release();
  for (const r of await Promise.all([first, second])) {
    assert.equal(r.status, 200);
    assert.equal(sha256(Buffer.from(await r.arrayBuffer())), big.digest);
  }
  assert.equal(w.gate.count("GET", new RegExp(`/blobs/${big.digest}$`)), 1);
  // Both finish the image; it is cached once, in the one database.
  await pull(ca, "cache/lib/shared", "v1");
  await pull(cb, "cache/lib/shared", "v1");
  await w.sys.services.proxyCacheRuntime.idle();
  await b.services.proxyCacheRuntime.idle();
  assert.ok(await linked(w.sys, "cache/lib/shared", big.digest));
  assert.equal(w.gate.count("GET", new RegExp(`/blobs/${big.digest}$`)), 1);
});

test("the proxy cache's advisory locks exclude other sessions and die with their connection", async () => {
  const poolA = new pg.Pool({ connectionString: w.sys.dbUrl, max: 2 });
  const poolB = new pg.Pool({ connectionString: w.sys.dbUrl, max: 2 });
  const log = w.sys.services.log;
  try {
    const a = new ProxyLocks(poolA, log);
    const other = new ProxyLocks(poolB, log);
    assert.equal(await a.tryLock("blob:1:x"), true);
    assert.equal(await other.tryLock("blob:1:x"), false);
    assert.equal(await other.tryLock("blob:1:y"), true);
    await a.unlock("blob:1:x");
    assert.equal(await other.tryLock("blob:1:x"), true);
    // A holder whose connection is cut (a process that died) holds nothing any more.
    await poolB.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()
       AND classid = $1`,
      [0x70727879],
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await a.tryLock("blob:1:x"), true);
    await a.unlock("blob:1:x");
  } finally {
    await poolA.end().catch(() => {});
    await poolB.end().catch(() => {});
  }
});
