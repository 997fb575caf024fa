// Tag lifecycle against the real system: history and restore (time machine), expiration from a label and
// from the service, labels, listing, and fetch commands.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fetchCommands } from "../src/tags/fetch-commands.js";
import { LABEL_FORMAT_ERROR } from "../src/content/manifest-labels.js";
import type { Principal } from "../src/access/principal.js";
import type { Services } from "../src/app/services.js";
import { startTestSystem, type TestSystem } from "./harness.js";
import { RegistryClient, sha } from "./registry-client.js";

let sys: TestSystem;
let s: Services;
let alice: Principal;
let bob: Principal;
let reg: RegistryClient;

const HOUR = 3600_000;
const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

async function user(name: string): Promise<Principal> {
  await s.accounts.createUser({ username: name, email: `${name}@example.com`, password: `${name}-password` });
  return (await s.accounts.verifyPassword(name, `${name}-password`))!;
}

const configWith = (labels: Record<string, string>) =>
  JSON.stringify({
    architecture: "amd64",
    os: "linux",
    config: { Labels: labels },
    rootfs: { type: "layers", diff_ids: [] },
  });

/** Moves a repository's tag rows `ms` into the past (stands in for waiting). */
async function age(repo: string, ms: number) {
  const r = (await s.repos.find(repo))!;
  await sys.db
    .$executeRaw`UPDATE "Tag" SET "lifetimeStart" = "lifetimeStart" - ${ms} * interval '1 millisecond',
    "lifetimeEnd" = "lifetimeEnd" - ${ms} * interval '1 millisecond' WHERE "repositoryId" = ${r.id}`;
}

before(async () => {
  sys = await startTestSystem({ GC_INTERVAL: "0" });
  s = sys.services;
  alice = await user("alice");
  bob = await user("bob");
  reg = new RegistryClient(sys, ["alice", "alice-password"]);
});
after(async () => sys?.stop());

