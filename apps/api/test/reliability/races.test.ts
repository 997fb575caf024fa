// Races between clients: the same blob uploaded many times at once, pushes while tags and whole
// repositories are deleted, manifest deletes against pushes of the same content. Afterwards every alive tag
// pulls completely with matching digests, and no request got a 5xx.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { DeleteRepositoryDocument } from "@hm/schema";
import { startTestSystem, type TestSystem } from "../harness.js";
import { GqlSession } from "../gql-client.js";
import { RegistryClient, sha } from "../registry-client.js";

let sys: TestSystem;
let reg: RegistryClient;
const statuses: number[] = [];

before(async () => {
  sys = await startTestSystem({}, { workers: false });
  await sys.services.accounts.createUser({
    username: "alice",
    email: "alice@example.com",
    password: "password-123",
  });
  reg = new RegistryClient(sys, ["alice", "password-123"]);
});
after(async () => sys?.stop());

async function monolithic(repo: string, content: Buffer) {
  const r = await reg.req("POST", repo, `/blobs/uploads/?digest=${sha(content)}`, {
    body: content,
    headers: { "content-type": "application/octet-stream" },
  });
  statuses.push(r.status);
  await r.arrayBuffer();
  return r.status;
}

async function chunked(repo: string, content: Buffer) {
  const start = await reg.req("POST", repo, "/blobs/uploads/");
  statuses.push(start.status);
  const loc = new URL(start.headers.get("location")!, sys.url);
  const path = loc.pathname.replace(`/v2/${repo}`, "") + loc.search;
  const half = content.length >> 1;
  for (const [a, b] of [
    [0, half],
    [half, content.length],
  ] as const) {
    const p = await reg.req("PATCH", repo, path, {
      body: content.subarray(a, b),
      headers: { "content-type": "application/octet-stream", "content-range": `${a}-${b - 1}` },
    });
    statuses.push(p.status);
    assert.equal(p.status, 202);
  }
  const fin = await reg.req("PUT", repo, `${path}${path.includes("?") ? "&" : "?"}digest=${sha(content)}`);
  statuses.push(fin.status);
  return fin.status;
}

