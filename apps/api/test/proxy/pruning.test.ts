// Quota auto-pruning (seed 001 §15.3.1.1): a proxy organization with a Reject limit caches images that
// would not fit by deleting the least recently pulled tags first; the deleted tags go through the normal
// deletion (in the time machine, then garbage collected, after which the quota's usage shows the room).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  MiB,
  admin,
  image,
  proxyOrg,
  pull,
  putUpstream,
  startWorld,
  taggedDigest,
  type World,
} from "./fixtures.js";

let w: World;
const idle = () => w.sys.services.proxyCacheRuntime.idle();
// Each image about 1 MiB (random bytes do not compress); the quota takes two, not three.
const [a, b, c] = [image([MiB]), image([MiB]), image([MiB])];

before(async () => {
  w = await startWorld({ FEATURE_QUOTA_MANAGEMENT: "true" });
  await putUpstream(w.dist.host, "projectquay/quay", { "3.7.9": a, "3.6.2": b, "3.5.1": c });
  await proxyOrg(w.sys, "proxytest", w.gate.host);
  const su = (await admin(w.sys))!;
  const q = await w.sys.services.quota.create(su, "proxytest", BigInt(Math.round(2.5 * MiB)));
  await w.sys.services.quota.addLimit(su, "proxytest", q.id, "Reject", 100);
});
after(() => w?.stop());

test("the least recently pulled tag is pruned so the new image fits; it stays in the time machine", async () => {
  const repo = "proxytest/projectquay/quay";
  await pull(w.client, repo, "3.7.9");
  await idle();
  await pull(w.client, repo, "3.6.2");
  await idle();
  // Pulled again, 3.7.9 is now the more recent of the two: 3.6.2 is the one to go.
  await pull(w.client, repo, "3.7.9");
  await pull(w.client, repo, "3.5.1");
  await idle();
  assert.equal(await taggedDigest(w.sys, repo, "3.7.9"), a.desc.digest);
  assert.equal(await taggedDigest(w.sys, repo, "3.5.1"), c.desc.digest);
  assert.equal(await taggedDigest(w.sys, repo, "3.6.2"), null, "pruned");
  const ended = await w.sys.db.tag.findFirstOrThrow({ where: { name: "3.6.2" } });
  assert.ok(ended.lifetimeEnd && ended.lifetimeEnd <= new Date() && !ended.expires, "deleted, restorable");
  const entry = await w.sys.db.auditLog.findFirstOrThrow({ where: { kind: "delete_tag" } });
  assert.equal((entry.metadata as { tag: string }).tag, "3.6.2");
  assert.equal(entry.performer, null, "the cache pruned it, not a user");
  assert.equal(await w.sys.db.proxyCachedTag.count({ where: { tag: "3.6.2" } }), 0);
});

test("garbage collection takes the pruned image; the quota's usage then fits the limit", async () => {
  const s = w.sys.services;
  const su = (await admin(w.sys))!;
  const usage = async () => (await s.quota.report(su, "proxytest")).usageBytes;
  // Until then its bytes still count (seed: "not fully enforced during this period").
  assert.ok((await usage()) > BigInt(Math.round(2.5 * MiB)));
  await w.sys.db.namespace.update({ where: { name: "proxytest" }, data: { timeMachineSeconds: 0 } });
  const repo = await w.sys.db.repository.findFirstOrThrow({ where: { name: "projectquay/quay" } });
  await s.gc.collectRepository(repo.id);
  assert.ok((await usage()) <= BigInt(Math.round(2.5 * MiB)), "usage within the Reject limit");
  // The kept tags are whole: pulled again from the cache.
  w.gate.reset();
  await pull(w.client, "proxytest/projectquay/quay", "3.5.1");
  assert.equal(w.gate.count("GET", /\/blobs\//), 0);
});
