// REST for repositories and what is in them: the list and its filters, create, read, change, delete,
// permissions, tags with history and the time machine, manifests and labels, logs, search.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RegistryClient } from "../registry-client.js";
import { assertQuayError, RestWorld } from "./client.js";

const w = RestWorld.forFile();
const uniq = (base: string) => `${base}${Math.random().toString(16).slice(2, 8)}`;

describe("repositories", () => {
  test("the list needs a filter; namespace, public, starred and next_page", async () => {
    const u = await w.user("lister");
    const other = await w.user("other");
    assertQuayError(await u.rest.call("GET", "/repository"), 400, /namespace, starred or public/);
    for (let i = 0; i < 3; i++)
      await u.rest.post("/repository", { repository: `r${i}`, visibility: "private" });
    await other.rest.post("/repository", { repository: "shared", visibility: "public" });
    const mine = await u.rest.get(`/repository?namespace=${u.name}`);
    assert.deepEqual(
      mine.repositories.map((r: { name: string }) => r.name),
      ["r0", "r1", "r2"],
    );
    assert.equal(mine.next_page, undefined);
    // Without public=true only what the user is involved in; with it, also every public repository.
    assert.deepEqual((await u.rest.get(`/repository?namespace=${other.name}`)).repositories, []);
    const pub = await u.rest.get(`/repository?namespace=${other.name}&public=true`);
    assert.deepEqual(
      pub.repositories.map((r: { name: string }) => r.name),
      ["shared"],
    );
    // Anonymous callers see public repositories only.
    const anon = await w.anonymous.get(`/repository?public=true&namespace=${u.name}`);
    assert.deepEqual(anon.repositories, []);
    assertQuayError(await w.anonymous.call("GET", "/repository?starred=true"), 401);
    assertQuayError(await u.rest.call("GET", "/repository?namespace=x&next_page=garbage"), 400, /cursor/i);
  });

  test("pages of 100 through next_page", async () => {
    const u = await w.user("pager");
    const org = uniq("many");
    await u.rest.post("/organization/", { name: org });
    const owner = await w.principal(u.name, u.password);
    for (let i = 0; i < 105; i++)
      await w.sys.services.repos.create(owner, { namespace: org, name: `p${String(i).padStart(3, "0")}` });
    const first = await u.rest.get(`/repository?namespace=${org}`);
    assert.equal(first.repositories.length, 100);
    const second = await u.rest.get(
      `/repository?namespace=${org}&next_page=${encodeURIComponent(first.next_page)}`,
    );
    assert.deepEqual(
      second.repositories.map((r: { name: string }) => r.name),
      ["p100", "p101", "p102", "p103", "p104"],
    );
    assert.equal(second.next_page, undefined);
  });

  test("create, read with tags and stats, change the description and visibility, delete", async () => {
    const u = await w.user("repo");
    assertQuayError(
      await u.rest.call("POST", "/repository", { body: { repository: "Bad Name", visibility: "private" } }),
      400,
      /Invalid repository name/,
    );
    await u.rest.expect(201, "POST", "/repository", {
      repository: "web",
      visibility: "private",
      description: "d",
    });
    assertQuayError(
      await u.rest.call("POST", "/repository", { body: { repository: "web", visibility: "private" } }),
      400,
      /already exists/,
    );
    const { digest } = await new RegistryClient(w.sys, [u.name, u.password]).pushImage(`${u.name}/web`, "v1");
    const repo = await u.rest.get(`/repository/${u.name}/web?includeStats=true`);
    assert.deepEqual(
      [repo.can_write, repo.can_admin, repo.is_organization, repo.state],
      [true, true, false, "NORMAL"],
    );
    assert.equal(repo.tags.v1.manifest_digest, digest);
    assert.ok(repo.tags.v1.size > 0);
    assert.equal(repo.stats.length, 91);
    assert.equal(repo.stats.at(-1).count, 1, "today's push");
    assert.deepEqual(await u.rest.put(`/repository/${u.name}/web`, { description: "new" }), {
      success: true,
    });
    await u.rest.post(`/repository/${u.name}/web/changevisibility`, { visibility: "public" });
    const seen = await w.anonymous.get(`/repository/${u.name}/web?includeTags=false`);
    assert.deepEqual(
      [seen.description, seen.is_public, seen.can_write, seen.tags],
      ["new", true, false, undefined],
    );
    assertQuayError(
      await w.anonymous.call("PUT", `/repository/${u.name}/web`, { body: { description: "x" } }),
      401,
    );
    await u.rest.del(`/repository/${u.name}/web`);
    assertQuayError(await u.rest.call("GET", `/repository/${u.name}/web`), 404);
  });
});

