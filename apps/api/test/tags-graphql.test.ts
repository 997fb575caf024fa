// The tag lifecycle through GraphQL, as the console uses it: list, details with fetch commands, move, labels,
// expiration, delete and restore from history; and the errors each step gives.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  AddLabelDocument,
  AddTagDocument,
  DeleteTagsDocument,
  EditLabelDocument,
  ManifestLabelsDocument,
  MoveTagDocument,
  PurgeTagHistoryEntryDocument,
  RemoveLabelDocument,
  RestoreTagDocument,
  SetRepositoryPermissionDocument,
  SetTagExpirationDocument,
  TagDetailsDocument,
  TagHistoryDocument,
  TagsDocument,
  type VariablesOf,
} from "@hm/schema";
import { startTestSystem, type TestSystem } from "./harness.js";
import { GqlSession, signUp } from "./gql-client.js";
import { RegistryClient } from "./registry-client.js";

let sys: TestSystem;
let alice: GqlSession;
let reader: GqlSession;
let v1: string;
let v2: string;

// Every test works on alice/app; queries name it (namespace, name), mutations (namespace, repository).
const APP = { namespace: "alice", name: "app" };
const IN_APP = { namespace: "alice", repository: "app" };
type TagsArgs = Omit<VariablesOf<typeof TagsDocument>, "namespace" | "name">;
const tags = async (s: GqlSession, args: TagsArgs = {}) =>
  (await s.ok(TagsDocument, { ...APP, ...args })).repository.tags;
const history = async (tag: string) =>
  (await alice.ok(TagHistoryDocument, { ...APP, tag })).repository.tagHistory.edges.map((e) => e.node);
const labelsOf = async (digest: string) =>
  (await alice.ok(ManifestLabelsDocument, { ...APP, digest })).repository.labels;

before(async () => {
  sys = await startTestSystem({}, { workers: false });
  alice = await signUp(sys, "alice");
  reader = await signUp(sys, "reader");
  const reg = new RegistryClient(sys, ["alice", "password-123"]);
  const config = (labels: Record<string, string>) =>
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { Labels: labels },
      rootfs: { type: "layers", diff_ids: [] },
    });
  v1 = (await reg.pushImage("alice/app", "v1", { config: config({ team: "web" }) })).digest;
  v2 = (await reg.pushImage("alice/app", "v2", { config: config({ team: "api" }) })).digest;
  await reg.pushImage("alice/app", "latest", { config: config({}) });
  await alice.ok(SetRepositoryPermissionDocument, { ...APP, kind: "user", entity: "reader", role: "read" });
});
after(async () => sys?.stop());

