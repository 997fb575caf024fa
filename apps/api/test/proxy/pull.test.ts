// Pull-through against a real CNCF distribution (no auth) behind a counting gate: the first pull streams each
// layer while it is stored, the second asks the upstream only for the tag's digest (HEAD), pulls by digest
// never ask it, a tag moved upstream is fetched again, indexes and their children, the namespace form of the
// configuration, who may pull, and pushes and deletes refused.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { MediaType } from "@hm/oci";
import { RegistryClient } from "../registry-client.js";
import {
  MiB,
  admin,
  image,
  index,
  linked,
  parsed,
  proxyOrg,
  pull,
  putUpstream,
  sha256,
  startWorld,
  taggedDigest,
  type World,
} from "./fixtures.js";

let w: World;
const v1 = image([1024, 8 * MiB]);
const multi = index([image([2048], "amd64"), image([2048], "arm64")]);

before(async () => {
  w = await startWorld();
  await putUpstream(w.dist.host, "lib/app", { v1, multi });
  await proxyOrg(w.sys, "cache", w.gate.host);
});
after(() => w?.stop());

const idle = () => w.sys.services.proxyCacheRuntime.idle();

test("first pull: the manifest at once, a layer streamed to the client before the upstream sent it all", async () => {
  const big = parsed(v1).layers[1]!;
  const hold = w.gate.hold(big.digest, MiB);
  const m = await w.client.req("GET", "cache/lib/app", "/manifests/v1", { actions: "pull" });
  assert.equal(m.status, 200);
  assert.equal(m.headers.get("docker-content-digest"), v1.desc.digest);
  assert.deepEqual(Buffer.from(await m.arrayBuffer()), v1.bytes);
  const res = await w.client.req("GET", "cache/lib/app", `/blobs/${big.digest}`, { actions: "pull" });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-length"), String(big.size));
  const reader = res.body!.getReader();
  const chunks: Buffer[] = [];
  let received = 0;
  await hold.reached;
  while (received === 0) {
    const { value } = await reader.read();
    chunks.push(Buffer.from(value!));
    received += value!.length;
  }
  // The upstream holds the rest of the layer: the client has bytes, the cache has no blob yet.
  assert.ok(received > 0 && received < big.size);
  assert.equal(await linked(w.sys, "cache/lib/app", big.digest), false);
  hold.release();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
  }
  assert.equal(sha256(Buffer.concat(chunks)), big.digest);
  await pull(w.client, "cache/lib/app", "v1");
  await idle();
  assert.equal(await taggedDigest(w.sys, "cache/lib/app", "v1"), v1.desc.digest);
  assert.ok(await linked(w.sys, "cache/lib/app", big.digest));
  const repo = await w.sys.db.repository.findFirstOrThrow({ where: { name: "lib/app" } });
  assert.equal(repo.visibility, "private");
  // Each blob and the manifest came from the upstream once.
  assert.equal(w.gate.count("GET", /\/manifests\/v1$/), 1);
  for (const d of parsed(v1).blobDigests) assert.equal(w.gate.count("GET", new RegExp(`/blobs/${d}$`)), 1, d);
  const record = await w.sys.db.proxyCachedTag.findFirstOrThrow({
    where: { repositoryId: repo.id, tag: "v1" },
  });
  assert.equal(record.upstreamDigest, v1.desc.digest);
});

test("second pull: one HEAD of the tag upstream, blobs from the cache; by digest nothing upstream", async () => {
  w.gate.reset();
  const before = await w.sys.db.proxyCachedTag.findFirstOrThrow({ where: { tag: "v1" } });
  const p = await pull(w.client, "cache/lib/app", "v1");
  assert.equal(p.digest, v1.desc.digest);
  assert.deepEqual(w.gate.content, [{ method: "HEAD", path: "/v2/lib/app/manifests/v1" }]);
  await idle();
  const after = await w.sys.db.proxyCachedTag.findFirstOrThrow({ where: { tag: "v1" } });
  assert.ok(after.checkedAt > before.checkedAt && after.lastPulledAt > before.lastPulledAt);
  // The tag lives the configured expiration from this confirmed pull.
  const tag = await w.sys.db.tag.findFirstOrThrow({ where: { name: "v1", lifetimeEnd: { gt: new Date() } } });
  assert.ok(Math.abs(tag.lifetimeEnd!.getTime() - Date.now() - 86400_000) < 60_000);
  w.gate.reset();
  await pull(w.client, "cache/lib/app", v1.desc.digest);
  assert.deepEqual(w.gate.content, []);
});

test("a tag moved upstream is fetched again and the cached tag follows", async () => {
  const v1b = image([4096]);
  await putUpstream(w.dist.host, "lib/app", { v1: v1b });
  w.gate.reset();
  const p = await pull(w.client, "cache/lib/app", "v1");
  assert.equal(p.digest, v1b.desc.digest);
  await idle();
  assert.equal(await taggedDigest(w.sys, "cache/lib/app", "v1"), v1b.desc.digest);
  assert.equal(w.gate.count("HEAD", /\/manifests\/v1$/), 1);
  assert.equal(w.gate.count("GET", new RegExp(`/manifests/${v1b.desc.digest}$`)), 1);
  // The previous image is in the tag's history (the time machine), not gone.
  const history = await w.sys.db.tag.findMany({ where: { name: "v1" }, include: { manifest: true } });
  assert.ok(history.some((t) => t.manifest.digest === v1.desc.digest && t.lifetimeEnd !== null));
});