describe("repository permissions", () => {
  test("users, robots and teams: grant, read, list, change, transitive, remove", async () => {
    const owner = await w.user("powner");
    const friend = await w.user("friend");
    const org = uniq("perm");
    await owner.rest.post("/organization/", { name: org });
    await owner.rest.post("/repository", { namespace: org, repository: "app", visibility: "private" });
    await owner.rest.put(`/organization/${org}/team/ops`, { role: "member" });
    await owner.rest.put(`/organization/${org}/robots/bot`);
    const base = `/repository/${org}/app/permissions`;

    const granted = await owner.rest.put(`${base}/user/${friend.name}`, { role: "read" });
    assert.deepEqual([granted.role, granted.is_robot, granted.is_org_member], ["read", false, false]);
    await owner.rest.put(`${base}/user/${org}+bot`, { role: "write" });
    await owner.rest.put(`${base}/team/ops`, { role: "admin" });
    const users = (await owner.rest.get(`${base}/user/`)).permissions;
    assert.deepEqual(Object.keys(users).sort(), [`${org}+bot`, friend.name, owner.name].sort());
    assert.equal(users[`${org}+bot`].is_robot, true);
    assert.deepEqual((await owner.rest.get(`${base}/team/`)).permissions.ops.role, "admin");
    assert.deepEqual(await owner.rest.get(`${base}/user/${friend.name}/transitive`), {
      permissions: [{ role: "read" }],
    });
    // The org's admin holds admin through the owners team without a permission row of their own.
    assert.deepEqual(await owner.rest.get(`${base}/user/${owner.name}/transitive`), {
      permissions: [{ role: "admin" }],
    });

    await owner.rest.put(`${base}/user/${friend.name}`, { role: "write" });
    assert.equal((await friend.rest.get(`/repository/${org}/app`)).can_write, true);
    await owner.rest.del(`${base}/user/${friend.name}`);
    assertQuayError(
      await owner.rest.call("GET", `${base}/user/${friend.name}`),
      400,
      /does not have permission/,
    );
    assertQuayError(await friend.rest.call("GET", `/repository/${org}/app`), 404);
    await owner.rest.del(`${base}/team/ops`);
    assertQuayError(await owner.rest.call("GET", `${base}/team/ops`), 400, /Team does not have permission/);
    assertQuayError(
      await owner.rest.call("PUT", `${base}/user/${friend.name}`, { body: { role: "owner" } }),
      400,
      /role/,
    );
  });
});

