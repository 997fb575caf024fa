// Syncs from a real CNCF distribution (plain HTTP) holding content skopeo put there: images, a multi-arch
// index with its children and a cosign-like signature; glob rules; a re-sync that copies nothing; tags moved
// and deleted upstream picked up by the next sync; the robot named in the audit log; the events; the mirror
// refusing users' writes (REST and /v2) while its robot writes, and READ_ONLY refusing everyone.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MediaType } from "@hm/oci";
import { RegistryClient } from "../registry-client.js";
import { watchRepository } from "../harness.js";
import { assertQuayError, type Rest } from "../rest/client.js";
import { DOCKER_REGISTRY, requireBinaries } from "../remote/upstreams.js";
import {
  createMirror,
  mirrorWorld,
  newRepo,
  ORG,
  performersOf,
  setUp,
  startUpstream,
  syncNow,
  tagsOf,
  type Upstream,
} from "./fixtures.js";

const w = mirrorWorld();
let admin: Rest;
let up: Upstream;

before(async () => {
  requireBinaries(DOCKER_REGISTRY, "skopeo");
  admin = await setUp(w);
  up = await startUpstream();
});
after(async () => up?.stop());

describe("a sync from CNCF distribution", () => {
  let repo: string;

  test("first sync: every matching tag with its content; the index with its children; the .sig artifact", async () => {
    repo = await newRepo(admin);
    await up.putAll("ns/changing");
    await watchRepository(w.sys, repo, ["repo_mirror_sync_started", "repo_mirror_sync_success", "repo_push"]);
    await createMirror(admin, repo, `${up.reg.host}/ns/changing`, ["v*", "latest", "multi", "*.sig"]);
    const sync = await syncNow(admin, repo);
    assert.equal(sync.status, "success", JSON.stringify(sync));
    assert.equal(sync.tags_copied, 6);
    assert.equal(sync.tags_deleted, 0);
    const tags = await tagsOf(admin, repo);
    assert.deepEqual(Object.keys(tags).sort(), ["latest", "multi", up.sigTag, "v1", "v1.1", "v2"].sort());
    for (const t of ["latest", "v1", "v1.1", "v2"]) assert.equal(tags[t], up.images[t]!.desc.digest);
    assert.equal(tags.multi, up.index.desc.digest);
    assert.equal(tags[up.sigTag], up.sig.desc.digest);
    assert.ok(!("dev" in tags), "dev matches no glob");

    // Pulled back through /v2 as the repository's admin: bytes and blobs as upstream, children by digest.
    const reg = new RegistryClient(w.sys, ["admin", "admin-password"]);
    for (const [ref, built] of [
      ["v1", up.images.v1!],
      ["multi", up.index],
      [up.sigTag, up.sig],
    ] as const) {
      const res = await reg.req("GET", repo, `/manifests/${ref}`, {
        actions: "pull",
        headers: { accept: [MediaType.OciManifest, MediaType.OciIndex].join(",") },
      });
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), built.bytes);
      for (const [digest, bytes] of built.blobs) {
        const b = await reg.req("GET", repo, `/blobs/${digest}`, { actions: "pull" });
        assert.equal(b.status, 200, digest);
        assert.deepEqual(Buffer.from(await b.arrayBuffer()), bytes);
      }
    }
    for (const child of up.children) {
      const res = await reg.req("GET", repo, `/manifests/${child.desc.digest}`, { actions: "pull" });
      assert.equal(res.status, 200);
    }
  });

  test("the robot is the one in the audit log; the events were emitted; the log tells what was done", async () => {
    const pushers = await performersOf(w, repo, "push_repo");
    assert.ok(pushers.length >= 6);
    assert.deepEqual([...new Set(pushers)], [`${ORG}+syncer`]);
    assert.deepEqual(await performersOf(w, repo, "repo_mirror_sync_success"), [`${ORG}+syncer`]);
    const events = await w.sys.db.jobRecord.findMany({
      where: { name: { in: ["repo_mirror_sync_started", "repo_mirror_sync_success"] } },
    });
    const mine = events.filter((e) => (e.payload as { repository?: string }).repository === repo);
    assert.deepEqual(mine.map((e) => e.name).sort(), [
      "repo_mirror_sync_started",
      "repo_mirror_sync_success",
    ]);
    const success = mine.find((e) => e.name === "repo_mirror_sync_success")!.payload as { message: string };
    assert.match(
      success.message,
      new RegExp(`'${up.reg.host}/ns/changing' with tag pattern 'v\\*,latest,multi,\\*\\.sig'`),
    );
    const [sync] = (await admin.get(`/repository/${repo}/mirror/syncs`)).syncs;
    const text = sync.logs.map((l: { message: string }) => l.message).join("\n");
    assert.match(text, /7 tags upstream, 6 matching/);
    assert.match(text, /multi: copied sha256:[0-9a-f]{64} \(3 manifests/);
    const view = await admin.get(`/repository/${repo}/mirror`);
    assert.equal(view.sync_status, "SUCCESS");
    assert.equal(view.sync_retries_remaining, 3);
    assert.equal(view.sync_expiration_date, null);
  });

  test("a re-sync with nothing changed upstream copies nothing", async () => {
    const before = await w.sys.db.auditLog.count({ where: { kind: "push_repo" } });
    const sync = await syncNow(admin, repo);
    assert.equal(sync.status, "success");
    assert.equal(sync.tags_copied, 0);
    assert.equal(sync.tags_skipped, 6);
    assert.equal(await w.sys.db.auditLog.count({ where: { kind: "push_repo" } }), before);
  });

  test("a tag moved upstream is moved here; one deleted upstream is deleted here", async () => {
    const moved = up.content.image({ layerSizes: [1500] });
    await up.put("ns/changing", "v2", moved);
    const del = await fetch(`${up.reg.url}/v2/ns/changing/manifests/${up.images["v1.1"]!.desc.digest}`, {
      method: "DELETE",
    });
    assert.equal(del.status, 202);
    const sync = await syncNow(admin, repo);
    assert.equal(sync.status, "success", JSON.stringify(sync));
    assert.equal(sync.tags_copied, 1);
    assert.equal(sync.tags_deleted, 1);
    const tags = await tagsOf(admin, repo);
    assert.equal(tags.v2, moved.desc.digest);
    assert.ok(!("v1.1" in tags));
    const text = sync.logs.map((l) => l.message).join("\n");
    assert.match(text, new RegExp(`v2: moved from ${up.images.v2!.desc.digest} to ${moved.desc.digest}`));
    assert.match(text, /deleted 1 tags not found upstream under the rule: v1\.1/);
    assert.deepEqual(await performersOf(w, repo, "delete_tag"), [`${ORG}+syncer`]);
  });

  test("a rule changed to fewer tags: the next sync deletes the tags outside it (Quay's rule)", async () => {
    await admin.put(`/repository/${repo}/mirror`, {
      root_rule: { rule_kind: "tag_glob_csv", rule_value: ["v?"] },
    });
    const sync = await syncNow(admin, repo);
    assert.equal(sync.status, "success");
    assert.deepEqual(Object.keys(await tagsOf(admin, repo)).sort(), ["v1", "v2"]);
  });
});