test("an index is cached at once; the child a client asks for is cached and linked under it", async () => {
  w.gate.reset();
  const idx = await pull(w.client, "cache/lib/app", "multi");
  assert.equal(idx.digest, multi.desc.digest);
  assert.equal(await taggedDigest(w.sys, "cache/lib/app", "multi"), multi.desc.digest);
  const amd64 = multi.children[0]!;
  await pull(w.client, "cache/lib/app", amd64.desc.digest);
  await idle();
  const child = await w.sys.db.manifest.findFirstOrThrow({ where: { digest: amd64.desc.digest } });
  const link = await w.sys.db.manifestChild.findFirst({ where: { childId: child.id } });
  assert.ok(link, "the child is linked under the cached index");
  assert.ok(child.counted, "held by the index's tag, it counts in the repository's size");
  // A client that accepts no index gets the linux/amd64 image, from the cache now.
  w.gate.reset();
  const old = await pull(
    w.client,
    "cache/lib/app",
    "multi",
    MediaType.DockerManifest + "," + MediaType.OciManifest,
  );
  assert.equal(old.digest, amd64.desc.digest);
  assert.deepEqual(w.gate.content, [{ method: "HEAD", path: "/v2/lib/app/manifests/multi" }]);
});

test("a configuration naming an upstream namespace: pulls leave that namespace out", async () => {
  await proxyOrg(w.sys, "libcache", `${w.gate.host}/lib`);
  w.gate.reset();
  const p = await pull(w.client, "libcache/app", "multi");
  assert.equal(p.digest, multi.desc.digest);
  assert.equal(w.gate.count("GET", /^\/v2\/lib\/app\/manifests\/multi$/), 1);
});

test("the upstream's 404 is MANIFEST_UNKNOWN; an unknown blob is BLOB_UNKNOWN", async () => {
  const m = await w.client.req("GET", "cache/lib/nosuch", "/manifests/v1", { actions: "pull" });
  assert.equal(m.status, 404);
  assert.equal(((await m.json()) as { errors: { code: string }[] }).errors[0]!.code, "MANIFEST_UNKNOWN");
  const b = await w.client.req("GET", "cache/lib/app", `/blobs/sha256:${"0".repeat(64)}`, {
    actions: "pull",
  });
  assert.equal(b.status, 404);
  assert.equal(((await b.json()) as { errors: { code: string }[] }).errors[0]!.code, "BLOB_UNKNOWN");
});

test("members pull through (Quay's rule); outsiders do not", async () => {
  const s = w.sys.services;
  const owner = (await admin(w.sys))!;
  await s.users.signUp({ username: "cachemember", email: "cm@example.com", password: "password-123" });
  await s.users.signUp({ username: "outsider", email: "out@example.com", password: "password-123" });
  await s.teams.create(owner, "cache", { name: "pullers", role: "member" });
  await s.teams.addMember(owner, "cache", "pullers", "cachemember");
  const member = (await s.accounts.verifyPassword("cachemember", "password-123"))!;
  const invite = (await s.teams.invitationsFor(member))[0];
  if (invite) await s.teams.acceptInvite(member, invite.id);
  const p = await pull(new RegistryClient(w.sys, ["cachemember", "password-123"]), "cache/lib/app", "v1");
  assert.ok(p.digest);
  // A member's first pull creates the repository, private, the member holding read (as in Quay).
  await putUpstream(w.dist.host, "lib/other", { v1: image([512]) });
  await pull(new RegistryClient(w.sys, ["cachemember", "password-123"]), "cache/lib/other", "v1");
  const other = await w.sys.db.repository.findFirstOrThrow({ where: { name: "lib/other" } });
  const perm = await w.sys.db.repositoryPermission.findFirst({
    where: { repositoryId: other.id, userId: member.kind === "user" ? member.userId : -1n },
  });
  assert.equal(perm?.role, "read");
  for (const who of [undefined, ["outsider", "password-123"] as [string, string]]) {
    const denied = await new RegistryClient(w.sys, who).req("GET", "cache/lib/app", "/manifests/v1", {
      actions: "pull",
    });
    assert.equal(denied.status, 401);
  }
});

test("pushes and deletes are refused with a clear DENIED", async () => {
  const push = await w.client.req("POST", "cache/lib/app", "/blobs/uploads/");
  assert.equal(push.status, 403);
  const err = ((await push.json()) as { errors: { code: string; message: string }[] }).errors[0]!;
  assert.equal(err.code, "DENIED");
  assert.match(err.message, /Cannot push to a proxy cache organization/);
  const fresh = await w.client.req("POST", "cache/lib/new", "/blobs/uploads/");
  assert.equal(fresh.status, 403);
  const del = await w.client.req("DELETE", "cache/lib/app", "/manifests/v1");
  assert.equal(del.status, 403);
  assert.match(((await del.json()) as { errors: { message: string }[] }).errors[0]!.message, /proxy cache/);
});