describe("tags over GraphQL", () => {
  test("list with filter, sort and paging; labels from the image config", async () => {
    const all = await tags(alice, { sort: "NAME" });
    assert.equal(all.totalCount, 3);
    assert.deepEqual(
      all.edges.map((e) => e.node.name),
      ["latest", "v1", "v2"],
    );
    const v1Node = all.edges[1]!.node;
    assert.equal(v1Node.manifestDigest, v1);
    assert.ok(v1Node.size > 0);
    assert.deepEqual(
      v1Node.labels.map(({ key, value, source }) => ({ key, value, source })),
      [{ key: "team", value: "web", source: "manifest" }],
    );
    assert.deepEqual((await tags(alice, { filter: "v" })).edges.map((e) => e.node.name).sort(), ["v1", "v2"]);
    const p1 = await tags(alice, { sort: "NAME", first: 2 });
    const p2 = await tags(alice, { sort: "NAME", first: 2, after: p1.pageInfo.endCursor });
    assert.deepEqual(
      p2.edges.map((e) => e.node.name),
      ["v2"],
    );
    assert.equal(p2.pageInfo.hasNextPage, false);
  });

  test("details with fetch commands by tag and by digest", async () => {
    const t = (await reader.ok(TagDetailsDocument, { ...APP, tag: "v1" })).repository.tag;
    assert.equal(t.fetch.tag.podman, `podman pull ${sys.host}/alice/app:v1`);
    assert.equal(t.fetch.tag.docker, `docker pull ${sys.host}/alice/app:v1`);
    assert.match(t.fetch.tag.squashed!, /\/c1\/squash\/alice\/app\/v1 \| docker load$/);
    assert.equal(t.fetch.digest.podman, `podman pull ${sys.host}/alice/app@${v1}`);
    assert.equal((await reader.fails(TagDetailsDocument, { ...APP, tag: "nope" })).code, "NOT_FOUND");
  });

  test("add and move tags; readers may not", async () => {
    assert.deepEqual((await alice.ok(AddTagDocument, { ...IN_APP, tag: "stable", digest: v1 })).addTag, {
      tag: "stable",
      manifestDigest: v1,
    });
    assert.equal(
      (await alice.fails(AddTagDocument, { ...IN_APP, tag: "bad tag!", digest: v1 })).code,
      "BAD_USER_INPUT",
    );
    assert.equal(
      (await alice.fails(AddTagDocument, { ...IN_APP, tag: "other", digest: `sha256:${"0".repeat(64)}` }))
        .code,
      "NOT_FOUND",
    );
    assert.equal(
      (await reader.fails(AddTagDocument, { ...IN_APP, tag: "mine", digest: v1 })).code,
      "FORBIDDEN",
    );
    assert.deepEqual((await alice.ok(MoveTagDocument, { ...IN_APP, tag: "stable", digest: v2 })).moveTag, {
      tag: "stable",
      manifestDigest: v2,
    });
    assert.deepEqual(
      (await history("stable")).map((e) => [e.manifestDigest, e.action, e.endAction]),
      [
        [v2, "moved", null],
        [v1, "created", "moved"],
      ],
    );
  });

  test("labels: add, edit, remove; bad format; image labels are read-only", async () => {
    const onV1 = { ...IN_APP, digest: v1 };
    const bad = await alice.fails(AddLabelDocument, { ...onV1, label: "novalue" });
    assert.deepEqual(bad, {
      code: "BAD_USER_INPUT",
      message: "Invalid label format, must be key value separated by =",
    });
    const { id } = (await alice.ok(AddLabelDocument, { ...onV1, label: "owner=ops" })).addLabel;
    assert.equal((await labelsOf(v1)).find((x) => x.id === id)?.source, "api");
    const edited = (await alice.ok(EditLabelDocument, { ...onV1, id, label: "owner=platform" })).editLabel;
    assert.deepEqual(
      (await labelsOf(v1)).filter((x) => x.id === edited.id).map(({ key, value }) => ({ key, value })),
      [{ key: "owner", value: "platform" }],
    );
    const fromImage = (await labelsOf(v1)).find((x) => x.source === "manifest");
    assert.ok(fromImage);
    const e = await alice.fails(RemoveLabelDocument, { ...onV1, id: fromImage.id });
    assert.ok(["FORBIDDEN", "BAD_USER_INPUT"].includes(e.code));
    await alice.ok(RemoveLabelDocument, { ...onV1, id: edited.id });
    assert.equal((await reader.fails(AddLabelDocument, { ...onV1, label: "a=b" })).code, "FORBIDDEN");
  });

  test("expiration: set in the future, refuse the past, clear", async () => {
    const at = new Date(Date.now() + 3600_000);
    assert.deepEqual(
      (
        await alice.ok(SetTagExpirationDocument, {
          ...IN_APP,
          tags: ["v1", "v2"],
          expiration: at.toISOString(),
        })
      ).setTagExpiration.sort(),
      ["v1", "v2"],
    );
    const listed = (await tags(alice, { filter: "v1" })).edges[0]!.node;
    assert.equal(new Date(listed.expiration!).getTime(), at.getTime());
    const past = new Date(Date.now() - 1000).toISOString();
    assert.equal(
      (await alice.fails(SetTagExpirationDocument, { ...IN_APP, tags: ["v1"], expiration: past })).code,
      "BAD_USER_INPUT",
    );
    await alice.ok(SetTagExpirationDocument, { ...IN_APP, tags: ["v1", "v2"], expiration: null });
    assert.equal((await tags(alice, { filter: "v1" })).edges[0]!.node.expiration, null);
  });

  test("delete and restore from history; admins may purge an entry for good", async () => {
    const del = { ...IN_APP, tags: ["latest"] };
    assert.deepEqual((await alice.ok(DeleteTagsDocument, del)).deleteTags, ["latest"]);
    assert.equal((await tags(alice, { filter: "latest" })).totalCount, 0);
    const entry = (await history("latest"))[0]!;
    assert.equal(entry.endAction, "deleted");
    assert.equal(entry.restorable, true);
    const restore = { ...IN_APP, entryId: entry.id };
    assert.equal((await reader.fails(RestoreTagDocument, restore)).code, "FORBIDDEN");
    assert.equal((await alice.ok(RestoreTagDocument, restore)).restoreTag.tag, "latest");
    assert.equal((await history("latest"))[0]!.action, "restored");

    await alice.ok(DeleteTagsDocument, del);
    const ended = { ...IN_APP, entryId: (await history("latest"))[0]!.id };
    assert.equal((await reader.fails(PurgeTagHistoryEntryDocument, ended)).code, "FORBIDDEN");
    await alice.ok(PurgeTagHistoryEntryDocument, ended);
    assert.equal((await alice.fails(RestoreTagDocument, ended)).code, "NOT_FOUND");
    assert.equal(
      (await alice.fails(RestoreTagDocument, { ...IN_APP, entryId: "abc" })).code,
      "BAD_USER_INPUT",
    );
  });
});
