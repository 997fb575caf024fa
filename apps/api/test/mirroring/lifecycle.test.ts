// A sync's life beyond the happy path: cancelled mid-sync against a slow upstream (a throttling relay in
// front of CNCF distribution), taken over when its worker's claim lapses (never leaving half a tag), and the
// periodic look that queues due mirrors and leaves disabled and cancelled ones alone.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RegistryClient } from "../registry-client.js";
import { watchRepository } from "../harness.js";
import { until } from "../notifications/receivers.js";
import type { Rest } from "../rest/client.js";
import { DOCKER_REGISTRY, requireBinaries } from "../remote/upstreams.js";
import {
  createMirror,
  mirrorWorld,
  newRepo,
  setUp,
  slowRelay,
  startUpstream,
  syncNow,
  syncsOf,
  tagsOf,
  type Upstream,
} from "./fixtures.js";
import type { Built } from "../remote/content.js";

const w = mirrorWorld();
let admin: Rest;
let up: Upstream;
let slow: { host: string; close(): Promise<void> };
const SLOW_TAGS = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"];

before(async () => {
  requireBinaries(DOCKER_REGISTRY, "skopeo");
  admin = await setUp(w);
  up = await startUpstream({ tags: SLOW_TAGS, layerSizes: [1024 * 1024] });
  // About 200 KiB/s per connection: each tag's 1 MiB layer takes seconds.
  slow = await slowRelay(up.reg.host, 4 * 1024);
});
after(async () => {
  await slow?.close();
  await up?.stop();
});

const fresh: Built[] = [];
/** New content under `name` upstream (tags s1..s6): nothing of it is here yet to mount. */
async function freshUpstream(name: string): Promise<string[]> {
  const tags = ["s1", "s2", "s3", "s4", "s5", "s6"];
  for (const t of tags) {
    const b = up.content.image({ layerSizes: [1024 * 1024] });
    fresh.push(b);
    await up.put(name, t, b);
  }
  return tags;
}

const configOf = (repo: string) =>
  w.sys.db.repoMirrorConfig.findFirstOrThrow({ where: { repository: { name: repo.split("/")[1] } } });

/** Every alive tag is whole: its manifest and every blob it names can be pulled. */
async function assertWholeTags(repo: string) {
  const reg = new RegistryClient(w.sys, ["admin", "admin-password"]);
  for (const [tag, digest] of Object.entries(await tagsOf(admin, repo))) {
    const built = [...Object.values(up.images), ...fresh].find((b) => b.desc.digest === digest);
    assert.ok(built, `${tag} points at upstream content`);
    for (const blob of built.blobs.keys()) {
      const res = await reg.req("HEAD", repo, `/blobs/${blob}`, { actions: "pull" });
      assert.equal(res.status, 200, `${tag}: blob ${blob}`);
    }
  }
}

describe("cancel", () => {
  test("a sync cancelled mid-way stops: cancelled, CANCEL, the failed event, whole tags only", async () => {
    const repo = await newRepo(admin);
    await watchRepository(w.sys, repo, ["repo_mirror_sync_failed"]);
    await createMirror(admin, repo, `${slow.host}/ns/app`, ["s[0-9]"]);
    assert.equal((await admin.call("POST", `/repository/${repo}/mirror/sync-now`)).status, 204);
    // Mid-sync: running, with at least one tag copied and others still on their way.
    await until(
      async () => {
        const s = (await syncsOf(admin, repo))[0];
        return (
          s?.status === "running" &&
          (await w.sys.db.tag.count({ where: { repository: { name: repo.split("/")[1] } } })) >= 1
        );
      },
      "the slow sync to copy its first tag",
      60_000,
    );
    assert.equal((await admin.get(`/repository/${repo}/mirror`)).sync_status, "SYNCING");
    assert.equal((await admin.call("POST", `/repository/${repo}/mirror/sync-cancel`)).status, 204);
    const ended = await until(
      async () => {
        const s = (await syncsOf(admin, repo))[0];
        return s && s.status !== "running" && s;
      },
      "the cancelled sync to stop",
      30_000,
    );
    assert.equal(ended.status, "cancelled");
    assert.ok(ended.tags_copied < SLOW_TAGS.length, `copied ${ended.tags_copied}`);
    assert.ok(ended.logs.some((l) => l.message === "sync cancelled"));
    const view = await admin.get(`/repository/${repo}/mirror`);
    assert.equal(view.sync_status, "CANCEL");
    assert.equal(view.sync_expiration_date, null);
    await assertWholeTags(repo);
    const event = (await w.sys.db.jobRecord.findMany({ where: { name: "repo_mirror_sync_failed" } })).find(
      (j) => (j.payload as { repository: string }).repository === repo,
    );
    assert.equal((event?.payload as { error: string }).error, "cancelled");
    const audit = await w.sys.db.auditLog.findFirstOrThrow({
      where: { kind: "repo_mirror_sync_failed", repository: { name: repo.split("/")[1] } },
    });
    assert.equal((audit.metadata as { verb: string }).verb, "Cancelled");
    // A cancelled mirror is not scheduled again; sync-now is.
    await w.sys.services.mirrorSync.schedule();
    assert.equal((await configOf(repo)).syncStatus, "CANCEL");
    const again = await syncNow(admin, repo, 180_000);
    assert.equal(again.status, "success", JSON.stringify(again));
    assert.deepEqual(Object.keys(await tagsOf(admin, repo)).sort(), SLOW_TAGS);
  });
});

