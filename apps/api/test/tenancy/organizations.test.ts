// Organizations, teams, robots and entity search over GraphQL against the real database: every operation,
// its bad input and its forbidden cases (typed errors, never a 500).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import YAML from "yaml";
import {
  AcceptInvitationDocument,
  AddTeamMemberDocument,
  CreateOrganizationDocument,
  CreateRepositoryDocument,
  CreateRobotDocument,
  CreateTeamDocument,
  DeclineInvitationDocument,
  DeleteAccountDocument,
  DeleteOrganizationDocument,
  DeleteRobotDocument,
  DeleteTeamDocument,
  MyOrganizationsDocument,
  MyRobotsDocument,
  OrganizationAvatarDocument,
  OrganizationDocument,
  OrganizationTeamsDocument,
  RegenerateRobotTokenDocument,
  RemoveTeamMemberDocument,
  RepositoryDocument,
  RobotCredentialsDocument,
  RobotsDocument,
  SearchEntitiesDocument,
  SetRepositoryPermissionDocument,
  SetRobotPermissionsDocument,
  TeamDocument,
  UpdateOrganizationDocument,
  UpdateTeamDocument,
  ViewerDocument,
} from "@hm/schema";
import { signUp } from "../gql-client.js";
import { newOrg, permission, team, Tenancy, unique } from "./fixtures.js";

const t = Tenancy.forFile();

