// The seeds' REST examples that concern capabilities this registry has, replayed with their bodies against
// the running system: Quay 3.8's guide (001) ch. 14 and 17, and the Quay.io guide (004) on teams.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, test } from "node:test";
import { RegistryClient } from "../registry-client.js";
import { RestWorld } from "./client.js";

const w = RestWorld.forFile();

const keys = (o: object) => Object.keys(o).sort();
const AVATAR_KEYS = ["color", "hash", "kind", "name"];

describe("seed 001 ch. 17: the API from the command line", () => {
  test("17.4.1/17.4.2: superuser lists users, creates one with a generated password, lists it", async () => {
    const su = await w.as("admin", "admin-password");
    const before = await su.get("/superuser/users/");
    const admin = before.users.find((u: { username: string }) => u.username === "admin");
    assert.deepEqual(keys(admin), [
      "avatar",
      "email",
      "enabled",
      "kind",
      "name",
      "super_user",
      "username",
      "verified",
    ]);
    assert.equal(admin.kind, "user");
    assert.equal(admin.super_user, true);
    assert.equal(admin.enabled, true);
    assert.deepEqual(keys(admin.avatar), AVATAR_KEYS);
    assert.equal(admin.avatar.kind, "user");

    // The seed's body, with a name of this run.
    const username = `quaysuper${crypto.randomBytes(3).toString("hex")}`;
    const created = await su.call("POST", "/superuser/users/", {
      body: { username, email: `${username}@example.com` },
    });
    assert.equal(created.status, 200);
    assert.deepEqual(keys(created.body), ["email", "encrypted_password", "password", "username"]);
    assert.equal(created.body.username, username);
    assert.equal(created.body.email, `${username}@example.com`);
    assert.ok(created.body.password.length >= 16, "a generated password");
    // The password works: the new user signs in and reads themselves.
    const them = await w.as(username, created.body.password);
    assert.equal((await them.get("/user/")).username, username);

    const after = await su.get("/superuser/users/");
    const listed = after.users.find((u: { username: string }) => u.username === username);
    assert.equal(listed.email, `${username}@example.com`);
    assert.equal(listed.verified, true);
    assert.equal(listed.enabled, true);
    assert.equal(listed.super_user, false);
  });

  test("17.4.3: superuser logs, 20 a page, the second page through next_page", async () => {
    const su = await w.as("admin", "admin-password");
    const owner = await w.user("user1");
    const ns = `namespace${crypto.randomBytes(3).toString("hex")}`;
    await owner.rest.post("/organization/", { name: ns });
    for (let i = 1; i <= 21; i++)
      await owner.rest.post("/repository", {
        namespace: ns,
        repository: `t${i}`,
        visibility: "private",
        description: "",
      });
    const first = await su.get("/superuser/logs");
    assert.deepEqual(keys(first), ["end_time", "logs", "next_page", "start_time"]);
    assert.match(first.start_time, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} -0000$/);
    assert.equal(first.logs.length, 20);
    const entry = first.logs.find((l: { kind: string }) => l.kind === "create_repo");
    assert.deepEqual(keys(entry), ["datetime", "ip", "kind", "metadata", "namespace", "performer"]);
    assert.equal(entry.metadata.namespace, ns);
    assert.match(entry.metadata.repo, /^t\d+$/);
    assert.equal(entry.performer.kind, "user");
    assert.equal(entry.performer.name, owner.name);
    assert.equal(entry.performer.is_robot, false);
    assert.deepEqual(keys(entry.performer.avatar), AVATAR_KEYS);
    assert.deepEqual(entry.namespace, {
      kind: "org",
      name: ns,
      avatar: entry.namespace.avatar,
    });
    assert.equal(entry.namespace.avatar.kind, "org");
    assert.match(entry.datetime, /-0000$/);

    const second = await su.get(`/superuser/logs?next_page=${encodeURIComponent(first.next_page)}`);
    assert.ok(second.logs.length >= 1);
    // Newest first, and the pages do not overlap.
    const when = (l: { datetime: string }) => Date.parse(l.datetime);
    assert.ok(when(second.logs[0]) <= when(first.logs.at(-1)));
    const firstRepos = new Set(first.logs.map((l: { metadata: { repo?: string } }) => l.metadata.repo));
    const createdFirst = first.logs.filter((l: { kind: string }) => l.kind === "create_repo").length;
    assert.ok(createdFirst <= 20 && firstRepos.size >= 1);
  });

  test("17.4.6: create an organization robot with a bare PUT", async () => {
    const owner = await w.user("owner");
    const org = `robotorg${crypto.randomBytes(3).toString("hex")}`;
    await owner.rest.post("/organization/", { name: org });
    const r = await owner.rest.call("PUT", `/organization/${org}/robots/builder`);
    assert.equal(r.status, 201);
    assert.equal(r.body.name, `${org}+builder`);
    assert.match(r.body.token, /^[A-Z0-9]{64}$/);
    // The token logs in to the registry.
    const client = new RegistryClient(w.sys, [`${org}+builder`, r.body.token]);
    assert.ok(await client.token(`${org}/anything`, "pull"));
  });

  test("17.4.8: create a private repository with the seed's body", async () => {
    const owner = await w.user("yournamespace");
    const r = await owner.rest.call("POST", "/repository", {
      body: {
        namespace: owner.name,
        repository: "yourreponame",
        description: "descriptionofyourrepo",
        visibility: "private",
      },
    });
    assert.equal(r.status, 201);
    assert.deepEqual(r.body, { namespace: owner.name, name: "yourreponame", kind: "image" });
    const repo = await owner.rest.get(`/repository/${owner.name}/yourreponame`);
    assert.equal(repo.description, "descriptionofyourrepo");
    assert.equal(repo.is_public, false);
  });
});