describe("history and restore", () => {
  test("created, moved, deleted and restored rows; restore points the tag back", async () => {
    const a = await reg.pushImage("alice/hist", "latest");
    const b = await reg.pushImage("alice/hist", "latest");
    await s.tagCommands.deleteTags(alice, "alice/hist", ["latest"]);
    await assert.rejects(s.tagQueries.getTag(alice, "alice/hist", "latest"), code("NOT_FOUND"));

    const before = await s.tagQueries.history(alice, "alice/hist", { tag: "latest" });
    assert.deepEqual(
      before.items.map((e) => [e.manifestDigest, e.action, e.endAction, e.restorable]),
      [
        [b.digest, "moved", "deleted", true],
        [a.digest, "created", "moved", true],
      ],
    );
    const restored = await s.tagCommands.restoreTag(alice, "alice/hist", { entryId: before.items[1]!.id });
    assert.equal(restored.manifestDigest, a.digest);
    assert.equal((await s.tagQueries.getTag(alice, "alice/hist", "latest")).manifestDigest, a.digest);
    const res = await reg.req("GET", "alice/hist", "/manifests/latest", {
      headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    assert.equal(res.headers.get("docker-content-digest"), a.digest);

    // Restoring B while A is alive moves the tag again; the history shows both restores.
    await s.tagCommands.restoreTag(alice, "alice/hist", { tag: "latest", manifestDigest: b.digest });
    const after = await s.tagQueries.history(alice, "alice/hist", { tag: "latest" });
    assert.deepEqual(
      after.items.map((e) => [e.manifestDigest, e.action, e.endAction]),
      [
        [b.digest, "restored", null],
        [a.digest, "restored", "moved"],
        [b.digest, "moved", "deleted"],
        [a.digest, "created", "moved"],
      ],
    );
    // Restoring what the tag already points at changes nothing.
    await assert.rejects(
      s.tagCommands.restoreTag(alice, "alice/hist", { tag: "latest", manifestDigest: b.digest }),
      code("CONFLICT"),
    );
  });

  test("an entry past the namespace's time-machine window cannot be restored", async () => {
    const a = await reg.pushImage("alice/window", "v1");
    await s.tagCommands.deleteTags(alice, "alice/window", ["v1"]);
    // Window is 14 days by default: 13 days ago is restorable, 15 days ago is not.
    await age("alice/window", 13 * 24 * HOUR);
    let [entry] = (await s.tagQueries.history(alice, "alice/window")).items;
    assert.equal(entry!.restorable, true);
    await age("alice/window", 2 * 24 * HOUR);
    [entry] = (await s.tagQueries.history(alice, "alice/window")).items;
    assert.equal(entry!.restorable, false);
    await assert.rejects(
      s.tagCommands.restoreTag(alice, "alice/window", { entryId: entry!.id }),
      (e: { code?: string; message: string }) =>
        e.code === "BAD_USER_INPUT" && /time-machine window/.test(e.message),
    );
    // A wider namespace window makes it restorable again.
    await sys.db.namespace.update({ where: { name: "alice" }, data: { timeMachineSeconds: 30 * 86400 } });
    await s.tagCommands.restoreTag(alice, "alice/window", { entryId: entry!.id });
    assert.equal((await s.tagQueries.getTag(alice, "alice/window", "v1")).manifestDigest, a.digest);
    await sys.db.namespace.update({ where: { name: "alice" }, data: { timeMachineSeconds: 14 * 86400 } });
  });

  test("removing a history entry for good needs admin and an ended entry", async () => {
    await reg.pushImage("alice/purge", "v1");
    const repo = (await s.repos.find("alice/purge"))!;
    await sys.db.repositoryPermission.create({
      data: { repositoryId: repo.id, userId: (bob as { userId: bigint }).userId, role: "write" },
    });
    const [alive] = (await s.tagQueries.history(alice, "alice/purge")).items;
    await assert.rejects(
      s.tagCommands.purgeHistoryEntry(alice, "alice/purge", alive!.id),
      code("BAD_USER_INPUT"),
    );
    await s.tagCommands.deleteTags(bob, "alice/purge", ["v1"]);
    await assert.rejects(s.tagCommands.purgeHistoryEntry(bob, "alice/purge", alive!.id), code("FORBIDDEN"));
    await s.tagCommands.purgeHistoryEntry(alice, "alice/purge", alive!.id);
    assert.equal((await s.tagQueries.history(alice, "alice/purge")).totalCount, 0);
    await assert.rejects(
      s.tagCommands.restoreTag(alice, "alice/purge", { entryId: alive!.id }),
      code("NOT_FOUND"),
    );
  });

  test("add refuses to silently move a tag; move records the move; bad names and digests are input errors", async () => {
    const a = await reg.pushImage("alice/addmove", "a");
    const b = await reg.pushImage("alice/addmove", "b");
    await s.tagCommands.addTag(alice, "alice/addmove", "extra", a.digest);
    await assert.rejects(s.tagCommands.addTag(alice, "alice/addmove", "extra", b.digest), code("CONFLICT"));
    await s.tagCommands.moveTag(alice, "alice/addmove", "extra", b.digest);
    assert.equal((await s.tagQueries.getTag(alice, "alice/addmove", "extra")).manifestDigest, b.digest);
    await assert.rejects(s.tagCommands.moveTag(alice, "alice/addmove", "nope", b.digest), code("NOT_FOUND"));
    await assert.rejects(
      s.tagCommands.addTag(alice, "alice/addmove", "bad tag!", a.digest),
      code("BAD_USER_INPUT"),
    );
    await assert.rejects(
      s.tagCommands.addTag(alice, "alice/addmove", "x", "sha256:zz"),
      code("BAD_USER_INPUT"),
    );
    await assert.rejects(s.tagCommands.addTag(bob, "alice/addmove", "x", a.digest), code("NOT_FOUND"));
    const deleted = await s.tagCommands.deleteTags(alice, "alice/addmove", ["a", "extra", "missing"]);
    assert.deepEqual(deleted.sort(), ["a", "extra"]);
    const kinds = (await sys.db.auditLog.findMany({ where: { repository: { name: "addmove" } } })).map(
      (l) => l.kind,
    );
    for (const k of ["create_tag", "move_tag", "delete_tag"]) assert.ok(kinds.includes(k), k);
  });
});

describe("expiration", () => {
  test("quay.expires-after in the image config sets the expiration, clamped as Quay does", async () => {
    const cases: [string, number | null][] = [
      ["2d", 2 * 24 * HOUR],
      ["1s", HOUR], // below the 1h minimum
      ["1000w", 104 * 7 * 24 * HOUR], // above the 104w maximum
      ["soon", null], // not a duration: ignored
    ];
    for (const [i, [value, ms]] of cases.entries()) {
      await reg.pushImage("alice/exp", `t${i}`, {
        config: configWith({ "quay.expires-after": value, n: String(i) }),
      });
      const t = await s.tagQueries.getTag(alice, "alice/exp", `t${i}`);
      assert.equal(t.expiration ? t.expiration.getTime() - t.lastModified.getTime() : null, ms, value);
      assert.deepEqual(
        t.labels.map((l) => [l.key, l.value, l.source]),
        [
          ["quay.expires-after", value, "manifest"],
          ["n", String(i), "manifest"],
        ],
      );
    }
  });

  test("set, change, clear in bulk; the past is refused; an expired tag disappears at its end", async () => {
    await reg.pushImage("alice/exp2", "a");
    await reg.pushImage("alice/exp2", "b");
    const when = new Date(Date.now() + 5 * HOUR);
    assert.deepEqual((await s.tagCommands.setExpiration(alice, "alice/exp2", ["a", "b"], when)).sort(), [
      "a",
      "b",
    ]);
    assert.equal((await s.tagQueries.getTag(alice, "alice/exp2", "b")).expiration?.getTime(), when.getTime());
    await s.tagCommands.setExpiration(alice, "alice/exp2", ["b"], null);
    assert.equal((await s.tagQueries.getTag(alice, "alice/exp2", "b")).expiration, null);
    await assert.rejects(
      s.tagCommands.setExpiration(alice, "alice/exp2", ["a"], new Date(Date.now() - 1000)),
      (e: { code?: string; message: string }) => e.code === "BAD_USER_INPUT" && /future/.test(e.message),
    );
    await assert.rejects(s.tagCommands.setExpiration(alice, "alice/exp2", ["zzz"], when), code("NOT_FOUND"));

    // Tag a expires 5h after now; move the clock 6h forward for it.
    await sys.db.$executeRaw`UPDATE "Tag" SET "lifetimeStart" = "lifetimeStart" - interval '6 hours',
      "lifetimeEnd" = "lifetimeEnd" - interval '6 hours' WHERE name = 'a' AND expires`;
    const list = await s.tagQueries.listTags(alice, "alice/exp2");
    assert.deepEqual(
      list.items.map((t) => t.name),
      ["b"],
    );
    const res = await reg.req("GET", "alice/exp2", "/manifests/a", {
      headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    assert.equal(res.status, 404);
    const tags = (await (await reg.req("GET", "alice/exp2", "/tags/list")).json()) as { tags: string[] };
    assert.deepEqual(tags.tags, ["b"]);
    const [entry] = (await s.tagQueries.history(alice, "alice/exp2", { tag: "a" })).items;
    assert.equal(entry!.endAction, "expired");
    const kinds = (await sys.db.auditLog.findMany({ where: { kind: "change_tag_expiration" } })).length;
    assert.equal(kinds, 3);
  });
});

describe("labels", () => {
  test("add, edit, remove API labels; bad format; image labels are read-only", async () => {
    const m = await reg.pushImage("alice/labels", "v1", { config: configWith({ maintainer: "me" }) });
    const added = await s.labels.add(alice, "alice/labels", m.digest, "env=prod=eu");
    assert.deepEqual([added.key, added.value, added.source], ["env", "prod=eu", "api"]);
    for (const bad of ["novalue", "=x", " =x", "bad key=1", ""]) {
      await assert.rejects(
        s.labels.add(alice, "alice/labels", m.digest, bad),
        (e: { code?: string; message: string }) =>
          e.code === "BAD_USER_INPUT" && e.message === LABEL_FORMAT_ERROR,
        bad,
      );
    }
    assert.equal(LABEL_FORMAT_ERROR, "Invalid label format, must be key value separated by =");
    const edited = await s.labels.edit(alice, "alice/labels", m.digest, added.id, "env=staging");
    assert.equal(edited.value, "staging");
    const listed = await s.labels.list(alice, "alice/labels", m.digest);
    assert.deepEqual(
      listed.map((l) => [l.key, l.value, l.source]),
      [
        ["maintainer", "me", "manifest"],
        ["env", "staging", "api"],
      ],
    );
    const fromImage = listed[0]!;
    await assert.rejects(
      s.labels.edit(alice, "alice/labels", m.digest, fromImage.id, "maintainer=x"),
      code("FORBIDDEN"),
    );
    await assert.rejects(s.labels.remove(alice, "alice/labels", m.digest, fromImage.id), code("FORBIDDEN"));
    await assert.rejects(s.labels.add(bob, "alice/labels", m.digest, "a=b"), code("NOT_FOUND"));
    await s.labels.remove(alice, "alice/labels", m.digest, added.id);
    assert.deepEqual(
      (await s.labels.list(alice, "alice/labels", m.digest)).map((l) => l.key),
      ["maintainer"],
    );
    const kinds = (await sys.db.auditLog.findMany({ where: { repository: { name: "labels" } } })).map(
      (l) => l.kind,
    );
    assert.equal(kinds.filter((k) => k === "manifest_label_add").length, 2);
    assert.equal(kinds.filter((k) => k === "manifest_label_delete").length, 2);
  });

  test("an API quay.expires-after label sets the expiration of the manifest's tags", async () => {
    const m = await reg.pushImage("alice/labels2", "v1");
    await s.labels.add(alice, "alice/labels2", m.digest, "quay.expires-after=3h");
    const t = await s.tagQueries.getTag(alice, "alice/labels2", "v1");
    assert.equal(t.expiration!.getTime() - t.lastModified.getTime(), 3 * HOUR);
  });
});

describe("listing and fetch commands", () => {
  test("paging by name and by last modified, name filter, sizes and index children", async () => {
    const pushed: Record<string, string> = {};
    for (const n of ["beta", "alpha", "gamma", "alpha-2"])
      pushed[n] = (await reg.pushImage("alice/list", n)).digest;
    const byName: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await s.tagQueries.listTags(alice, "alice/list", { first: 3, after, sort: "NAME" });
      byName.push(...page.items.map((t) => t.name));
      assert.equal(page.totalCount, 4);
      if (!page.hasNextPage) break;
      after = page.cursors.at(-1)!;
    }
    assert.deepEqual(byName, ["alpha", "alpha-2", "beta", "gamma"]);
    const newest: string[] = [];
    after = null;
    for (;;) {
      const page = await s.tagQueries.listTags(alice, "alice/list", { first: 1, after });
      newest.push(...page.items.map((t) => t.name));
      if (!page.hasNextPage) break;
      after = page.cursors.at(-1)!;
    }
    assert.deepEqual(newest, ["alpha-2", "gamma", "alpha", "beta"]);
    const filtered = await s.tagQueries.listTags(alice, "alice/list", { filter: "ALPHA", sort: "NAME" });
    assert.deepEqual(
      filtered.items.map((t) => t.name),
      ["alpha", "alpha-2"],
    );
    assert.equal(filtered.items[0]!.manifestDigest, pushed.alpha);
    await assert.rejects(
      s.tagQueries.listTags(alice, "alice/list", { after: "garbage" }),
      code("BAD_USER_INPUT"),
    );

    // An index of two images: its size is the sum of its children, each with its platform.
    const kids = [];
    for (const arch of ["amd64", "arm64"]) {
      const img = await reg.pushImage("alice/list", `tmp-${arch}`, {
        config: JSON.stringify({ architecture: arch, os: "linux", rootfs: { type: "layers", diff_ids: [] } }),
      });
      kids.push({
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: img.digest,
        size: img.bytes.length,
        platform: { os: "linux", architecture: arch },
      });
    }
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: kids,
      }),
    );
    const put = await reg.putManifest(
      "alice/list",
      "multi",
      index,
      "application/vnd.oci.image.index.v1+json",
    );
    assert.equal(put.status, 201);
    const [multi] = (await s.tagQueries.listTags(alice, "alice/list", { filter: "multi" })).items;
    assert.equal(multi!.manifestDigest, sha(index));
    assert.equal(multi!.isManifestList, true);
    assert.deepEqual(
      multi!.children.map((c) => [c.digest, c.platform?.architecture]),
      kids.map((k) => [k.digest, k.platform.architecture]),
    );
    const tmp = (await s.tagQueries.listTags(alice, "alice/list", { filter: "tmp-", sort: "NAME" })).items;
    assert.ok(tmp.every((t) => t.size > 0));
    assert.equal(multi!.size, tmp[0]!.size + tmp[1]!.size);
  });

  test("fetch commands for a tag and a digest use SERVER_HOSTNAME", async () => {
    const d = `sha256:${"a".repeat(64)}`;
    assert.deepEqual(fetchCommands("quay.example.com", "ns/team/app", { tag: "v1" }), {
      podman: "podman pull quay.example.com/ns/team/app:v1",
      docker: "docker pull quay.example.com/ns/team/app:v1",
      squashed: "curl -f -u USERNAME https://quay.example.com/c1/squash/ns/team/app/v1 | docker load",
    });
    assert.deepEqual(fetchCommands("quay.example.com", "ns/app", { digest: d }), {
      podman: `podman pull quay.example.com/ns/app@${d}`,
      docker: `docker pull quay.example.com/ns/app@${d}`,
      squashed: null,
    });
    const m = await reg.pushImage("alice/fetch", "v2");
    const t = await s.tagQueries.getTag(alice, "alice/fetch", "v2");
    assert.equal(t.fetch.tag.podman, `podman pull ${sys.config.SERVER_HOSTNAME}/alice/fetch:v2`);
    assert.equal(t.fetch.digest.docker, `docker pull ${sys.config.SERVER_HOSTNAME}/alice/fetch@${m.digest}`);
  });
});