describe("organizations and teams", () => {
  test("create: the creator lands in owners (admin); name rules and conflicts", async () => {
    const [alice, bob] = await t.users("alice", "bob");
    const acme = unique("acme");
    const email = `ops@${acme}.example`;
    const created = await alice.ok(CreateOrganizationDocument, { name: acme, email });
    assert.deepEqual(created.createOrganization, { name: acme });
    const o = (await alice.ok(OrganizationDocument, { name: acme })).organization;
    assert.equal(o.email, email);
    assert.equal(o.timeMachine, "2w");
    assert.equal(o.viewerRole, "admin");
    assert.deepEqual(o.counts, { teams: 1, members: 1, repositories: 0, robots: 0 });
    assert.equal(
      (await alice.ok(OrganizationAvatarDocument, { name: acme })).organization.avatar.kind,
      "org",
    );
    const teams = (await alice.ok(OrganizationTeamsDocument, { name: acme })).organization.teams;
    assert.deepEqual(
      teams.map(({ name, role, memberCount }) => ({ name, role, memberCount })),
      [{ name: "owners", role: "admin", memberCount: 1 }],
    );
    assert.equal(
      (await alice.fails(CreateOrganizationDocument, { name: "Acme Corp" })).code,
      "BAD_USER_INPUT",
    );
    assert.equal((await alice.fails(CreateOrganizationDocument, { name: acme })).code, "CONFLICT");
    // Users and organizations share names.
    assert.equal((await alice.fails(CreateOrganizationDocument, { name: bob.username })).code, "CONFLICT");
    assert.equal((await alice.fails(OrganizationDocument, { name: unique("nope") })).code, "NOT_FOUND");
    assert.deepEqual(
      (await alice.ok(MyOrganizationsDocument)).viewer?.organizations.map((x) => x.name),
      [acme],
    );
  });

  test("teams: create, roles, invite a user who accepts, decline, robots join at once", async () => {
    const [alice, bob, carol] = await t.users("alice", "bob", "carol");
    const acme = await newOrg(alice, "acme");
    const newTeam = (name: string) => ({ organization: acme, name });
    const add = (team: string, member: string) => ({ organization: acme, team, member });
    await alice.ok(CreateTeamDocument, { ...newTeam("devs"), role: "creator", description: "Developers" });
    await alice.ok(CreateTeamDocument, newTeam("readers"));
    assert.equal((await alice.fails(CreateTeamDocument, newTeam("Bad-Team"))).code, "BAD_USER_INPUT");
    assert.equal((await alice.fails(CreateTeamDocument, newTeam("devs"))).code, "CONFLICT");
    assert.equal((await carol.fails(CreateTeamDocument, newTeam("carols"))).code, "FORBIDDEN");

    const invited = (await alice.ok(AddTeamMemberDocument, add("devs", bob.username))).addTeamMember;
    assert.deepEqual(invited, { kind: "user", name: bob.username, invited: true });
    // Invited is not a member yet: bob cannot see the organization's teams.
    assert.equal((await bob.fails(OrganizationTeamsDocument, { name: acme })).code, "FORBIDDEN");
    const invites = (await bob.ok(ViewerDocument)).viewer!.invitations;
    assert.equal(invites.length, 1);
    const id = invites[0]!.id;
    assert.equal((await carol.fails(AcceptInvitationDocument, { id })).code, "NOT_FOUND");
    assert.equal((await bob.ok(AcceptInvitationDocument, { id })).acceptInvitation.name, "devs");
    assert.equal((await bob.ok(OrganizationDocument, { name: acme })).organization.viewerRole, "creator");

    await alice.ok(AddTeamMemberDocument, add("readers", `${carol.username}@example.com`));
    const ci = (await carol.ok(ViewerDocument)).viewer!.invitations;
    assert.deepEqual(
      ci.map((i) => i.team),
      ["readers"],
    );
    await carol.ok(DeclineInvitationDocument, { id: ci[0]!.id });
    assert.deepEqual((await carol.ok(ViewerDocument)).viewer?.invitations, []);

    const builder = `${acme}+builder`;
    await alice.ok(CreateRobotDocument, { namespace: acme, name: "builder", description: "CI" });
    assert.deepEqual((await alice.ok(AddTeamMemberDocument, add("readers", builder))).addTeamMember, {
      kind: "robot",
      name: builder,
      invited: false,
    });
    assert.equal(
      (await alice.fails(AddTeamMemberDocument, add("readers", unique("nobody")))).code,
      "NOT_FOUND",
    );
    assert.equal((await alice.fails(AddTeamMemberDocument, add("devs", bob.username))).code, "CONFLICT");

    const teams = (await alice.ok(OrganizationTeamsDocument, { name: acme })).organization.teams;
    assert.equal(teams.find((x) => x.name === "readers")?.memberCount, 1);
    const members = (await alice.ok(TeamDocument, { organization: acme, name: "readers" })).organization.team
      .members;
    assert.deepEqual(
      members.map(({ kind, name, invited }) => ({ kind, name, invited })),
      [{ kind: "robot", name: builder, invited: false }],
    );
    await alice.ok(UpdateTeamDocument, { ...newTeam("readers"), description: "Read only", role: "member" });
  });

  test("the last admin cannot be removed, demoted or deleted", async () => {
    const [alice, bob] = await t.users("alice", "bob");
    const acme = await newOrg(alice, "acme");
    await team(alice, acme, "devs", "creator", bob);
    const last = /at least one admin/;
    const owners = { organization: acme, name: "owners" };
    let e = await alice.fails(RemoveTeamMemberDocument, {
      organization: acme,
      team: "owners",
      member: alice.username,
    });
    assert.equal(e.code, "CONFLICT");
    assert.match(e.message, last);
    e = await alice.fails(UpdateTeamDocument, { ...owners, role: "member" });
    assert.equal(e.code, "CONFLICT");
    e = await alice.fails(DeleteTeamDocument, owners);
    assert.equal(e.code, "CONFLICT");
    e = await alice.fails(DeleteAccountDocument, { confirm: alice.username });
    assert.equal(e.code, "CONFLICT");
    assert.match(e.message, new RegExp(`last admin of ${acme}`));
    // With a second admin, one may leave.
    await team(alice, acme, "admins", "admin", bob);
    await alice.ok(RemoveTeamMemberDocument, { organization: acme, team: "admins", member: bob.username });
    assert.equal((await bob.ok(OrganizationDocument, { name: acme })).organization.viewerRole, "creator");
    await alice.ok(DeleteTeamDocument, { organization: acme, name: "admins" });
  });

  test("members and collaborators views", async () => {
    const [alice, bob, carol] = await t.users("alice", "bob", "carol");
    const acme = await newOrg(alice, "acme");
    await team(alice, acme, "devs", "creator", bob);
    await alice.ok(CreateRepositoryDocument, { namespace: acme, name: "web" });
    await alice.ok(SetRepositoryPermissionDocument, permission(acme, "web", "user", carol.username, "read"));
    await alice.ok(SetRepositoryPermissionDocument, permission(acme, "web", "user", bob.username, "write"));
    const o = (await alice.ok(OrganizationTeamsDocument, { name: acme })).organization;
    const bobRow = o.members.find((m) => m.user.username === bob.username);
    assert.deepEqual(bobRow?.teams, ["devs"]);
    assert.deepEqual(bobRow?.repositories, [{ repository: "web", role: "write" }]);
    assert.deepEqual(
      o.collaborators.map((c) => ({ user: c.user.username, repositories: c.repositories })),
      [{ user: carol.username, repositories: [{ repository: "web", role: "read" }] }],
    );
  });

  test("settings and deletion need an admin and a confirmation", async () => {
    const [alice, carol] = await t.users("alice", "carol");
    const org = await newOrg(alice, "tmp");
    const email = `${org}@example.com`;
    assert.deepEqual(
      (await alice.ok(UpdateOrganizationDocument, { name: org, email, timeMachine: "4w" }))
        .updateOrganization,
      { name: org, email, timeMachine: "4w" },
    );
    assert.equal(
      (await alice.fails(UpdateOrganizationDocument, { name: org, timeMachine: "9w" })).code,
      "BAD_USER_INPUT",
    );
    assert.equal(
      (await carol.fails(UpdateOrganizationDocument, { name: org, email: "c@example.com" })).code,
      "FORBIDDEN",
    );
    await alice.ok(CreateRepositoryDocument, { namespace: org, name: "gone" });
    assert.equal(
      (await alice.fails(DeleteOrganizationDocument, { name: org, confirm: "nope" })).code,
      "BAD_USER_INPUT",
    );
    assert.equal(
      (await carol.fails(DeleteOrganizationDocument, { name: org, confirm: org })).code,
      "FORBIDDEN",
    );
    await alice.ok(DeleteOrganizationDocument, { name: org, confirm: org });
    assert.equal((await alice.fails(OrganizationDocument, { name: org })).code, "NOT_FOUND");
    assert.equal((await alice.fails(RepositoryDocument, { namespace: org, name: "gone" })).code, "NOT_FOUND");
  });
});