describe("tags", () => {
  test("history list by page, create and move with PUT, expiration, delete and restore", async () => {
    const u = await w.user("tags");
    const repo = `${u.name}/app`;
    const client = new RegistryClient(w.sys, [u.name, u.password]);
    const one = await client.pushImage(repo, "v1");
    const two = await client.pushImage(repo, "v2");
    const base = `/repository/${repo}/tag`;

    assert.equal(
      await u.rest.expect(201, "PUT", `${base}/latest`, { manifest_digest: one.digest }),
      "Updated",
    );
    await u.rest.put(`${base}/latest`, { manifest_digest: two.digest });
    const history = (await u.rest.get(`${base}/?specificTag=latest`)).tags;
    assert.deepEqual(
      history.map((t: { manifest_digest: string; end_ts?: number }) => [
        t.manifest_digest,
        t.end_ts === undefined,
      ]),
      [
        [two.digest, true],
        [one.digest, false],
      ],
    );
    const active = await u.rest.get(`${base}/?onlyActiveTags=true&limit=2&page=1`);
    assert.deepEqual([active.tags.length, active.has_additional, active.page], [2, true, 1]);
    const page2 = await u.rest.get(`${base}/?onlyActiveTags=true&limit=2&page=2`);
    assert.deepEqual([page2.tags.length, page2.has_additional], [1, false]);
    assert.deepEqual(
      (await u.rest.get(`${base}/?onlyActiveTags=true&filter_tag_name=like:V`)).tags
        .map((t: { name: string }) => t.name)
        .sort(),
      ["v1", "v2"],
    );
    assertQuayError(await u.rest.call("GET", `${base}/?filter_tag_name=v1`), 400, /filter_tag_name/);

    const at = Math.floor(Date.now() / 1000) + 3600;
    await u.rest.put(`${base}/v1`, { expiration: at });
    const v1 = (await u.rest.get(`${base}/?specificTag=v1&onlyActiveTags=true`)).tags[0];
    assert.equal(v1.end_ts, at);
    assert.match(v1.expiration, /-0000$/);
    assertQuayError(await u.rest.call("PUT", `${base}/v1`, { body: { expiration: 1 } }), 400, /future/);
    assertQuayError(
      await u.rest.call("PUT", `${base}/.bad`, { body: { manifest_digest: one.digest } }),
      400,
      /Invalid tag/,
    );

    await u.rest.del(`${base}/latest`);
    assertQuayError(await u.rest.call("DELETE", `${base}/latest`), 404);
    assert.deepEqual(await u.rest.post(`${base}/latest/restore`, { manifest_digest: two.digest }), {});
    const restored = (await u.rest.get(`${base}/?specificTag=latest&onlyActiveTags=true`)).tags[0];
    assert.deepEqual([restored.manifest_digest, restored.reversion], [two.digest, true]);
    assertQuayError(
      await u.rest.call("POST", `${base}/latest/restore`, { body: {} }),
      400,
      /manifest_digest/,
    );
  });
});

describe("manifests and labels", () => {
  test("the manifest with its layers; labels listed, added, filtered, read and deleted", async () => {
    const u = await w.user("labels");
    const repo = `${u.name}/app`;
    const config = JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { Labels: { maintainer: "ops" } },
      history: [{ created_by: "/bin/sh -c #(nop) ADD file:abc in /", created: "2026-01-02T03:04:05Z" }],
      rootfs: { type: "layers", diff_ids: [] },
    });
    const { digest } = await new RegistryClient(w.sys, [u.name, u.password]).pushImage(repo, "v1", {
      config,
    });
    const m = await u.rest.get(`/repository/${repo}/manifest/${digest}`);
    assert.deepEqual([m.digest, m.is_manifest_list, m.layers.length], [digest, false, 1]);
    assert.deepEqual(m.layers[0].command, ["/bin/sh -c #(nop) ADD file:abc in /"]);
    assert.equal(m.layers[0].created_datetime, "Fri, 02 Jan 2026 03:04:05 -0000");
    assert.equal(JSON.parse(m.manifest_data).config.digest.startsWith("sha256:"), true);

    const base = `/repository/${repo}/manifest/${digest}/labels`;
    const added = await u.rest.call("POST", base, {
      body: { key: "env", value: "prod", media_type: "text/plain" },
    });
    assert.equal(added.status, 201);
    assert.equal(added.headers.get("location"), `/api/v1${base}/${added.body.label.id}`);
    await u.rest.post(base, { key: "env.json", value: '{"a": 1}' });
    const labels = (await u.rest.get(base)).labels;
    assert.deepEqual(
      labels.map((l: { key: string; source_type: string; media_type: string }) => [
        l.key,
        l.source_type,
        l.media_type,
      ]),
      [
        ["maintainer", "manifest", "text/plain"],
        ["env", "api", "text/plain"],
        ["env.json", "api", "application/json"],
      ],
    );
    assert.equal((await u.rest.get(`${base}?filter=env`)).labels.length, 2);
    assert.equal((await u.rest.get(`${base}/${added.body.label.id}`)).value, "prod");
    assertQuayError(
      await u.rest.call("POST", base, { body: { key: "org.opencontainers.x", value: "y" } }),
      400,
      /reserved prefix/,
    );
    const fromImage = labels.find((l: { key: string }) => l.key === "maintainer");
    assertQuayError(await u.rest.call("DELETE", `${base}/${fromImage.id}`), 403, /read-only/);
    await u.rest.del(`${base}/${added.body.label.id}`);
    assertQuayError(await u.rest.call("GET", `${base}/${added.body.label.id}`), 404);
    assertQuayError(await u.rest.call("GET", `/repository/${repo}/manifest/sha256:${"0".repeat(64)}`), 404);
  });
});

