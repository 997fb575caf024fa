// Online garbage collection against the real system: each rule, the job record and metrics, and pushes,
// deletes and GC running in parallel. Time passing is simulated by moving rows into the past.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Services } from "../src/app/services.js";
import { startTestSystem, watchRepository, type TestSystem } from "./harness.js";
import { RegistryClient, sha } from "./registry-client.js";

const DAY = 86400_000;
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const CONFIG = JSON.stringify({
  architecture: "amd64",
  os: "linux",
  rootfs: { type: "layers", diff_ids: [] },
});

const fileOf = (sys: TestSystem, digest: string) =>
  path.join(sys.config.STORAGE_PATH, "blobs", "sha256", digest.slice(7, 9), digest.slice(7));
const hasFile = (sys: TestSystem, digest: string) => fs.existsSync(fileOf(sys, digest));

function imageManifest(config: string, layers: string[], extra: Record<string, unknown> = {}) {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: sha(config),
        size: config.length,
      },
      layers: layers.map((l) => ({
        mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
        digest: sha(l),
        size: l.length,
      })),
      ...extra,
    }),
  );
}

/**
 * Pushes an image with the given layers by tag, or by digest when `ref` is null; returns its digest.
 * `onUpload` counts blob uploads (the concurrency test counts them as operations).
 */
async function push(
  reg: RegistryClient,
  repo: string,
  ref: string | null,
  layers: string[],
  extra: Record<string, unknown> = {},
  onUpload: () => void = () => {},
) {
  // Like real clients: upload only what the repository does not already have.
  for (const b of [CONFIG, ...layers]) {
    if ((await reg.req("HEAD", repo, `/blobs/${sha(b)}`)).status !== 200) {
      await reg.pushBlob(repo, b);
      onUpload();
    }
  }
  const m = imageManifest(CONFIG, layers, extra);
  const res = await reg.putManifest(repo, ref ?? sha(m), m);
  if (res.status !== 201) throw new Error(`push ${repo}:${ref} answered ${res.status}: ${await res.text()}`);
  return sha(m);
}

