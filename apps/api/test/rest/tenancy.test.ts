// REST for accounts and organizations: the user, stars, app tokens, organizations, members, teams and
// invitations, robots, default permissions and OAuth applications, each through Quay's paths and shapes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AcceptInvitationDocument, ViewerDocument } from "@hm/schema";
import { RegistryClient } from "../registry-client.js";
import { assertQuayError, RestWorld } from "./client.js";

const w = RestWorld.forFile();
const uniq = (base: string) => `${base}${Math.random().toString(16).slice(2, 8)}`;

describe("the user", () => {
  test("GET /user/ describes the caller with their organizations; /users/{name} shows others briefly", async () => {
    const alice = await w.user("alice");
    const org = uniq("aliceorg");
    await alice.rest.post("/organization/", { name: org });
    const me = await alice.rest.get("/user/");
    assert.equal(me.username, alice.name);
    assert.equal(me.email, `${alice.name}@example.com`);
    assert.equal(me.is_me, true);
    assert.equal(me.anonymous, false);
    assert.equal(me.tag_expiration_s, 1209600);
    assert.deepEqual(
      me.organizations.map((o: { name: string; is_org_admin: boolean }) => [o.name, o.is_org_admin]),
      [[org, true]],
    );
    const bob = await w.user("bob");
    assert.deepEqual(Object.keys(await bob.rest.get(`/users/${alice.name}`)).sort(), [
      "anonymous",
      "avatar",
      "username",
    ]);
    assertQuayError(await bob.rest.call("GET", `/users/nosuch${alice.name}`), 404);
    assertQuayError(await w.anonymous.call("GET", "/user/"), 401, /signed in/);
  });

  test("stars: star, list, unstar", async () => {
    const u = await w.user("star");
    await u.rest.post("/repository", { repository: "one", visibility: "private" });
    const r = await u.rest.call("POST", "/user/starred", { body: { namespace: u.name, repository: "one" } });
    assert.equal(r.status, 201);
    assert.deepEqual((await u.rest.get("/user/starred")).repositories, [
      { namespace: u.name, name: "one", description: "", is_public: false },
    ]);
    assert.equal((await u.rest.get(`/repository/${u.name}/one`)).is_starred, true);
    await u.rest.del(`/user/starred/${u.name}/one`);
    assert.deepEqual((await u.rest.get("/user/starred")).repositories, []);
  });

  test("app-specific tokens: created with the secret once, listed without it, usable on /v2, revoked", async () => {
    const u = await w.user("apptok");
    const { token } = await u.rest.post("/user/apptoken", { title: "laptop" });
    assert.equal(token.title, "laptop");
    assert.ok(token.token_code);
    const listed = (await u.rest.get("/user/apptoken")).tokens;
    assert.deepEqual(
      listed.map((t: { uuid: string; token_code?: string }) => [t.uuid, t.token_code]),
      [[token.uuid, undefined]],
    );
    assert.equal((await u.rest.get(`/user/apptoken/${token.uuid}`)).token.title, "laptop");
    // The app token is a user credential for this API too (Basic $app), and for the registry.
    assert.equal(
      (await w.anonymous.with({ basic: ["$app", token.token_code] }).get("/user/")).username,
      u.name,
    );
    assert.ok(await new RegistryClient(w.sys, ["$app", token.token_code]).token(`${u.name}/x`, "pull"));
    await u.rest.del(`/user/apptoken/${token.uuid}`);
    assertQuayError(await w.anonymous.with({ basic: ["$app", token.token_code] }).call("GET", "/user/"), 401);
  });
});