describe("logs", () => {
  test("repository, organization and user logs with the window and performer; daily aggregates", async () => {
    const u = await w.user("logs");
    const org = uniq("logorg");
    await u.rest.post("/organization/", { name: org });
    await u.rest.post("/repository", { namespace: org, repository: "app", visibility: "private" });
    await u.rest.put(`/repository/${org}/app`, { description: "x" });
    const repoLogs = await u.rest.get(`/repository/${org}/app/logs`);
    assert.deepEqual(
      repoLogs.logs.map((l: { kind: string }) => l.kind),
      ["set_repo_description", "create_repo"],
    );
    assert.equal(repoLogs.logs[0].performer.name, u.name);
    assert.equal(repoLogs.logs[0].namespace, undefined);
    const orgLogs = await u.rest.get(`/organization/${org}/logs?performer=${u.name}`);
    assert.ok(orgLogs.logs.some((l: { kind: string }) => l.kind === "org_create"));
    assert.deepEqual((await u.rest.get(`/organization/${org}/logs?performer=nobody`)).logs, []);

    const today = new Date();
    const day = `${today.getUTCMonth() + 1}/${today.getUTCDate()}/${today.getUTCFullYear()}`;
    const agg = await u.rest.get(`/repository/${org}/app/aggregatelogs?starttime=${day}&endtime=${day}`);
    assert.deepEqual(agg.aggregated.map((a: { kind: string; count: number }) => [a.kind, a.count]).sort(), [
      ["create_repo", 1],
      ["set_repo_description", 1],
    ]);
    // A window in the past holds nothing.
    assert.deepEqual(
      (await u.rest.get(`/repository/${org}/app/logs?starttime=01/01/2020&endtime=01/02/2020`)).logs,
      [],
    );
    assert.equal(
      (await u.rest.get(`/repository/${org}/app/logs?starttime=01/01/2020`)).start_time,
      "Wed, 01 Jan 2020 00:00:00 -0000",
    );
    assertQuayError(
      await u.rest.call("GET", `/repository/${org}/app/logs?starttime=2020-01-01`),
      400,
      /MM\/DD\/YYYY/,
    );
    assertQuayError(
      await u.rest.call("GET", `/repository/${org}/app/aggregatelogs?starttime=01/01/2020`),
      400,
      /date range/,
    );
    assert.ok((await u.rest.get("/user/logs")).logs.some((l: { kind: string }) => l.kind === "user_create"));
    const outsider = await w.user("nosy");
    assertQuayError(await outsider.rest.call("GET", `/organization/${org}/logs`), 403);
  });
});

describe("search", () => {
  test("repositories by name or description, ten a page; entities by prefix", async () => {
    const u = await w.user("finder");
    const word = uniq("needle");
    for (let i = 0; i < 12; i++)
      await u.rest.post("/repository", {
        repository: `${word}-${i}`,
        visibility: i < 11 ? "public" : "private",
      });
    const page1 = await u.rest.get(`/find/repositories?query=${word}`);
    assert.deepEqual(
      [page1.results.length, page1.has_additional, page1.page_size, page1.start_index],
      [10, true, 10, 0],
    );
    assert.equal(page1.results[0].href, `/repository/${u.name}/${page1.results[0].name}`);
    const page2 = await u.rest.get(`/find/repositories?query=${word}&page=2&includeUsage=true`);
    assert.deepEqual([page2.results.length, page2.has_additional], [2, false]);
    assert.equal(page2.results[0].stars, 0);
    // Anonymous searchers see the public ones only.
    const anon = await w.anonymous.get(`/find/repositories?query=${word}&page=2`);
    assert.equal(anon.results.length, 1);
    const found = (await u.rest.get(`/entities/${u.name.slice(0, 8)}`)).results;
    assert.ok(found.some((e: { name: string; kind: string }) => e.name === u.name && e.kind === "user"));
  });
});