describe("claims", () => {
  test("a sync whose worker stopped (lapsed claim) is taken over by the periodic look and completes", async () => {
    const repo = await newRepo(admin);
    await createMirror(admin, repo, `${up.reg.host}/ns/app`, ["s1", "s2"]);
    const cfg = await configOf(repo);
    // As a crash leaves it: SYNCING under a claim nobody renews, a sync row still running.
    const dead = await w.sys.db.repoMirrorSync.create({ data: { configId: cfg.id } });
    await w.sys.db.repoMirrorConfig.update({
      where: { id: cfg.id },
      data: { syncStatus: "SYNCING", syncExpirationDate: new Date(Date.now() - 1000) },
    });
    const r = await w.sys.services.mirrorSync.schedule();
    assert.ok("takenOver" in r && r.takenOver === 1, JSON.stringify(r));
    const done = await until(
      async () => {
        const s = (await syncsOf(admin, repo))[0];
        return s && BigInt(s.id) > dead.id && s.status !== "running" && s;
      },
      "the restarted sync",
      60_000,
    );
    assert.equal(done.status, "success");
    const old = await w.sys.db.repoMirrorSync.findUniqueOrThrow({ where: { id: dead.id } });
    assert.equal(old.status, "failed");
    assert.match(old.error!, /interrupted: its worker stopped/);
    assert.deepEqual(Object.keys(await tagsOf(admin, repo)).sort(), ["s1", "s2"]);
  });

  test("a running sync that loses its claim stops; the sync that took over finishes with whole tags", async () => {
    const repo = await newRepo(admin);
    const tags = await freshUpstream("ns/lost");
    await createMirror(admin, repo, `${slow.host}/ns/lost`, ["s[0-9]"]);
    assert.equal((await admin.call("POST", `/repository/${repo}/mirror/sync-now`)).status, 204);
    const first = await until(
      async () => (await syncsOf(admin, repo)).find((s) => s.status === "running"),
      "a running sync",
      30_000,
    );
    // Its claim lapses as if its worker had hung; the periodic look takes the mirror over. (The running
    // worker's heartbeat may renew the claim between the two steps: then again.)
    const cfg = await configOf(repo);
    await until(
      async () => {
        await w.sys.db.repoMirrorConfig.update({
          where: { id: cfg.id },
          data: { syncExpirationDate: new Date(Date.now() - 1000) },
        });
        const r = await w.sys.services.mirrorSync.schedule();
        return "takenOver" in r && r.takenOver === 1;
      },
      "the periodic look to take the sync over",
      30_000,
    );
    const second = await until(
      async () => {
        const s = (await syncsOf(admin, repo))[0];
        return s && BigInt(s.id) > BigInt(first.id) && s.status !== "running" && s;
      },
      "the sync that took over",
      180_000,
    );
    assert.equal(second.status, "success", JSON.stringify(second));
    const old = (await syncsOf(admin, repo)).find((s) => s.id === first.id)!;
    assert.equal(old.status, "failed");
    assert.match(old.error!, /interrupted/);
    assert.deepEqual(Object.keys(await tagsOf(admin, repo)).sort(), tags);
    await assertWholeTags(repo);
    assert.equal((await configOf(repo)).syncStatus, "SUCCESS");
  });
});

describe("the periodic look", () => {
  test("queues mirrors whose start date has come, then waits one interval; leaves disabled ones alone", async () => {
    const due = await newRepo(admin);
    await createMirror(admin, due, `${up.reg.host}/ns/app`, ["s1"], { sync_interval: 3600 });
    const off = await newRepo(admin);
    await createMirror(admin, off, `${up.reg.host}/ns/app`, ["s1"], { is_enabled: false });
    const later = await newRepo(admin);
    await createMirror(admin, later, `${up.reg.host}/ns/app`, ["s1"], {
      sync_start_date: "2099-01-01T00:00:00Z",
    });
    const r = await w.sys.services.mirrorSync.schedule();
    assert.ok("queued" in r && r.queued >= 1, JSON.stringify(r));
    const s = await until(
      async () => (await syncsOf(admin, due)).find((x) => x.status === "success"),
      "the scheduled sync",
      60_000,
    );
    assert.equal(s.tags_copied, 1);
    const view = (await w.sys.services.mirrors.get(await w.principal("admin", "admin-password"), due))!;
    assert.equal(view.syncStatus, "SUCCESS");
    assert.equal(view.nextSyncAt!.getTime(), view.lastSyncAt!.getTime() + 3600 * 1000);
    await w.sys.services.mirrorSync.schedule();
    assert.equal((await configOf(due)).syncStatus, "SUCCESS", "not due again before its interval");
    assert.equal((await configOf(off)).syncStatus, "NEVER_RUN");
    assert.equal((await configOf(later)).syncStatus, "NEVER_RUN");
    assert.deepEqual(await syncsOf(admin, off), []);
  });
});