describe("organizations", () => {
  test("create, read, change e-mail and time machine, delete", async () => {
    const u = await w.user("orgs");
    const org = uniq("acme");
    assert.equal(await u.rest.expect(201, "POST", "/organization/", { name: org }), "Created");
    assertQuayError(
      await u.rest.call("POST", "/organization/", { body: { name: org } }),
      400,
      /already exists/,
    );
    const changed = await u.rest.put(`/organization/${org}`, {
      email: `${org}@example.com`,
      tag_expiration_s: 86400,
    });
    assert.equal(changed.email, `${org}@example.com`);
    assert.equal(changed.tag_expiration_s, 86400);
    assertQuayError(
      await u.rest.call("PUT", `/organization/${org}`, { body: { tag_expiration_s: 5 } }),
      400,
      /Invalid tag expiration option/,
    );
    // Outsiders see the organization without its teams or e-mail.
    const outsider = await w.user("outsider");
    const seen = await outsider.rest.get(`/organization/${org}`);
    assert.deepEqual([seen.is_admin, seen.is_member, seen.email, seen.teams], [false, false, "", undefined]);
    assertQuayError(await outsider.rest.call("DELETE", `/organization/${org}`), 403);
    await u.rest.del(`/organization/${org}`);
    assertQuayError(await u.rest.call("GET", `/organization/${org}`), 404);
  });

  test("members and collaborators; removing a member takes them out of every team and permission", async () => {
    const owner = await w.user("owner");
    const member = await w.user("member");
    const collab = await w.user("collab");
    const org = uniq("team");
    await owner.rest.post("/organization/", { name: org });
    await owner.rest.put(`/organization/${org}/team/devs`, { role: "member" });
    const invited = await owner.rest.put(`/organization/${org}/team/devs/members/${member.name}`);
    assert.equal(invited.invited, true);
    const invitation = (await member.gql.ok(ViewerDocument)).viewer!.invitations[0]!;
    await member.gql.ok(AcceptInvitationDocument, { id: invitation.id });
    await owner.rest.post("/repository", { namespace: org, repository: "app", visibility: "private" });
    await owner.rest.put(`/repository/${org}/app/permissions/user/${collab.name}`, { role: "read" });
    await owner.rest.put(`/repository/${org}/app/permissions/user/${member.name}`, { role: "write" });

    const members = (await owner.rest.get(`/organization/${org}/members`)).members;
    const m = members.find((x: { name: string }) => x.name === member.name);
    assert.deepEqual(
      m.teams.map((t: { name: string }) => t.name),
      ["devs"],
    );
    assert.deepEqual(m.repositories, ["app"]);
    assert.equal((await owner.rest.get(`/organization/${org}/members/${member.name}`)).name, member.name);
    const collaborators = (await owner.rest.get(`/organization/${org}/collaborators`)).collaborators;
    assert.deepEqual(
      collaborators.map((c: { name: string }) => c.name),
      [collab.name],
    );

    await owner.rest.del(`/organization/${org}/members/${member.name}`);
    assertQuayError(await owner.rest.call("GET", `/organization/${org}/members/${member.name}`), 404);
    const perms = (await owner.rest.get(`/repository/${org}/app/permissions/user/`)).permissions;
    assert.deepEqual(Object.keys(perms).sort(), [collab.name, owner.name].sort());
    // The last admin cannot be removed.
    assertQuayError(
      await owner.rest.call("DELETE", `/organization/${org}/members/${owner.name}`),
      400,
      /admin/,
    );
  });
});

describe("teams", () => {
  test("PUT creates then updates; members, pending invitations, e-mail invites; delete", async () => {
    const owner = await w.user("towner");
    const friend = await w.user("friend");
    const org = uniq("teams");
    await owner.rest.post("/organization/", { name: org });
    const created = await owner.rest.put(`/organization/${org}/team/builders`, {
      role: "creator",
      description: "CI",
    });
    assert.deepEqual([created.new_team, created.role, created.description], [true, "creator", "CI"]);
    const updated = await owner.rest.put(`/organization/${org}/team/builders`, { role: "admin" });
    assert.deepEqual([updated.new_team, updated.role, updated.description], [false, "admin", "CI"]);

    await owner.rest.put(`/organization/${org}/robots/ci`);
    const robot = await owner.rest.put(`/organization/${org}/team/builders/members/${org}+ci`);
    assert.deepEqual([robot.name, robot.is_robot, robot.invited], [`${org}+ci`, true, false]);
    await owner.rest.put(`/organization/${org}/team/builders/members/${friend.name}`);
    const invite = await owner.rest.put(`/organization/${org}/team/builders/invite/someone@example.com`);
    assert.deepEqual([invite.kind, invite.email, invite.invited], ["invite", "someone@example.com", true]);

    const active = await owner.rest.get(`/organization/${org}/team/builders/members`);
    assert.deepEqual(
      active.members.map((m: { name: string }) => m.name),
      [`${org}+ci`],
    );
    assert.equal(active.can_edit, true);
    const all = await owner.rest.get(`/organization/${org}/team/builders/members?includePending=true`);
    assert.deepEqual(
      all.members.map((m: { name?: string; email?: string; invited: boolean }) => [
        m.name ?? m.email,
        m.invited,
      ]),
      [
        [`${org}+ci`, false],
        [friend.name, true],
        ["someone@example.com", true],
      ],
    );
    await owner.rest.del(`/organization/${org}/team/builders/invite/someone@example.com`);
    await owner.rest.del(`/organization/${org}/team/builders/members/${friend.name}`);
    assert.equal(
      (await owner.rest.get(`/organization/${org}/team/builders/members?includePending=1`)).members.length,
      1,
    );
    await owner.rest.del(`/organization/${org}/team/builders`);
    assertQuayError(await owner.rest.call("GET", `/organization/${org}/team/builders/members`), 404);
    // The owners team keeps the organization's only admin.
    assertQuayError(await owner.rest.call("DELETE", `/organization/${org}/team/owners`), 400, /admin/);
  });
});