describe("garbage collection rules", () => {
  let sys: TestSystem;
  let s: Services;
  let reg: RegistryClient;
  const repoId = async (full: string) => (await s.repos.find(full))!.id;
  /** Moves everything of a repository `ms` into the past: tag lifetimes, manifest creation, blob link grace. */
  async function age(full: string, ms: number) {
    const id = await repoId(full);
    await sys.db
      .$executeRaw`UPDATE "Tag" SET "lifetimeStart" = "lifetimeStart" - ${ms} * interval '1 millisecond',
      "lifetimeEnd" = "lifetimeEnd" - ${ms} * interval '1 millisecond' WHERE "repositoryId" = ${id}`;
    await sys.db
      .$executeRaw`UPDATE "Manifest" SET "createdAt" = "createdAt" - ${ms} * interval '1 millisecond'
      WHERE "repositoryId" = ${id}`;
    await sys.db
      .$executeRaw`UPDATE "RepositoryBlob" SET "protectedUntil" = "protectedUntil" - ${ms} * interval '1 millisecond'
      WHERE "repositoryId" = ${id}`;
  }
  const manifestExists = async (full: string, digest: string) =>
    (await sys.db.manifest.count({ where: { repositoryId: await repoId(full), digest } })) === 1;

  before(async () => {
    sys = await startTestSystem({ GC_INTERVAL: "0" });
    s = sys.services;
    await s.accounts.createUser({ username: "gc", email: "gc@example.com", password: "gc-password" });
    reg = new RegistryClient(sys, ["gc", "gc-password"]);
  });
  after(async () => sys?.stop());

  test("tag history is dropped past the window; the manifest it kept and its blobs go with it", async () => {
    const layerA = `a-${crypto.randomUUID()}`;
    const a = await push(reg, "gc/hist", "latest", [layerA]);
    const b = await push(reg, "gc/hist", "latest", [`b-${crypto.randomUUID()}`]);
    await age("gc/hist", 13 * DAY);
    let c = await s.gc.collectRepository(await repoId("gc/hist"));
    assert.equal(c.tagHistoryDropped, 0);
    assert.ok(await manifestExists("gc/hist", a), "restorable history keeps its manifest");
    assert.ok(hasFile(sys, sha(layerA)));
    await age("gc/hist", 2 * DAY);
    c = await s.gc.collectRepository(await repoId("gc/hist"));
    assert.equal(c.tagHistoryDropped, 1);
    assert.equal(c.manifestsDeleted, 1);
    assert.equal(c.blobLinksRemoved, 1); // layer A; the config is still used by B
    assert.equal(c.blobsDeleted, 1);
    assert.equal(await manifestExists("gc/hist", a), false);
    assert.ok(await manifestExists("gc/hist", b));
    assert.equal(hasFile(sys, sha(layerA)), false);
    assert.equal(await sys.db.blob.count({ where: { digest: sha(layerA) } }), 0);
    assert.ok(hasFile(sys, sha(CONFIG)));
    const res = await reg.req("GET", "gc/hist", "/manifests/latest", { headers: { accept: OCI_MANIFEST } });
    assert.equal(res.headers.get("docker-content-digest"), b);
  });

  test("a repository with more to collect than one pass holds is collected in several passes, the same", async () => {
    // 7 superseded manifests (history past the window), each with its own layer, plus one alive tag: with
    // passes of 2 rows per kind, GC needs several locked transactions and must end where one pass would.
    const layers = Array.from({ length: 8 }, (_, i) => `p${i}-${crypto.randomUUID()}`);
    const digests: string[] = [];
    for (const l of layers) digests.push(await push(reg, "gc/passes", "latest", [l]));
    await age("gc/passes", 20 * DAY);
    const c = await s.gc.collectRepository(await repoId("gc/passes"), 2);
    assert.deepEqual(
      [c.tagHistoryDropped, c.manifestsDeleted, c.blobLinksRemoved, c.blobsDeleted],
      [7, 7, 7, 7],
    );
    for (const d of digests.slice(0, 7)) assert.equal(await manifestExists("gc/passes", d), false);
    assert.ok(await manifestExists("gc/passes", digests[7]!), "the alive tag's manifest stays");
    for (const l of layers.slice(0, 7)) assert.equal(hasFile(sys, sha(l)), false);
    assert.ok(hasFile(sys, sha(layers[7]!)));
    const again = await s.gc.collectRepository(await repoId("gc/passes"), 2);
    assert.deepEqual([again.manifestsDeleted, again.tagHistoryDropped, again.blobsDeleted], [0, 0, 0]);
  });

  test("index children live as long as the index; untagged digest-only manifests go after the window", async () => {
    const kids = [
      await push(reg, "gc/index", null, [`k1-${crypto.randomUUID()}`]),
      await push(reg, "gc/index", null, [`k2-${crypto.randomUUID()}`]),
    ];
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: kids.map((d) => ({
          mediaType: OCI_MANIFEST,
          digest: d,
          size: 1,
          platform: { os: "linux", architecture: "amd64" },
        })),
      }),
    );
    assert.equal((await reg.putManifest("gc/index", "multi", index, OCI_INDEX)).status, 201);
    const loneLayer = `lone-${crypto.randomUUID()}`;
    const lone = imageManifest(CONFIG, [loneLayer]);
    await reg.pushBlob("gc/index", loneLayer);
    assert.equal((await reg.putManifest("gc/index", sha(lone), lone)).status, 201);

    assert.equal(
      (await s.gc.collectRepository(await repoId("gc/index"))).manifestsDeleted,
      0,
      "young: all kept",
    );
    await age("gc/index", 15 * DAY);
    assert.equal(
      (await s.gc.collectRepository(await repoId("gc/index"))).manifestsDeleted,
      1,
      "only the lone one",
    );
    assert.equal(await manifestExists("gc/index", sha(lone)), false);
    for (const k of kids) assert.ok(await manifestExists("gc/index", k));

    await s.tagCommands.deleteTags((await s.accounts.verifyPassword("gc", "gc-password"))!, "gc/index", [
      "multi",
    ]);
    await age("gc/index", 15 * DAY);
    assert.equal((await s.gc.collectRepository(await repoId("gc/index"))).manifestsDeleted, 3);
    assert.equal(await sys.db.manifest.count({ where: { repositoryId: await repoId("gc/index") } }), 0);
  });

  test("a referrer lives while its subject is reachable and is collected with it", async () => {
    const subject = await push(reg, "gc/refs", "v1", [`s-${crypto.randomUUID()}`]);
    const sigLayer = `sig-${crypto.randomUUID()}`;
    const sig = imageManifest(CONFIG, [sigLayer], {
      artifactType: "application/vnd.example.sig",
      subject: { mediaType: OCI_MANIFEST, digest: subject, size: 1 },
    });
    await reg.pushBlob("gc/refs", sigLayer);
    assert.equal((await reg.putManifest("gc/refs", sha(sig), sig)).status, 201);
    await age("gc/refs", 15 * DAY);
    assert.equal((await s.gc.collectRepository(await repoId("gc/refs"))).manifestsDeleted, 0);
    assert.ok(await manifestExists("gc/refs", sha(sig)));
    const del = await reg.req("DELETE", "gc/refs", "/manifests/v1");
    assert.equal(del.status, 202);
    await age("gc/refs", 15 * DAY);
    assert.equal((await s.gc.collectRepository(await repoId("gc/refs"))).manifestsDeleted, 2);
    assert.equal(hasFile(sys, sha(sigLayer)), false);
  });

  test("blob links need a manifest or the upload grace; a blob goes only when no repository holds it", async () => {
    const content = `shared-${crypto.randomUUID()}`;
    await reg.pushBlob("gc/blob-a", content);
    await reg.pushBlob("gc/blob-b", content);
    assert.equal(
      (await s.gc.collectRepository(await repoId("gc/blob-a"))).blobLinksRemoved,
      0,
      "inside the grace",
    );
    await age("gc/blob-a", 2 * DAY);
    const c = await s.gc.collectRepository(await repoId("gc/blob-a"));
    assert.deepEqual([c.blobLinksRemoved, c.blobsDeleted], [1, 0]);
    assert.ok(hasFile(sys, sha(content)), "gc/blob-b still holds it");
    const head = await reg.req("HEAD", "gc/blob-a", `/blobs/${sha(content)}`);
    assert.equal(head.status, 404);
    await age("gc/blob-b", 2 * DAY);
    const c2 = await s.gc.collectRepository(await repoId("gc/blob-b"));
    assert.deepEqual([c2.blobLinksRemoved, c2.blobsDeleted], [1, 1]);
    assert.equal(hasFile(sys, sha(content)), false);
  });

  test("an expiration is announced once; the job records its counts; metrics count removals", async () => {
    await push(reg, "gc/expiry", "soon", [`e-${crypto.randomUUID()}`]);
    await watchRepository(sys, "gc/expiry", ["repo_image_expiry"]);
    const id = await repoId("gc/expiry");
    await sys.db.$executeRaw`UPDATE "Tag" SET expires = true, "lifetimeStart" = now() - interval '1 minute',
      "lifetimeEnd" = now() - interval '1 second' WHERE "repositoryId" = ${id}`;
    assert.equal((await s.gc.collectRepository(id)).expirationsAnnounced, 1);
    assert.equal((await s.gc.collectRepository(id)).expirationsAnnounced, 0);
    const events = await sys.db.jobRecord.findMany({ where: { name: "repo_image_expiry" } });
    assert.equal(events.length, 1);
    assert.deepEqual((events[0]!.payload as { tags: string[] }).tags, ["soon"]);

    await age("gc/expiry", 15 * DAY);
    const recordId = await sys.jobs.enqueue("gc", "gc", {});
    let record;
    for (let i = 0; i < 300; i++) {
      record = await sys.db.jobRecord.findUnique({ where: { id: recordId } });
      if (record?.status === "completed" || record?.status === "failed") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(record?.status, "completed", record?.error ?? "");
    const result = record!.result as Record<string, number>;
    assert.ok((result.repositories ?? 0) >= 5, `GC visited ${result.repositories} repositories`);
    assert.equal(result.manifestsDeleted, 1);
    const metrics = await (await fetch(`${sys.url}/metrics`)).text();
    assert.match(metrics, /hm_gc_removed_total\{kind="manifest"\} [1-9]/);
    assert.match(metrics, /hm_gc_removed_total\{kind="blob"\} [1-9]/);
  });
});

