// The tag lifecycle through GraphQL, as the console uses it: list, details with fetch commands, move, labels,
// expiration, delete and restore from history; and the errors each step gives.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestSystem, type TestSystem } from "./harness.js";
import { GqlSession, signUp } from "./gql-client.js";
import { RegistryClient } from "./registry-client.js";

let sys: TestSystem;
let alice: GqlSession;
let reader: GqlSession;
let v1: string;
let v2: string;

const TAGS = `query($f:String,$s:TagSort,$first:Int,$after:String){ repository(namespace:"alice",name:"app"){
  tags(filter:$f,sort:$s,first:$first,after:$after){ totalCount edges{ node{ name manifestDigest mediaType size expiration labels{ key value source } } } pageInfo{ hasNextPage endCursor } } } }`;
const HISTORY = `query($t:String){ repository(namespace:"alice",name:"app"){ tagHistory(tag:$t){ edges{ node{ id tag manifestDigest action endAction restorable end } } } } }`;

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
  await alice.ok(
    `mutation{ setRepositoryPermission(namespace:"alice",name:"app",kind:user,entity:"reader",role:read){ role } }`,
  );
});
after(async () => sys?.stop());

describe("tags over GraphQL", () => {
  test("list with filter, sort and paging; labels from the image config", async () => {
    const all = (await alice.ok(TAGS, { s: "NAME" })).repository.tags;
    assert.equal(all.totalCount, 3);
    assert.deepEqual(
      all.edges.map((e: any) => e.node.name),
      ["latest", "v1", "v2"],
    );
    const v1Node = all.edges[1].node;
    assert.equal(v1Node.manifestDigest, v1);
    assert.ok(v1Node.size > 0);
    assert.deepEqual(v1Node.labels, [{ key: "team", value: "web", source: "manifest" }]);
    assert.deepEqual(
      (await alice.ok(TAGS, { f: "v" })).repository.tags.edges.map((e: any) => e.node.name).sort(),
      ["v1", "v2"],
    );
    const p1 = (await alice.ok(TAGS, { s: "NAME", first: 2 })).repository.tags;
    const p2 = (await alice.ok(TAGS, { s: "NAME", first: 2, after: p1.pageInfo.endCursor })).repository.tags;
    assert.deepEqual(
      p2.edges.map((e: any) => e.node.name),
      ["v2"],
    );
    assert.equal(p2.pageInfo.hasNextPage, false);
  });

  test("details with fetch commands by tag and by digest", async () => {
    const t = (
      await reader.ok(
        `{ repository(namespace:"alice",name:"app"){ tag(name:"v1"){ name createdAt fetch{ tag{ podman docker squashed } digest{ podman docker } } } } }`,
      )
    ).repository.tag;
    assert.equal(t.fetch.tag.podman, `podman pull ${sys.host}/alice/app:v1`);
    assert.equal(t.fetch.tag.docker, `docker pull ${sys.host}/alice/app:v1`);
    assert.match(t.fetch.tag.squashed, /\/c1\/squash\/alice\/app\/v1 \| docker load$/);
    assert.equal(t.fetch.digest.podman, `podman pull ${sys.host}/alice/app@${v1}`);
    assert.equal(
      (await reader.fails(`{ repository(namespace:"alice",name:"app"){ tag(name:"nope"){ name } } }`)).code,
      "NOT_FOUND",
    );
  });

  test("add and move tags; readers may not", async () => {
    const add = `mutation($t:String!,$d:String!){ addTag(namespace:"alice",repository:"app",tag:$t,digest:$d){ tag manifestDigest } }`;
    const move = `mutation($t:String!,$d:String!){ moveTag(namespace:"alice",repository:"app",tag:$t,digest:$d){ tag manifestDigest } }`;
    assert.deepEqual((await alice.ok(add, { t: "stable", d: v1 })).addTag, {
      tag: "stable",
      manifestDigest: v1,
    });
    assert.equal((await alice.fails(add, { t: "bad tag!", d: v1 })).code, "BAD_USER_INPUT");
    assert.equal((await alice.fails(add, { t: "other", d: `sha256:${"0".repeat(64)}` })).code, "NOT_FOUND");
    assert.equal((await reader.fails(add, { t: "mine", d: v1 })).code, "FORBIDDEN");
    assert.deepEqual((await alice.ok(move, { t: "stable", d: v2 })).moveTag, {
      tag: "stable",
      manifestDigest: v2,
    });
    const h = (await alice.ok(HISTORY, { t: "stable" })).repository.tagHistory.edges.map((e: any) => e.node);
    assert.deepEqual(
      h.map((e: any) => [e.manifestDigest, e.action, e.endAction]),
      [
        [v2, "moved", null],
        [v1, "created", "moved"],
      ],
    );
  });

  test("labels: add, edit, remove; bad format; image labels are read-only", async () => {
    const add = `mutation($l:String!){ addLabel(namespace:"alice",repository:"app",digest:"${"DIGEST"}",label:$l){ id key value source } }`;
    const q = (d: string) => add.replace("DIGEST", d);
    const bad = await alice.fails(q(v1), { l: "novalue" });
    assert.deepEqual(bad, {
      code: "BAD_USER_INPUT",
      message: "Invalid label format, must be key value separated by =",
    });
    const l = (await alice.ok(q(v1), { l: "owner=ops" })).addLabel;
    assert.equal(l.source, "api");
    const edit = `mutation($i:ID!,$l:String!){ editLabel(namespace:"alice",repository:"app",digest:"${v1}",id:$i,label:$l){ key value } }`;
    assert.deepEqual((await alice.ok(edit, { i: l.id, l: "owner=platform" })).editLabel, {
      key: "owner",
      value: "platform",
    });
    const labels = (
      await alice.ok(
        `{ repository(namespace:"alice",name:"app"){ labels(digest:"${v1}"){ id key source } } }`,
      )
    ).repository.labels;
    const fromImage = labels.find((x: any) => x.source === "manifest");
    assert.ok(fromImage);
    const e = await alice.fails(
      `mutation($i:ID!){ removeLabel(namespace:"alice",repository:"app",digest:"${v1}",id:$i) }`,
      { i: fromImage.id },
    );
    assert.ok(["FORBIDDEN", "BAD_USER_INPUT"].includes(e.code));
    await alice.ok(
      `mutation($i:ID!){ removeLabel(namespace:"alice",repository:"app",digest:"${v1}",id:$i) }`,
      { i: l.id },
    );
    assert.equal((await reader.fails(q(v1), { l: "a=b" })).code, "FORBIDDEN");
  });

  test("expiration: set in the future, refuse the past, clear", async () => {
    const set = `mutation($t:[String!]!,$e:DateTimeISO){ setTagExpiration(namespace:"alice",repository:"app",tags:$t,expiration:$e) }`;
    const at = new Date(Date.now() + 3600_000);
    assert.deepEqual(
      (await alice.ok(set, { t: ["v1", "v2"], e: at.toISOString() })).setTagExpiration.sort(),
      ["v1", "v2"],
    );
    const listed = (await alice.ok(TAGS, { f: "v1" })).repository.tags.edges[0].node;
    assert.equal(new Date(listed.expiration).getTime(), at.getTime());
    assert.equal(
      (await alice.fails(set, { t: ["v1"], e: new Date(Date.now() - 1000).toISOString() })).code,
      "BAD_USER_INPUT",
    );
    await alice.ok(set, { t: ["v1", "v2"], e: null });
    assert.equal((await alice.ok(TAGS, { f: "v1" })).repository.tags.edges[0].node.expiration, null);
  });

  test("delete and restore from history; admins may purge an entry for good", async () => {
    const del = `mutation($t:[String!]!){ deleteTags(namespace:"alice",repository:"app",tags:$t) }`;
    assert.deepEqual((await alice.ok(del, { t: ["latest"] })).deleteTags, ["latest"]);
    assert.equal((await alice.ok(TAGS, { f: "latest" })).repository.tags.totalCount, 0);
    const entry = (await alice.ok(HISTORY, { t: "latest" })).repository.tagHistory.edges[0].node;
    assert.equal(entry.endAction, "deleted");
    assert.equal(entry.restorable, true);
    const restore = `mutation($i:ID){ restoreTag(namespace:"alice",repository:"app",entryId:$i){ tag manifestDigest } }`;
    assert.equal((await reader.fails(restore, { i: entry.id })).code, "FORBIDDEN");
    assert.equal((await alice.ok(restore, { i: entry.id })).restoreTag.tag, "latest");
    const after = (await alice.ok(HISTORY, { t: "latest" })).repository.tagHistory.edges[0].node;
    assert.equal(after.action, "restored");

    await alice.ok(del, { t: ["latest"] });
    const ended = (await alice.ok(HISTORY, { t: "latest" })).repository.tagHistory.edges[0].node;
    const purge = `mutation($i:ID!){ purgeTagHistoryEntry(namespace:"alice",repository:"app",entryId:$i) }`;
    assert.equal((await reader.fails(purge, { i: ended.id })).code, "FORBIDDEN");
    await alice.ok(purge, { i: ended.id });
    assert.equal((await alice.fails(restore, { i: ended.id })).code, "NOT_FOUND");
    assert.equal((await alice.fails(restore, { i: "abc" })).code, "BAD_USER_INPUT");
  });
});