describe("robots", () => {
  test("user robots: create with description and metadata, list with permissions, regenerate, delete", async () => {
    const u = await w.user("robo");
    const made = await u.rest.call("PUT", "/user/robots/deployer", {
      body: { description: "deploys", unstructured_metadata: { team: "ops" } },
    });
    assert.equal(made.status, 201);
    assert.deepEqual([made.body.name, made.body.description], [`${u.name}+deployer`, "deploys"]);
    assert.deepEqual(made.body.unstructured_metadata, { team: "ops" });
    await u.rest.post("/repository", { repository: "web", visibility: "private" });
    await u.rest.put(`/repository/${u.name}/web/permissions/user/${u.name}+deployer`, { role: "write" });

    const listed = (await u.rest.get("/user/robots?permissions=true&token=false")).robots;
    assert.equal(listed.length, 1);
    assert.deepEqual([listed[0].repositories, listed[0].token], [["web"], undefined]);
    assert.deepEqual((await u.rest.get("/user/robots/deployer/permissions")).permissions, [
      { repository: { name: "web", is_public: false }, role: "write" },
    ]);
    const got = await u.rest.get("/user/robots/deployer");
    assert.equal(got.token, made.body.token);
    const again = await u.rest.post("/user/robots/deployer/regenerate");
    assert.notEqual(again.token, made.body.token);
    assertQuayError(await u.rest.call("PUT", "/user/robots/deployer"), 400, /Existing robot/);
    assertQuayError(await u.rest.call("PUT", "/user/robots/Bad-Name"), 400, /Invalid robot/);
    await u.rest.del("/user/robots/deployer");
    assertQuayError(await u.rest.call("GET", "/user/robots/deployer"), 404);
  });
});

describe("default permissions (prototypes)", () => {
  test("create for anyone and for one creator; new repositories get them; change the role; delete", async () => {
    const owner = await w.user("proto");
    const creator = await w.user("creator");
    const org = uniq("protos");
    await owner.rest.post("/organization/", { name: org });
    await owner.rest.put(`/organization/${org}/team/readers`, { role: "member" });
    const anyone = await owner.rest.post(`/organization/${org}/prototypes`, {
      role: "read",
      delegate: { kind: "team", name: "readers" },
    });
    assert.deepEqual(
      [anyone.activating_user, anyone.delegate.kind, anyone.delegate.name],
      [null, "team", "readers"],
    );
    const forOne = await owner.rest.post(`/organization/${org}/prototypes`, {
      role: "write",
      delegate: { kind: "user", name: creator.name },
      activating_user: { name: owner.name },
    });
    assert.equal(forOne.activating_user.name, owner.name);
    assert.equal(forOne.delegate.is_org_member, false);

    await owner.rest.post("/repository", { namespace: org, repository: "svc", visibility: "private" });
    assert.equal((await owner.rest.get(`/repository/${org}/svc/permissions/team/readers`)).role, "read");
    assert.equal(
      (await owner.rest.get(`/repository/${org}/svc/permissions/user/${creator.name}`)).role,
      "write",
    );

    const changed = await owner.rest.put(`/organization/${org}/prototypes/${anyone.id}`, { role: "admin" });
    assert.equal(changed.role, "admin");
    await owner.rest.del(`/organization/${org}/prototypes/${anyone.id}`);
    const left = (await owner.rest.get(`/organization/${org}/prototypes`)).prototypes;
    assert.deepEqual(
      left.map((p: { id: string }) => p.id),
      [forOne.id],
    );
    assertQuayError(
      await owner.rest.call("PUT", `/organization/${org}/prototypes/999999`, { body: { role: "read" } }),
      404,
    );
  });
});

describe("OAuth applications", () => {
  test("create (secret shown once), read, update, reset the secret, public information, delete", async () => {
    const owner = await w.user("apps");
    const org = uniq("apporg");
    await owner.rest.post("/organization/", { name: org });
    const app = await owner.rest.post(`/organization/${org}/applications`, {
      name: "Deployer",
      redirect_uri: "https://deploy.example.com/cb",
      application_uri: "https://deploy.example.com",
      description: "Rolls out releases",
    });
    assert.ok(app.client_secret);
    assert.equal(app.redirect_uri, "https://deploy.example.com/cb");
    const read = await owner.rest.get(`/organization/${org}/applications/${app.client_id}`);
    assert.equal(read.client_secret, null);
    assert.equal(read.description, "Rolls out releases");
    const updated = await owner.rest.put(`/organization/${org}/applications/${app.client_id}`, {
      redirect_uri: "https://deploy.example.com/oauth",
    });
    assert.deepEqual([updated.name, updated.redirect_uri], ["Deployer", "https://deploy.example.com/oauth"]);
    assertQuayError(
      await owner.rest.call("PUT", `/organization/${org}/applications/${app.client_id}`, {
        body: { redirect_uri: "nope" },
      }),
      400,
      /absolute URI/,
    );
    const reset = await owner.rest.post(
      `/organization/${org}/applications/${app.client_id}/resetclientsecret`,
    );
    assert.ok(reset.client_secret && reset.client_secret !== app.client_secret);
    const info = await w.anonymous.get(`/app/${app.client_id}`);
    assert.deepEqual(
      [info.name, info.uri, info.organization.name],
      ["Deployer", "https://deploy.example.com", org],
    );
    assert.deepEqual(
      (await owner.rest.get(`/organization/${org}/applications`)).applications.map(
        (a: { name: string }) => a.name,
      ),
      ["Deployer"],
    );
    await owner.rest.del(`/organization/${org}/applications/${app.client_id}`);
    assertQuayError(await w.anonymous.call("GET", `/app/${app.client_id}`), 404);
  });
});