describe("concurrency", () => {
  let sys: TestSystem;
  let s: Services;
  before(async () => {
    // Window 0 and a short grace: collection really happens while pushes and deletes run.
    sys = await startTestSystem({ GC_INTERVAL: "0", BLOB_UPLOAD_GRACE: "4" });
    s = sys.services;
    await s.accounts.createUser({ username: "load", email: "load@example.com", password: "load-password" });
    await sys.db.namespace.update({ where: { name: "load" }, data: { timeMachineSeconds: 0 } });
  });
  after(async () => sys?.stop());

  test("pushes, deletes and GC in parallel (1,000+ operations): alive tags pull intact, no orphan files", async () => {
    const repos = ["load/r0", "load/r1", "load/r2"];
    const shared = Array.from({ length: 12 }, (_, i) => `shared-layer-${i}`);
    const WORKERS = 6;
    // Operations: blob uploads, manifest pushes, tag deletes and GC runs, all against one live system.
    const OPS = 1000;
    const n = { uploads: 0, pushes: 0, failedPushes: 0, deletes: 0, gc: 0 };
    const total = () => n.uploads + n.pushes + n.failedPushes + n.deletes + n.gc;
    /** repo → tag → expected digest (null = deleted). Each worker owns its tags, so this is exact. */
    const expected = new Map<string, Map<string, string | null>>(repos.map((r) => [r, new Map()]));
    const rand = (k: number) => crypto.randomInt(k);

    // Repositories exist before the workers start (created by a first push).
    const seed = new RegistryClient(sys, ["load", "load-password"]);
    for (const r of repos) expected.get(r)!.set("seed", await push(seed, r, "seed", [shared[0]!]));

    async function worker(w: number) {
      const reg = new RegistryClient(sys, ["load", "load-password"]);
      while (total() < OPS) {
        const repo = repos[rand(repos.length)]!;
        const tag = `w${w}-t${rand(4)}`;
        const roll = rand(100);
        if (roll < 55) {
          // One layer shared across pushes and repositories (the race GC must get right), one of its own.
          const layers = [shared[rand(shared.length)]!, `own-${crypto.randomUUID()}`];
          try {
            const digest = await push(reg, repo, tag, [...new Set(layers)], {}, () => n.uploads++);
            expected.get(repo)!.set(tag, digest);
            n.pushes++;
          } catch (e) {
            // The only acceptable failure: a blob whose upload grace ran out before its manifest arrived.
            assert.match(String(e), /MANIFEST_BLOB_UNKNOWN/);
            n.failedPushes++;
          }
        } else if (roll < 85) {
          const res = await reg.req("DELETE", repo, `/manifests/${tag}`);
          assert.ok(res.status === 202 || res.status === 404, `delete answered ${res.status}`);
          if (res.status === 202) expected.get(repo)!.set(tag, null);
          n.deletes++;
        } else if (roll < 99) {
          await s.gc.collectRepository((await s.repos.find(repo))!.id);
          n.gc++;
        } else {
          await s.gc.run();
          n.gc++;
        }
      }
    }
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    assert.ok(total() >= OPS && n.pushes > 100 && n.deletes > 50 && n.gc > 30, JSON.stringify(n));
    // GC really removed things while the others ran.
    const removed = await (await fetch(`${sys.url}/metrics`)).text();
    assert.match(removed, /hm_gc_removed_total\{kind="manifest"\} [1-9]/);

    // Let every grace run out (the window is 0: ended tag rows are already past it), then collect again.
    for (const r of repos) {
      const id = (await s.repos.find(r))!.id;
      await sys.db
        .$executeRaw`UPDATE "Manifest" SET "createdAt" = "createdAt" - interval '1 hour' WHERE "repositoryId" = ${id}`;
      await sys.db
        .$executeRaw`UPDATE "RepositoryBlob" SET "protectedUntil" = "protectedUntil" - interval '1 hour' WHERE "repositoryId" = ${id}`;
    }
    await s.gc.run();

    // Every alive tag pulls completely, with matching digests.
    const reg = new RegistryClient(sys, ["load", "load-password"]);
    const needed = new Set<string>();
    for (const [repo, tags] of expected) {
      const listed = (
        (await (await reg.req("GET", repo, "/tags/list")).json()) as { tags: string[] }
      ).tags.sort();
      const alive = [...tags].filter(([, d]) => d !== null);
      assert.deepEqual(listed, alive.map(([t]) => t).sort(), repo);
      for (const [tag, digest] of alive) {
        const res = await reg.req("GET", repo, `/manifests/${tag}`, { headers: { accept: OCI_MANIFEST } });
        assert.equal(res.status, 200);
        const body = Buffer.from(await res.arrayBuffer());
        assert.equal(sha(body), digest);
        const doc = JSON.parse(body.toString()) as {
          config: { digest: string };
          layers: { digest: string }[];
        };
        for (const d of [doc.config.digest, ...doc.layers.map((l) => l.digest)]) {
          const blob = await reg.req("GET", repo, `/blobs/${d}`);
          assert.equal(blob.status, 200, `${repo}:${tag} blob ${d}`);
          assert.equal(sha(Buffer.from(await blob.arrayBuffer())), d);
          needed.add(d);
        }
      }
    }
    // Exactly the needed blobs remain, as rows and as files.
    const rows = (await sys.db.blob.findMany({ select: { digest: true } })).map((b) => b.digest).sort();
    assert.deepEqual(rows, [...needed].sort());
    const files: string[] = [];
    for await (const f of sys.store.list()) files.push(f.digest);
    assert.deepEqual(files.sort(), [...needed].sort());
  });
});