describe("glob rules", () => {
  const cases: [string[], string[]][] = [
    [["latest"], ["latest"]],
    [["v1*"], ["v1", "v1.1"]],
    [["v?"], ["v1", "v2"]],
    [["[dl]*"], ["dev", "latest"]],
    [
      ["v[!2]*", "dev"],
      ["dev", "v1", "v1.1"],
    ],
    [["nothing-matches"], []],
  ];
  for (const [globs, expected] of cases)
    test(`${JSON.stringify(globs)} → ${JSON.stringify(expected)}`, async () => {
      const repo = await newRepo(admin, "glob");
      await createMirror(admin, repo, `${up.reg.host}/ns/app`, globs);
      const sync = await syncNow(admin, repo);
      assert.equal(sync.status, "success");
      assert.deepEqual(Object.keys(await tagsOf(admin, repo)).sort(), expected);
    });
});

describe("who may write to a mirror", () => {
  let repo: string;
  let writer: { name: string; password: string };

  before(async () => {
    repo = await newRepo(admin, "guarded");
    writer = await w.user("writer");
    await admin.put(`/repository/${repo}/permissions/user/${writer.name}`, { role: "write" });
    await createMirror(admin, repo, `${up.reg.host}/ns/app`, ["latest"]);
    assert.equal((await syncNow(admin, repo)).status, "success");
  });

  test("users' pushes are refused with 'repository is mirrored'; the robot's go through", async () => {
    for (const creds of [
      [writer.name, writer.password],
      ["admin", "admin-password"],
    ] as [string, string][]) {
      const res = await new RegistryClient(w.sys, creds).req("POST", repo, "/blobs/uploads/");
      assert.equal(res.status, 405, creds[0]);
      const body = (await res.json()) as { errors: { code: string; message: string }[] };
      assert.equal(body.errors[0]!.code, "DENIED");
      assert.match(body.errors[0]!.message, /repository is mirrored/);
    }
    const robot = await w.sys.services.robots.get(
      await w.principal("admin", "admin-password"),
      `${ORG}+syncer`,
    );
    const token = w.sys.services.robots.token(robot);
    const pushed = await new RegistryClient(w.sys, [`${ORG}+syncer`, token]).pushImage(repo, "by-robot");
    assert.equal(pushed.res.status, 201);
  });

  test("users' tag changes through the API are refused too", async () => {
    const rest = await w.as(writer.name, writer.password);
    const digest = (await tagsOf(admin, repo)).latest!;
    assertQuayError(
      await rest.call("PUT", `/repository/${repo}/tag/other`, { body: { manifest_digest: digest } }),
      403,
      /repository is mirrored/,
    );
    assertQuayError(
      await rest.call("DELETE", `/repository/${repo}/tag/latest`),
      403,
      /repository is mirrored/,
    );
  });

  test("READ_ONLY refuses every push (a clear error); NORMAL takes them again", async () => {
    const ro = await newRepo(admin, "readonly");
    await admin.put(`/repository/${ro}/permissions/user/${writer.name}`, { role: "write" });
    assert.deepEqual(await admin.put(`/repository/${ro}/changestate`, { state: "READ_ONLY" }), {
      success: true,
    });
    assert.equal((await admin.get(`/repository/${ro}`)).state, "READ_ONLY");
    const client = new RegistryClient(w.sys, [writer.name, writer.password]);
    const res = await client.req("POST", ro, "/blobs/uploads/");
    assert.equal(res.status, 405);
    assert.match(
      ((await res.json()) as { errors: { message: string }[] }).errors[0]!.message,
      /repository is read-only/,
    );
    await admin.put(`/repository/${ro}/changestate`, { state: "NORMAL" });
    assert.equal(
      (await new RegistryClient(w.sys, [writer.name, writer.password]).pushImage(ro, "v1")).res.status,
      201,
    );
    assert.deepEqual(await performersOf(w, ro, "change_repo_state"), ["admin", "admin"]);
  });
});