describe("robots", () => {
  test("create, credentials in every form, regenerate, permissions across repositories, delete", async () => {
    const [alice, bob, carol] = await t.users("alice", "bob", "carol");
    const acme = await newOrg(alice, "acme");
    await team(alice, acme, "devs", "creator", bob);
    for (const name of ["web", "api"]) await alice.ok(CreateRepositoryDocument, { namespace: acme, name });
    const robot = `${acme}+deployer`;
    const listed = async () =>
      (await alice.ok(RobotsDocument, { namespace: acme })).robots.find((r) => r.name === robot);

    const create = { namespace: acme, name: "deployer" };
    assert.equal((await alice.ok(CreateRobotDocument, create)).createRobot.name, robot);
    assert.equal((await listed())?.shortName, "deployer");
    assert.equal((await alice.fails(CreateRobotDocument, create)).code, "CONFLICT");
    assert.equal(
      (await alice.fails(CreateRobotDocument, { namespace: acme, name: "Bad-Name" })).code,
      "BAD_USER_INPUT",
    );
    assert.equal(
      (await carol.fails(CreateRobotDocument, { namespace: acme, name: "mine" })).code,
      "FORBIDDEN",
    );
    // Creators are not admins.
    assert.equal((await bob.fails(RobotCredentialsDocument, { name: robot })).code, "FORBIDDEN");
    // User robots belong to their user.
    await carol.ok(CreateRobotDocument, { namespace: carol.username, name: "personal" });
    assert.deepEqual(
      (await carol.ok(MyRobotsDocument)).viewer?.robots.map((r) => r.name),
      [`${carol.username}+personal`],
    );

    const credentials = async () =>
      (await alice.ok(RobotCredentialsDocument, { name: robot })).robot.credentials;
    const c = await credentials();
    const host = t.sys.host;
    assert.match(c.token, /^[A-Z0-9]{64}$/);
    assert.equal(c.podmanLogin, `podman login -u='${robot}' -p='${c.token}' ${host}`);
    assert.equal(c.dockerLogin, `docker login -u='${robot}' -p='${c.token}' ${host}`);
    const cfg = JSON.parse(c.dockerConfig);
    assert.equal(Buffer.from(cfg.auths[host].auth, "base64").toString(), `${robot}:${c.token}`);
    const secret = YAML.parse(c.kubernetesSecret);
    assert.equal(secret.type, "kubernetes.io/dockerconfigjson");
    assert.deepEqual(JSON.parse(Buffer.from(secret.data[".dockerconfigjson"], "base64").toString()), cfg);
    const pull = `repository:${acme}/web:pull`;
    assert.equal((await t.v2Token(robot, c.token, pull)).status, 200);

    await alice.ok(RegenerateRobotTokenDocument, { name: robot });
    const c2 = await credentials();
    assert.notEqual(c2.token, c.token);
    assert.equal((await t.v2Token(robot, c.token, pull)).status, 401);
    assert.equal((await t.v2Token(robot, c2.token, pull)).status, 200);

    const set = (repositories: string[], role: "read" | "write" | null) => ({
      name: robot,
      repositories,
      role,
    });
    assert.equal(
      (await alice.ok(SetRobotPermissionsDocument, set(["web", "api"], "write"))).setRobotPermissions,
      2,
    );
    const held = (await listed())?.repositories.map((h) => `${h.repository}:${h.role}`).sort();
    assert.deepEqual(held, ["api:write", "web:write"]);
    assert.equal((await alice.fails(SetRobotPermissionsDocument, set(["nope"], "read"))).code, "NOT_FOUND");
    await alice.ok(SetRobotPermissionsDocument, set(["api"], null));
    assert.equal((await listed())?.repositories.length, 1);

    await alice.ok(DeleteRobotDocument, { name: robot });
    assert.equal((await alice.fails(RobotCredentialsDocument, { name: robot })).code, "NOT_FOUND");
    assert.equal((await t.v2Token(robot, c2.token, pull)).status, 401);
  });
});

describe("entity search", () => {
  test("users, and the namespace's teams and robots, by prefix", async () => {
    // Every name starts with this test's own tag, so no other test's users match the prefixes.
    const tag = unique("s");
    const alice = await signUp(t.sys, `${tag}alice`);
    for (const name of ["bob", "carol"]) await signUp(t.sys, `${tag}${name}`);
    const acme = await newOrg(alice, "acme");
    await alice.ok(CreateTeamDocument, { organization: acme, name: `${tag}readers` });
    await alice.ok(CreateRobotDocument, { namespace: acme, name: `${tag}builder` });
    const search = async (prefix: string, namespace?: string) =>
      (await alice.ok(SearchEntitiesDocument, { prefix, namespace })).searchEntities.map(
        ({ kind, name }) => ({
          kind,
          name,
        }),
      );
    assert.deepEqual(await search(`${tag}ca`), [{ kind: "user", name: `${tag}carol` }]);
    assert.deepEqual(await search(`${tag}b`, acme), [
      { kind: "user", name: `${tag}bob` },
      { kind: "robot", name: `${acme}+${tag}builder` },
    ]);
    assert.deepEqual(await search(`${tag}rea`, acme), [{ kind: "team", name: `${tag}readers` }]);
  });
});