describe("seed 001 ch. 14: repositories of an organization, as the quota examples list them", () => {
  test("GET /api/v1/repository?last_modified=true&namespace=testorg&popularity=true&public=true&quota=true", async () => {
    const owner = await w.user("testowner");
    const org = `testorg${crypto.randomBytes(3).toString("hex")}`;
    await owner.rest.post("/organization/", { name: org });
    await owner.rest.post("/repository", {
      namespace: org,
      repository: "ubuntu",
      visibility: "private",
      description: "",
    });
    await owner.rest.post("/repository", {
      namespace: org,
      repository: "nginx",
      visibility: "private",
      description: "",
    });
    const pushed = await new RegistryClient(w.sys, [owner.name, owner.password]).pushImage(
      `${org}/ubuntu`,
      "latest",
    );
    assert.ok(pushed.digest);

    const { repositories } = await owner.rest.get(
      `/repository?last_modified=true&namespace=${org}&popularity=true&public=true&quota=true`,
    );
    assert.deepEqual(
      repositories.map((r: { name: string }) => r.name),
      ["nginx", "ubuntu"],
    );
    const ubuntu = repositories.find((r: { name: string }) => r.name === "ubuntu");
    assert.deepEqual(keys(ubuntu), [
      "description",
      "is_public",
      "is_starred",
      "kind",
      "last_modified",
      "name",
      "namespace",
      "popularity",
      "state",
    ]);
    assert.equal(ubuntu.namespace, org);
    assert.equal(ubuntu.is_public, false);
    assert.equal(ubuntu.kind, "image");
    assert.equal(ubuntu.state, "NORMAL");
    assert.equal(ubuntu.is_starred, false);
    assert.equal(ubuntu.popularity, 0);
    // Epoch seconds of the push.
    assert.ok(Math.abs(ubuntu.last_modified - Date.now() / 1000) < 120, String(ubuntu.last_modified));
    assert.equal(repositories.find((r: { name: string }) => r.name === "nginx").last_modified, null);
  });

  test("GET /api/v1/organization/testorg: the organization's details", async () => {
    const owner = await w.user("testowner");
    const org = `testorg${crypto.randomBytes(3).toString("hex")}`;
    await owner.rest.post("/organization/", { name: org, email: `${org}@example.com` });
    const o = await owner.rest.get(`/organization/${org}`);
    assert.equal(o.name, org);
    assert.equal(o.email, `${org}@example.com`);
    assert.equal(o.is_admin, true);
    assert.equal(o.is_member, true);
    assert.deepEqual(o.ordered_teams, ["owners"]);
    assert.equal(o.teams.owners.role, "admin");
    assert.equal(o.teams.owners.member_count, 1);
    assert.equal(o.tag_expiration_s, 1209600);
  });
});

describe("seed 004: managing a team with the API", () => {
  test("team permissions list and PUT of a team's role, with the seed's answer shapes", async () => {
    const owner = await w.user("teamowner");
    const org = `teamorg${crypto.randomBytes(3).toString("hex")}`;
    await owner.rest.post("/organization/", { name: org });
    const team = await owner.rest.put(`/organization/${org}/team/testteam`, { role: "member" });
    assert.equal(team.new_team, true);
    await owner.rest.post("/repository", {
      namespace: org,
      repository: "api-repo",
      visibility: "public",
      description: "",
    });
    await owner.rest.put(`/repository/${org}/api-repo/permissions/team/testteam`, { role: "admin" });

    // Step 1 of the seed: {"permissions": [{"repository": {"name": "api-repo", "is_public": true}, "role": "admin"}]}
    assert.deepEqual(await owner.rest.get(`/organization/${org}/team/testteam/permissions`), {
      permissions: [{ repository: { name: "api-repo", is_public: true }, role: "admin" }],
    });

    // Step 2: PUT {"role": "creator"} answers the seed's object exactly (its avatar is computed as Quay's).
    const r = await owner.rest.call("PUT", `/organization/${org}/team/testteam`, {
      body: { role: "creator" },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      name: "testteam",
      description: "",
      can_view: true,
      role: "creator",
      avatar: {
        name: "testteam",
        hash: "827f8c5762148d7e85402495b126e0a18b9b168170416ed04b49aae551099dc8",
        color: "#ff7f0e",
        kind: "team",
      },
      new_team: false,
    });
  });
});

describe("seed 001 §17.1: API discovery", () => {
  test("GET /api/v1/discovery is a Swagger 2.0 document of every route, for Swagger UI", async () => {
    const doc = await w.anonymous.get("/discovery");
    assert.equal(doc.swagger, "2.0");
    assert.equal(doc.host, w.sys.host);
    assert.ok(doc.securityDefinitions.oauth2_implicit.scopes["repo:read"]);
    assert.ok(doc.paths["/api/v1/superuser/users/"].get);
    assert.equal(doc.paths["/api/v1/repository"].post.operationId, "createRepo");
    assert.deepEqual(doc.paths["/api/v1/repository"].post.security, [{ oauth2_implicit: ["repo:create"] }]);
  });
});