/** Every alive tag of the system pulls: manifest digest matches, every blob reads back with its digest. */
async function everyAliveTagPulls() {
  const tags = await sys.db.tag.findMany({
    where: { OR: [{ lifetimeEnd: null }, { lifetimeEnd: { gt: new Date() } }] },
    include: { repository: { include: { namespace: true } } },
  });
  for (const t of tags) {
    const repo = `${t.repository.namespace.name}/${t.repository.name}`;
    const m = await reg.req("GET", repo, `/manifests/${t.name}`, {
      headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    assert.equal(m.status, 200, `${repo}:${t.name}`);
    const bytes = Buffer.from(await m.arrayBuffer());
    assert.equal(m.headers.get("docker-content-digest"), sha(bytes));
    const doc = JSON.parse(bytes.toString()) as { config: { digest: string }; layers: { digest: string }[] };
    for (const d of [doc.config.digest, ...doc.layers.map((l) => l.digest)]) {
      const b = await reg.req("GET", repo, `/blobs/${d}`);
      assert.equal(sha(Buffer.from(await b.arrayBuffer())), d, `${repo}:${t.name} blob ${d}`);
    }
  }
  return tags.length;
}

describe("races", { concurrency: false }, () => {
  test("the same 4 MiB blob uploaded 24 times at once, monolithic and chunked, into two repositories", async () => {
    const content = crypto.randomBytes(4 * 1024 * 1024);
    const results = await Promise.all([
      ...Array.from({ length: 8 }, () => monolithic("alice/one", content)),
      ...Array.from({ length: 8 }, () => chunked("alice/one", content)),
      ...Array.from({ length: 8 }, () => monolithic("alice/two", content)),
    ]);
    assert.deepEqual([...new Set(results)], [201]);
    assert.equal(await sys.db.blob.count({ where: { digest: sha(content) } }), 1);
    for (const repo of ["alice/one", "alice/two"]) {
      const r = await reg.req("GET", repo, `/blobs/${sha(content)}`);
      assert.equal(sha(Buffer.from(await r.arrayBuffer())), sha(content));
    }
  });

  test("pushes while tags are deleted and moved, and while a manifest is deleted by digest", async () => {
    const ops: Promise<unknown>[] = [];
    const layer = "shared-layer";
    for (let i = 0; i < 40; i++) {
      ops.push(
        reg.pushImage("alice/busy", `t${i % 5}`, { layer: `${layer}-${i % 3}` }).catch((e: Error) => e),
      );
      ops.push(
        reg.req("DELETE", "alice/busy", `/manifests/t${(i + 2) % 5}`).then((r) => {
          statuses.push(r.status);
          assert.ok([202, 404].includes(r.status), `delete tag → ${r.status}`);
        }),
      );
    }
    const results = await Promise.all(ops);
    for (const r of results) if (r instanceof Error) assert.doesNotMatch(r.message, /\b5\d\d\b/);
    // Delete manifests by digest while the same content is pushed again under new tags.
    const img = await reg.pushImage("alice/busy", "fixed", { layer: "fixed-layer" });
    const more: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      more.push(
        reg.req("DELETE", "alice/busy", `/manifests/${img.digest}`).then((r) => statuses.push(r.status)),
        reg.putManifest("alice/busy", `again${i}`, img.bytes).then((r) => statuses.push(r.status)),
      );
    }
    await Promise.all(more);
    assert.ok((await everyAliveTagPulls()) > 0);
  });

  test("pushes of many tags and of the same tag into one repository at once keep each tag's history a line", async () => {
    // Pushes of different tags run side by side (they share the repository's lock); pushes of one tag
    // line up on the tag's own lock. Each tag must end with exactly one alive row, and its history rows
    // must follow each other without overlap.
    const img = await reg.pushImage("alice/crowd", "base");
    const pushes: Promise<number>[] = [];
    for (let i = 0; i < 48; i++) {
      const bytes = Buffer.from(
        JSON.stringify({ ...JSON.parse(img.bytes.toString()), annotations: { n: String(i) } }),
      );
      pushes.push(reg.putManifest("alice/crowd", `t${i % 6}`, bytes).then((r) => r.status));
    }
    const results = await Promise.all(pushes);
    statuses.push(...results);
    assert.deepEqual([...new Set(results)], [201]);
    const repo = (await sys.services.repos.find("alice/crowd"))!;
    const rows = await sys.db.tag.findMany({
      where: { repositoryId: repo.id },
      orderBy: [{ name: "asc" }, { lifetimeStart: "asc" }, { id: "asc" }],
    });
    for (let t = 0; t < 6; t++) {
      const line = rows.filter((r) => r.name === `t${t}`);
      assert.equal(line.length, 8, `t${t} has one row per push`);
      assert.equal(line.filter((r) => r.lifetimeEnd === null).length, 1, `t${t} has one alive row`);
      for (let k = 1; k < line.length; k++)
        assert.equal(
          line[k - 1]!.lifetimeEnd?.getTime(),
          line[k]!.lifetimeStart.getTime(),
          `t${t}: each row ends when the next starts`,
        );
      assert.deepEqual(
        line.map((r) => r.origin),
        ["created", ...Array(7).fill("moved")],
        `t${t}: created once, then moved`,
      );
    }
    assert.ok((await everyAliveTagPulls()) >= 7, "base and t0..t5 pull");
  });

  test("pushes while the whole repository is deleted through GraphQL", async () => {
    const admin = await new GqlSession(sys).login("alice", "password-123");
    await reg.pushImage("alice/doomed", "v0");
    const pushes = Array.from({ length: 12 }, (_, i) =>
      reg.pushImage("alice/doomed", `v${i + 1}`).then(
        () => "ok",
        (e: Error) => e.message,
      ),
    );
    const del = admin.raw(DeleteRepositoryDocument, {
      namespace: "alice",
      name: "doomed",
      confirm: "doomed",
    });
    const outcomes = await Promise.all(pushes);
    const d = await del;
    assert.ok(d.status < 500);
    for (const o of outcomes) assert.ok(o === "ok" || !/\b5\d\d\b/.test(o), o);
    await everyAliveTagPulls();
  });

  test("no request got a 5xx", () => {
    assert.ok(statuses.length > 50);
    assert.deepEqual(
      statuses.filter((s) => s >= 500),
      [],
    );
    console.log(`races: ${statuses.length} tracked requests, none 5xx`);
  });
});
