// Accounts, organizations, teams, robots, repositories, permissions and audit logs over GraphQL, against the
// real database: every operation, its bad input and its forbidden cases (typed errors, never a 500).
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import YAML from "yaml";
import { basic, startTestSystem, type TestSystem } from "./harness.js";
import { GqlSession, signUp } from "./gql-client.js";
import { RegistryClient } from "./registry-client.js";

let sys: TestSystem;
let admin: GqlSession; // the initial superuser
let alice: GqlSession; // creates the organization "acme"
let bob: GqlSession; // joins teams
let carol: GqlSession; // outsider

const CREATE_ORG = `mutation($n:String!,$e:String){ createOrganization(name:$n,email:$e){ name email timeMachine avatar{ kind } } }`;
const CREATE_TEAM = `mutation($o:String!,$n:String!,$r:TeamRole,$d:String){ createTeam(organization:$o,name:$n,role:$r,description:$d){ name role description } }`;
const ADD_MEMBER = `mutation($o:String!,$t:String!,$m:String!){ addTeamMember(organization:$o,team:$t,member:$m){ kind name invited } }`;
const REMOVE_MEMBER = `mutation($o:String!,$t:String!,$m:String!){ removeTeamMember(organization:$o,team:$t,member:$m) }`;
const CREATE_REPO = `mutation($ns:String!,$n:String!,$v:Visibility,$d:String){ createRepository(namespace:$ns,name:$n,visibility:$v,description:$d){ fullName visibility description viewerRole } }`;
const SET_PERM = `mutation($ns:String!,$n:String!,$k:EntityKind!,$e:String!,$r:Role!){ setRepositoryPermission(namespace:$ns,name:$n,kind:$k,entity:$e,role:$r){ role entity{ kind name } } }`;
const REPOS = `query($ns:String,$s:Boolean,$p:Boolean,$q:String,$f:Int,$a:String){ repositories(namespace:$ns,starred:$s,publicOnly:$p,search:$q,first:$f,after:$a){ totalCount edges{ cursor node{ fullName visibility viewerRole isStarred starCount } } pageInfo{ hasNextPage endCursor } } }`;
const LOGS = `query($ns:String,$r:String,$f:String,$first:Int,$after:String,$from:DateTimeISO,$to:DateTimeISO){ logs(namespace:$ns,repository:$r,filter:$f,first:$first,after:$after,from:$from,to:$to){ edges{ node{ kind performer metadata repository namespace ip } } pageInfo{ hasNextPage endCursor } } }`;

before(async () => {
  sys = await startTestSystem();
  admin = await new GqlSession(sys).login("admin", "admin-password");
  alice = await signUp(sys, "alice");
  bob = await signUp(sys, "bob");
  carol = await signUp(sys, "carol");
});
after(async () => sys?.stop());

async function v2Token(user: string, pass: string, scope: string) {
  const q = new URLSearchParams({ service: sys.host, scope });
  return fetch(`${sys.url}/v2/auth?${q}`, { headers: { authorization: basic(user, pass) } });
}

describe("sessions and accounts", () => {
  test("sign-up signs in with an httpOnly session cookie; logout ends it", async () => {
    const s = new GqlSession(sys);
    const r = await s.raw(
      `mutation{ signUp(username:"dave",email:"dave@example.com",password:"password-123"){ username email superuser avatar{ name hash color kind } } }`,
    );
    assert.match(r.setCookie!, /hm_session=[^;]+;.*HttpOnly/i);
    assert.match(r.setCookie!, /SameSite=Lax/i);
    const v = r.body.data.signUp;
    assert.equal(v.username, "dave");
    assert.equal(v.superuser, false);
    assert.equal(v.avatar.hash, crypto.createHash("md5").update("dave@example.com").digest("hex"));
    assert.match(v.avatar.color, /^#[0-9a-f]{6}$/);
    assert.equal((await s.ok(`{ viewer{ username } }`)).viewer.username, "dave");
    assert.equal((await s.ok(`mutation{ logout }`)).logout, true);
    assert.equal((await s.ok(`{ viewer{ username } }`)).viewer, null);
  });

  test("sign-up errors: bad name, short password, taken name and e-mail", async () => {
    const s = new GqlSession(sys);
    const up = `mutation($u:String!,$e:String!,$p:String!){ signUp(username:$u,email:$e,password:$p){ username } }`;
    assert.equal(
      (await s.fails(up, { u: "Bad Name", e: "x@example.com", p: "password-123" })).code,
      "BAD_USER_INPUT",
    );
    assert.equal(
      (await s.fails(up, { u: "erin", e: "erin@example.com", p: "short" })).code,
      "BAD_USER_INPUT",
    );
    assert.equal(
      (await s.fails(up, { u: "erin", e: "not-an-email", p: "password-123" })).code,
      "BAD_USER_INPUT",
    );
    assert.equal(
      (await s.fails(up, { u: "alice", e: "a2@example.com", p: "password-123" })).code,
      "CONFLICT",
    );
    assert.equal(
      (await s.fails(up, { u: "erin", e: "alice@example.com", p: "password-123" })).code,
      "CONFLICT",
    );
  });

  test("wrong passwords are refused with one message; the sixth attempt is rate limited", async () => {
    await signUp(sys, "frank");
    const s = new GqlSession(sys);
    const login = `mutation($p:String!){ login(username:"frank",password:$p){ username } }`;
    for (let i = 0; i < 5; i++) {
      const e = await s.fails(login, { p: `wrong-${i}` });
      assert.deepEqual(e, { code: "UNAUTHENTICATED", message: "Invalid username or password" });
    }
    const limited = await s.fails(login, { p: "password-123" });
    assert.equal(limited.code, "RATE_LIMITED");
    assert.match(limited.message, /try again in \d+ seconds?/);
    // The registry door shares the throttle.
    assert.equal((await v2Token("frank", "password-123", "repository:frank/x:pull")).status, 401);
    // The failures were logged without the password.
    const logs = await admin.ok(LOGS, { f: "login_failure" });
    const entries = logs.logs.edges.filter((e: any) => e.node.performer === "frank");
    assert.ok(entries.length >= 5);
    assert.ok(!JSON.stringify(entries).includes("wrong-"));
  });

  test("change password, e-mail and time machine; delete the account with confirmation", async () => {
    const s = await signUp(sys, "gina");
    const cp = `mutation($c:String!,$n:String!){ changePassword(currentPassword:$c,newPassword:$n) }`;
    assert.equal((await s.fails(cp, { c: "nope-nope", n: "new-password-1" })).code, "BAD_USER_INPUT");
    assert.equal((await s.fails(cp, { c: "password-123", n: "short" })).code, "BAD_USER_INPUT");
    await s.ok(cp, { c: "password-123", n: "new-password-1" });
    await new GqlSession(sys).login("gina", "new-password-1");

    const ce = `mutation($e:String!){ changeEmail(email:$e){ email avatar{ hash } } }`;
    assert.equal((await s.fails(ce, { e: "alice@example.com" })).code, "CONFLICT");
    assert.equal((await s.fails(ce, { e: "nope" })).code, "BAD_USER_INPUT");
    assert.equal((await s.ok(ce, { e: "gina2@example.com" })).changeEmail.email, "gina2@example.com");

    const tm = `mutation($w:String!){ setTimeMachine(window:$w){ timeMachine } }`;
    assert.equal((await s.ok(`{ viewer{ timeMachine } }`)).viewer.timeMachine, "2w");
    assert.equal((await s.fails(tm, { w: "3y" })).code, "BAD_USER_INPUT");
    assert.equal((await s.fails(tm, { w: "5d" })).code, "BAD_USER_INPUT"); // not one of the offered choices
    assert.equal((await s.ok(tm, { w: "1w" })).setTimeMachine.timeMachine, "1w");

    assert.equal((await s.fails(`mutation{ deleteAccount(confirm:"wrong") }`)).code, "BAD_USER_INPUT");
    await s.ok(`mutation{ deleteAccount(confirm:"gina") }`);
    assert.equal((await s.ok(`{ viewer{ username } }`)).viewer, null);
    assert.equal((await admin.ok(`{ users(filter:"gina"){ totalCount } }`)).users.totalCount, 0);
  });

  test("anonymous callers get UNAUTHENTICATED for account operations", async () => {
    const anon = new GqlSession(sys);
    assert.equal(
      (await anon.fails(`mutation{ changeEmail(email:"x@example.com"){ email } }`)).code,
      "UNAUTHENTICATED",
    );
    assert.equal(
      (await anon.fails(`mutation{ createOrganization(name:"anonorg"){ name } }`)).code,
      "UNAUTHENTICATED",
    );
  });
});

describe("organizations and teams", () => {
  test("create: the creator lands in owners (admin); name rules and conflicts", async () => {
    const org = (await alice.ok(CREATE_ORG, { n: "acme", e: "ops@acme.example" })).createOrganization;
    assert.deepEqual(org, {
      name: "acme",
      email: "ops@acme.example",
      timeMachine: "2w",
      avatar: { kind: "org" },
    });
    const o = await alice.ok(
      `{ organization(name:"acme"){ viewerRole counts{ teams members repositories robots } teams{ name role memberCount } } }`,
    );
    assert.equal(o.organization.viewerRole, "admin");
    assert.deepEqual(o.organization.counts, { teams: 1, members: 1, repositories: 0, robots: 0 });
    assert.deepEqual(o.organization.teams, [{ name: "owners", role: "admin", memberCount: 1 }]);
    assert.equal((await alice.fails(CREATE_ORG, { n: "Acme Corp" })).code, "BAD_USER_INPUT");
    assert.equal((await alice.fails(CREATE_ORG, { n: "acme" })).code, "CONFLICT");
    assert.equal((await alice.fails(CREATE_ORG, { n: "bob" })).code, "CONFLICT"); // users and orgs share names
    assert.equal((await alice.fails(`{ organization(name:"nope"){ name } }`)).code, "NOT_FOUND");
    assert.deepEqual((await alice.ok(`{ viewer{ organizations{ name } } }`)).viewer.organizations, [
      { name: "acme" },
    ]);
  });

  test("teams: create, roles, invite a user who accepts, decline, robots join at once", async () => {
    await alice.ok(CREATE_TEAM, { o: "acme", n: "devs", r: "creator", d: "Developers" });
    await alice.ok(CREATE_TEAM, { o: "acme", n: "readers" });
    assert.equal((await alice.fails(CREATE_TEAM, { o: "acme", n: "Bad-Team" })).code, "BAD_USER_INPUT");
    assert.equal((await alice.fails(CREATE_TEAM, { o: "acme", n: "devs" })).code, "CONFLICT");
    assert.equal((await carol.fails(CREATE_TEAM, { o: "acme", n: "carols" })).code, "FORBIDDEN");

    const inv = (await alice.ok(ADD_MEMBER, { o: "acme", t: "devs", m: "bob" })).addTeamMember;
    assert.deepEqual(inv, { kind: "user", name: "bob", invited: true });
    // Invited is not a member yet: bob cannot see the organization's teams.
    assert.equal((await bob.fails(`{ organization(name:"acme"){ teams{ name } } }`)).code, "FORBIDDEN");
    const invites = (await bob.ok(`{ viewer{ invitations{ id organization team } } }`)).viewer.invitations;
    assert.equal(invites.length, 1);
    assert.equal(
      (await carol.fails(`mutation($i:ID!){ acceptInvitation(id:$i){ name } }`, { i: invites[0].id })).code,
      "NOT_FOUND",
    );
    assert.equal(
      (await bob.ok(`mutation($i:ID!){ acceptInvitation(id:$i){ name role } }`, { i: invites[0].id }))
        .acceptInvitation.name,
      "devs",
    );
    assert.equal(
      (await bob.ok(`{ organization(name:"acme"){ viewerRole } }`)).organization.viewerRole,
      "creator",
    );

    await alice.ok(ADD_MEMBER, { o: "acme", t: "readers", m: "carol@example.com" });
    const ci = (await carol.ok(`{ viewer{ invitations{ id team } } }`)).viewer.invitations;
    assert.deepEqual(
      ci.map((i: any) => i.team),
      ["readers"],
    );
    await carol.ok(`mutation($i:ID!){ declineInvitation(id:$i) }`, { i: ci[0].id });
    assert.deepEqual((await carol.ok(`{ viewer{ invitations{ id } } }`)).viewer.invitations, []);

    await alice.ok(`mutation{ createRobot(namespace:"acme",name:"builder",description:"CI"){ name } }`);
    assert.deepEqual(
      (await alice.ok(ADD_MEMBER, { o: "acme", t: "readers", m: "acme+builder" })).addTeamMember,
      {
        kind: "robot",
        name: "acme+builder",
        invited: false,
      },
    );
    assert.equal((await alice.fails(ADD_MEMBER, { o: "acme", t: "readers", m: "nobody" })).code, "NOT_FOUND");
    assert.equal((await alice.fails(ADD_MEMBER, { o: "acme", t: "devs", m: "bob" })).code, "CONFLICT");

    const team = (
      await alice.ok(
        `{ organization(name:"acme"){ team(name:"readers"){ memberCount members{ kind name invited } } } }`,
      )
    ).organization.team;
    assert.equal(team.memberCount, 1);
    assert.deepEqual(team.members, [{ kind: "robot", name: "acme+builder", invited: false }]);
    await alice.ok(
      `mutation{ updateTeam(organization:"acme",name:"readers",description:"Read only",role:member){ description } }`,
    );
  });

  test("the last admin cannot be removed, demoted or deleted", async () => {
    const last = /at least one admin/;
    let e = await alice.fails(REMOVE_MEMBER, { o: "acme", t: "owners", m: "alice" });
    assert.equal(e.code, "CONFLICT");
    assert.match(e.message, last);
    e = await alice.fails(`mutation{ updateTeam(organization:"acme",name:"owners",role:member){ role } }`);
    assert.equal(e.code, "CONFLICT");
    e = await alice.fails(`mutation{ deleteTeam(organization:"acme",name:"owners") }`);
    assert.equal(e.code, "CONFLICT");
    e = await alice.fails(`mutation{ deleteAccount(confirm:"alice") }`);
    assert.equal(e.code, "CONFLICT");
    assert.match(e.message, /last admin of acme/);
    // With a second admin, the first may leave.
    await alice.ok(CREATE_TEAM, { o: "acme", n: "admins", r: "admin" });
    await alice.ok(ADD_MEMBER, { o: "acme", t: "admins", m: "bob" });
    const id = (await bob.ok(`{ viewer{ invitations{ id } } }`)).viewer.invitations[0].id;
    await bob.ok(`mutation($i:ID!){ acceptInvitation(id:$i){ name } }`, { i: id });
    await alice.ok(REMOVE_MEMBER, { o: "acme", t: "admins", m: "bob" });
    assert.equal(
      (await bob.ok(`{ organization(name:"acme"){ viewerRole } }`)).organization.viewerRole,
      "creator",
    );
    await alice.ok(`mutation{ deleteTeam(organization:"acme",name:"admins") }`);
  });

  test("members and collaborators views", async () => {
    await alice.ok(CREATE_REPO, { ns: "acme", n: "web" });
    await alice.ok(SET_PERM, { ns: "acme", n: "web", k: "user", e: "carol", r: "read" });
    await alice.ok(SET_PERM, { ns: "acme", n: "web", k: "user", e: "bob", r: "write" });
    const o = (
      await alice.ok(
        `{ organization(name:"acme"){ members{ user{ username } teams repositories{ repository role } } collaborators{ user{ username } repositories{ repository role } } } }`,
      )
    ).organization;
    const bobRow = o.members.find((m: any) => m.user.username === "bob");
    assert.deepEqual(bobRow.teams, ["devs"]);
    assert.deepEqual(bobRow.repositories, [{ repository: "web", role: "write" }]);
    assert.deepEqual(o.collaborators, [
      { user: { username: "carol" }, repositories: [{ repository: "web", role: "read" }] },
    ]);
  });

  test("settings and deletion need an admin and a confirmation", async () => {
    await alice.ok(CREATE_ORG, { n: "tmp-org" });
    const upd = `mutation($n:String!,$e:String,$t:String){ updateOrganization(name:$n,email:$e,timeMachine:$t){ email timeMachine } }`;
    assert.deepEqual(
      (await alice.ok(upd, { n: "tmp-org", e: "tmp@example.com", t: "4w" })).updateOrganization,
      {
        email: "tmp@example.com",
        timeMachine: "4w",
      },
    );
    assert.equal((await alice.fails(upd, { n: "tmp-org", t: "9w" })).code, "BAD_USER_INPUT");
    assert.equal((await carol.fails(upd, { n: "tmp-org", e: "c@example.com" })).code, "FORBIDDEN");
    await alice.ok(CREATE_REPO, { ns: "tmp-org", n: "gone" });
    assert.equal(
      (await alice.fails(`mutation{ deleteOrganization(name:"tmp-org",confirm:"nope") }`)).code,
      "BAD_USER_INPUT",
    );
    assert.equal(
      (await carol.fails(`mutation{ deleteOrganization(name:"tmp-org",confirm:"tmp-org") }`)).code,
      "FORBIDDEN",
    );
    await alice.ok(`mutation{ deleteOrganization(name:"tmp-org",confirm:"tmp-org") }`);
    assert.equal((await alice.fails(`{ organization(name:"tmp-org"){ name } }`)).code, "NOT_FOUND");
    assert.equal(
      (await alice.fails(`{ repository(namespace:"tmp-org",name:"gone"){ name } }`)).code,
      "NOT_FOUND",
    );
  });
});

describe("robots", () => {
  test("create, credentials in every form, regenerate, permissions across repositories, delete", async () => {
    const create = `mutation($ns:String!,$n:String!){ createRobot(namespace:$ns,name:$n){ name shortName } }`;
    assert.deepEqual((await alice.ok(create, { ns: "acme", n: "deployer" })).createRobot, {
      name: "acme+deployer",
      shortName: "deployer",
    });
    assert.equal((await alice.fails(create, { ns: "acme", n: "deployer" })).code, "CONFLICT");
    assert.equal((await alice.fails(create, { ns: "acme", n: "Bad-Name" })).code, "BAD_USER_INPUT");
    assert.equal((await carol.fails(create, { ns: "acme", n: "mine" })).code, "FORBIDDEN");
    assert.equal((await bob.fails(`{ robot(name:"acme+deployer"){ name } }`)).code, "FORBIDDEN"); // creators are not admins
    await carol.ok(create, { ns: "carol", n: "personal" }); // user robots belong to their user
    assert.deepEqual((await carol.ok(`{ viewer{ robots{ name } } }`)).viewer.robots, [
      { name: "carol+personal" },
    ]);

    const creds = `{ robot(name:"acme+deployer"){ credentials{ username token dockerLogin podmanLogin kubernetesSecret dockerConfig } } }`;
    const c = (await alice.ok(creds)).robot.credentials;
    assert.match(c.token, /^[A-Z0-9]{64}$/);
    assert.equal(c.podmanLogin, `podman login -u='acme+deployer' -p='${c.token}' ${sys.host}`);
    assert.equal(c.dockerLogin, `docker login -u='acme+deployer' -p='${c.token}' ${sys.host}`);
    const cfg = JSON.parse(c.dockerConfig);
    assert.equal(Buffer.from(cfg.auths[sys.host].auth, "base64").toString(), `acme+deployer:${c.token}`);
    const secret = YAML.parse(c.kubernetesSecret);
    assert.equal(secret.type, "kubernetes.io/dockerconfigjson");
    assert.deepEqual(JSON.parse(Buffer.from(secret.data[".dockerconfigjson"], "base64").toString()), cfg);
    assert.equal((await v2Token("acme+deployer", c.token, "repository:acme/web:pull")).status, 200);

    await alice.ok(`mutation{ regenerateRobotToken(name:"acme+deployer"){ name } }`);
    const c2 = (await alice.ok(creds)).robot.credentials;
    assert.notEqual(c2.token, c.token);
    assert.equal((await v2Token("acme+deployer", c.token, "repository:acme/web:pull")).status, 401);
    assert.equal((await v2Token("acme+deployer", c2.token, "repository:acme/web:pull")).status, 200);

    await alice.ok(CREATE_REPO, { ns: "acme", n: "api" });
    const setMany = `mutation($r:[String!]!,$role:Role){ setRobotPermissions(name:"acme+deployer",repositories:$r,role:$role) }`;
    assert.equal((await alice.ok(setMany, { r: ["web", "api"], role: "write" })).setRobotPermissions, 2);
    const held = (await alice.ok(`{ robot(name:"acme+deployer"){ repositories{ repository role } } }`)).robot
      .repositories;
    assert.deepEqual(held.map((h: any) => `${h.repository}:${h.role}`).sort(), ["api:write", "web:write"]);
    assert.equal((await alice.fails(setMany, { r: ["nope"], role: "read" })).code, "NOT_FOUND");
    await alice.ok(setMany, { r: ["api"], role: null });
    assert.equal(
      (await alice.ok(`{ robot(name:"acme+deployer"){ repositories{ repository } } }`)).robot.repositories
        .length,
      1,
    );

    await alice.ok(`mutation{ deleteRobot(name:"acme+deployer") }`);
    assert.equal((await alice.fails(`{ robot(name:"acme+deployer"){ name } }`)).code, "NOT_FOUND");
    assert.equal((await v2Token("acme+deployer", c2.token, "repository:acme/web:pull")).status, 401);
  });
});

describe("repositories and permissions", () => {
  test("create, name rules, list by namespace with cursor paging, search, star", async () => {
    assert.equal((await alice.fails(CREATE_REPO, { ns: "acme", n: "Bad Name" })).code, "BAD_USER_INPUT");
    assert.equal((await alice.fails(CREATE_REPO, { ns: "acme", n: "web" })).code, "CONFLICT");
    assert.equal((await carol.fails(CREATE_REPO, { ns: "acme", n: "x" })).code, "FORBIDDEN");
    assert.equal((await alice.fails(CREATE_REPO, { ns: "nowhere", n: "x" })).code, "NOT_FOUND");
    for (const n of ["p1", "p2", "p3", "team/nested"])
      await alice.ok(CREATE_REPO, { ns: "acme", n, v: n === "p2" ? "public" : "private", d: `repo ${n}` });

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await alice.ok(REPOS, { ns: "acme", f: 2, a: after })).repositories;
      assert.ok(page.edges.length <= 2);
      seen.push(...page.edges.map((e: any) => e.node.fullName));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    assert.deepEqual(seen, ["acme/api", "acme/p1", "acme/p2", "acme/p3", "acme/team/nested", "acme/web"]);
    assert.equal((await alice.fails(REPOS, { f: 2, a: "garbage!" })).code, "BAD_USER_INPUT");
    assert.equal((await alice.fails(REPOS, { f: 1000 })).code, "BAD_USER_INPUT");

    const found = (await alice.ok(REPOS, { q: "nested" })).repositories.edges.map(
      (e: any) => e.node.fullName,
    );
    assert.deepEqual(found, ["acme/team/nested"]);

    const star = `mutation($s:Boolean!){ setRepositoryStar(namespace:"acme",name:"p2",starred:$s){ isStarred starCount } }`;
    assert.deepEqual((await carol.ok(star, { s: true })).setRepositoryStar, {
      isStarred: true,
      starCount: 1,
    });
    assert.deepEqual(
      (await carol.ok(REPOS, { s: true })).repositories.edges.map((e: any) => e.node.fullName),
      ["acme/p2"],
    );
    await carol.ok(star, { s: false });
    assert.equal((await carol.ok(REPOS, { s: true })).repositories.totalCount, 0);
    assert.equal(
      (await carol.fails(`mutation{ setRepositoryStar(namespace:"acme",name:"p1",starred:true){ name } }`))
        .code,
      "NOT_FOUND",
    );
  });

  test("mine: the caller's own repositories, organizations and grants, not others' public ones", async () => {
    await carol.ok(CREATE_REPO, { ns: "carol", n: "own", v: "public" });
    const mine = async (who: GqlSession) =>
      (
        await who.ok(`{ repositories(mine:true,first:100){ edges{ node{ fullName } } } }`)
      ).repositories.edges.map((e: any) => e.node.fullName);
    const all = async (who: GqlSession) =>
      (await who.ok(`{ repositories(first:100){ edges{ node{ fullName } } } }`)).repositories.edges.map(
        (e: any) => e.node.fullName,
      );
    const bobs = await mine(bob);
    assert.ok((await all(bob)).includes("carol/own"), "public, so visible to bob");
    assert.ok(!bobs.includes("carol/own"), "but not bob's business");
    assert.ok(bobs.includes("acme/web"), `bob has write on acme/web: ${bobs.join(",")}`);
    assert.deepEqual(await mine(carol), ["acme/web", "carol/own"]); // her own, and her direct grant
    assert.deepEqual(await mine(new GqlSession(sys)), []);
  });

  test("anonymous callers see public repositories only, in GraphQL and in /v2/_catalog", async () => {
    const anon = new GqlSession(sys);
    const names = (await anon.ok(REPOS, {})).repositories.edges.map((e: any) => e.node.fullName);
    assert.deepEqual(names, ["acme/p2", "carol/own"]);
    assert.equal((await anon.fails(`{ repository(namespace:"acme",name:"p1"){ name } }`)).code, "NOT_FOUND");
    assert.equal(
      (await anon.ok(`{ repository(namespace:"acme",name:"p2"){ viewerRole } }`)).repository.viewerRole,
      "read",
    );
    const tok = await fetch(`${sys.url}/v2/auth?service=${sys.host}&scope=registry:catalog:*`);
    const { token } = (await tok.json()) as { token: string };
    const cat = await fetch(`${sys.url}/v2/_catalog`, { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(((await cat.json()) as any).repositories, ["acme/p2", "carol/own"]);
  });

  test("description and visibility; permissions for users, teams and robots", async () => {
    const upd = `mutation($v:Visibility,$d:String){ updateRepository(namespace:"acme",name:"p1",visibility:$v,description:$d){ visibility description } }`;
    assert.deepEqual((await alice.ok(upd, { v: "public", d: "hello" })).updateRepository, {
      visibility: "public",
      description: "hello",
    });
    await alice.ok(upd, { v: "private" });

    assert.equal((await carol.fails(`{ repository(namespace:"acme",name:"p1"){ name } }`)).code, "NOT_FOUND");
    await alice.ok(SET_PERM, { ns: "acme", n: "p1", k: "user", e: "carol", r: "read" });
    assert.equal(
      (await carol.ok(`{ repository(namespace:"acme",name:"p1"){ viewerRole } }`)).repository.viewerRole,
      "read",
    );
    assert.equal((await carol.fails(upd, { d: "mine" })).code, "FORBIDDEN"); // read cannot edit
    await alice.ok(SET_PERM, { ns: "acme", n: "p1", k: "user", e: "carol", r: "write" });
    assert.equal((await carol.ok(upd, { d: "by carol" })).updateRepository.description, "by carol");
    assert.equal((await carol.fails(upd, { v: "public" })).code, "FORBIDDEN"); // visibility needs admin
    assert.equal(
      (await carol.fails(`{ repository(namespace:"acme",name:"p1"){ permissions{ role } } }`)).code,
      "FORBIDDEN",
    );

    await alice.ok(SET_PERM, { ns: "acme", n: "p1", k: "team", e: "readers", r: "read" });
    await alice.ok(SET_PERM, { ns: "acme", n: "p1", k: "robot", e: "acme+builder", r: "write" });
    assert.equal(
      (await alice.fails(SET_PERM, { ns: "acme", n: "p1", k: "team", e: "ghosts", r: "read" })).code,
      "NOT_FOUND",
    );
    assert.equal(
      (await alice.fails(SET_PERM, { ns: "acme", n: "p1", k: "robot", e: "carol+personal", r: "read" })).code,
      "BAD_USER_INPUT",
    );
    const perms = (
      await alice.ok(`{ repository(namespace:"acme",name:"p1"){ permissions{ role entity{ kind name } } } }`)
    ).repository.permissions;
    assert.deepEqual(perms.map((p: any) => `${p.entity.kind}:${p.entity.name}:${p.role}`).sort(), [
      "robot:acme+builder:write",
      "team:readers:read",
      "user:alice:admin",
      "user:carol:write",
    ]);
    await alice.ok(
      `mutation{ removeRepositoryPermission(namespace:"acme",name:"p1",kind:user,entity:"carol") }`,
    );
    assert.equal((await carol.fails(`{ repository(namespace:"acme",name:"p1"){ name } }`)).code, "NOT_FOUND");
    assert.equal(
      (
        await alice.fails(
          `mutation{ removeRepositoryPermission(namespace:"acme",name:"p1",kind:user,entity:"carol") }`,
        )
      ).code,
      "NOT_FOUND",
    );
  });

  test("default permissions apply to repositories created in GraphQL and by a push", async () => {
    const mk = `mutation($k:EntityKind!,$d:String!,$r:Role!,$c:String){ createDefaultPermission(organization:"acme",delegateKind:$k,delegate:$d,role:$r,creator:$c){ id creator delegate{ kind name } role } }`;
    const anyone = (await alice.ok(mk, { k: "team", d: "readers", r: "read" })).createDefaultPermission;
    assert.equal(anyone.creator, null);
    await alice.ok(mk, { k: "user", d: "carol", r: "write", c: "bob" });
    assert.equal((await alice.fails(mk, { k: "team", d: "readers", r: "read" })).code, "CONFLICT");
    assert.equal((await carol.fails(mk, { k: "team", d: "readers", r: "admin" })).code, "FORBIDDEN");

    await bob.ok(CREATE_REPO, { ns: "acme", n: "bobs" }); // bob is in "devs" (creator)
    const perms = (
      await alice.ok(
        `{ repository(namespace:"acme",name:"bobs"){ permissions{ role entity{ kind name } } } }`,
      )
    ).repository.permissions;
    assert.deepEqual(perms.map((p: any) => `${p.entity.kind}:${p.entity.name}:${p.role}`).sort(), [
      "team:readers:read",
      "user:bob:admin",
      "user:carol:write",
    ]);
    // A push by alice creates a repository with the "anyone" default only.
    await new RegistryClient(sys, ["alice", "password-123"]).pushImage("acme/pushed", "v1");
    const pushed = (
      await alice.ok(`{ repository(namespace:"acme",name:"pushed"){ permissions{ role entity{ name } } } }`)
    ).repository.permissions;
    assert.deepEqual(pushed.map((p: any) => `${p.entity.name}:${p.role}`).sort(), [
      "alice:admin",
      "readers:read",
    ]);

    const list = (await alice.ok(`{ organization(name:"acme"){ defaultPermissions{ id role } } }`))
      .organization.defaultPermissions;
    assert.equal(list.length, 2);
    await alice.ok(`mutation($i:ID!){ updateDefaultPermission(organization:"acme",id:$i,role:write) }`, {
      i: anyone.id,
    });
    await alice.ok(`mutation($i:ID!){ deleteDefaultPermission(organization:"acme",id:$i) }`, {
      i: anyone.id,
    });
    assert.equal(
      (
        await alice.fails(`mutation($i:ID!){ deleteDefaultPermission(organization:"acme",id:$i) }`, {
          i: anyone.id,
        })
      ).code,
      "NOT_FOUND",
    );
    assert.equal(
      (await alice.fails(`mutation{ deleteDefaultPermission(organization:"acme",id:"x1") }`)).code,
      "BAD_USER_INPUT",
    );
  });

  test("delete is confirmed by name and needs admin", async () => {
    const del = `mutation($c:String!){ deleteRepository(namespace:"acme",name:"p3",confirm:$c) }`;
    assert.equal((await alice.fails(del, { c: "p4" })).code, "BAD_USER_INPUT");
    assert.equal((await bob.fails(del, { c: "p3" })).code, "NOT_FOUND"); // bob cannot even see it
    await alice.ok(del, { c: "acme/p3" });
    assert.equal((await alice.fails(`{ repository(namespace:"acme",name:"p3"){ name } }`)).code, "NOT_FOUND");
  });
});

describe("audit logs", () => {
  test("every mutation above left an entry with Quay's kind, performer and IP", async () => {
    const kinds = new Set<string>();
    let after: string | null = null;
    for (;;) {
      const page: any = (await alice.ok(LOGS, { ns: "acme", first: 100, after })).logs;
      for (const e of page.edges) {
        kinds.add(e.node.kind);
        assert.ok(e.node.ip, `ip recorded for ${e.node.kind}`);
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    for (const k of [
      "org_create",
      "org_create_team",
      "org_invite_team_member",
      "org_team_member_invite_accepted",
      "org_team_member_invite_declined",
      "org_add_team_member",
      "org_remove_team_member",
      "org_set_team_description",
      "org_delete_team",
      "create_robot",
      "regenerate_robot_token",
      "delete_robot",
      "create_repo",
      "delete_repo",
      "change_repo_visibility",
      "set_repo_description",
      "add_repo_permission",
      "change_repo_permission",
      "delete_repo_permission",
      "create_prototype_permission",
      "modify_prototype_permission",
      "delete_prototype_permission",
      "push_repo",
    ]) {
      assert.ok(kinds.has(k), `missing ${k}; have ${[...kinds].join(",")}`);
    }
  });

  test("by repository, text filter, date range, page size; who may read", async () => {
    const repo = (await alice.ok(LOGS, { ns: "acme", r: "p1" })).logs.edges.map((e: any) => e.node);
    assert.ok(repo.length > 0 && repo.every((e: any) => e.repository === "p1"));
    const filtered = (await alice.ok(LOGS, { ns: "acme", f: "change_repo_visibility" })).logs.edges;
    assert.ok(filtered.length >= 2 && filtered.every((e: any) => e.node.kind === "change_repo_visibility"));
    const future = new Date(Date.now() + 86400_000).toISOString();
    assert.equal((await alice.ok(LOGS, { ns: "acme", from: future, to: future })).logs.edges.length, 0);
    assert.equal(
      (await alice.fails(LOGS, { ns: "acme", from: future, to: new Date().toISOString() })).code,
      "BAD_USER_INPUT",
    );
    assert.equal((await alice.fails(LOGS, { ns: "acme", first: 101 })).code, "BAD_USER_INPUT");
    const two = (await alice.ok(LOGS, { ns: "acme", first: 2 })).logs;
    const total = (await alice.ok(`{ logs(namespace:"acme",first:1){ totalCount } }`)).logs.totalCount;
    assert.ok(total > 20, `totalCount counts every page: ${total}`);
    const bogus = Buffer.from(JSON.stringify(["not a date", "x"])).toString("base64url");
    assert.equal((await alice.fails(LOGS, { ns: "acme", after: bogus })).code, "BAD_USER_INPUT");
    const next = (await alice.ok(LOGS, { ns: "acme", first: 2, after: two.pageInfo.endCursor })).logs;
    assert.equal(two.edges.length, 2);
    assert.notDeepEqual(next.edges[0], two.edges[0]);
    assert.equal((await carol.fails(LOGS, { ns: "acme" })).code, "FORBIDDEN");
    assert.equal((await carol.fails(LOGS, {})).code, "FORBIDDEN"); // system-wide is for superusers
    assert.ok((await carol.ok(LOGS, { ns: "carol" })).logs.edges.length > 0); // their own namespace
    const system = (await admin.ok(LOGS, { f: "user_create" })).logs.edges;
    assert.ok(system.length >= 3);
  });
});

describe("superusers", () => {
  test("list, create with a generated password, change password, disable, enable, delete", async () => {
    assert.equal((await alice.fails(`{ users{ totalCount } }`)).code, "FORBIDDEN");
    assert.equal((await alice.fails(`{ allOrganizations{ totalCount } }`)).code, "FORBIDDEN");
    const orgs = (await admin.ok(`{ allOrganizations{ edges{ node{ name counts{ teams } } } } }`))
      .allOrganizations;
    assert.ok(orgs.edges.some((e: any) => e.node.name === "acme"));

    const created = (
      await admin.ok(
        `mutation{ createUser(username:"hank",email:"hank@example.com"){ password user{ username enabled } } }`,
      )
    ).createUser;
    assert.ok(created.password.length >= 16);
    await new GqlSession(sys).login("hank", created.password);
    assert.equal(
      (await admin.fails(`mutation{ createUser(username:"hank",email:"h2@example.com"){ password } }`)).code,
      "CONFLICT",
    );

    await admin.ok(`mutation{ setUserPassword(username:"hank",password:"fresh-password-1") }`);
    await new GqlSession(sys).login("hank", "fresh-password-1");
    assert.equal(
      (await admin.ok(`{ users(filter:"hank"){ edges{ node{ username enabled } } } }`)).users.edges[0].node
        .enabled,
      true,
    );

    await admin.ok(`mutation{ setUserEnabled(username:"hank",enabled:false){ enabled } }`);
    assert.equal(
      (
        await new GqlSession(sys).fails(
          `mutation{ login(username:"hank",password:"fresh-password-1"){ username } }`,
        )
      ).code,
      "UNAUTHENTICATED",
    );
    assert.equal((await v2Token("hank", "fresh-password-1", "repository:hank/x:pull")).status, 401);
    await admin.ok(`mutation{ setUserEnabled(username:"hank",enabled:true){ enabled } }`);
    await new GqlSession(sys).login("hank", "fresh-password-1");

    assert.equal((await admin.fails(`mutation{ deleteUser(username:"alice") }`)).code, "CONFLICT"); // last admin of acme
    await admin.ok(`mutation{ deleteUser(username:"hank") }`);
    assert.equal((await admin.fails(`mutation{ deleteUser(username:"hank") }`)).code, "NOT_FOUND");
    assert.equal((await alice.fails(`mutation{ deleteUser(username:"bob") }`)).code, "FORBIDDEN");
  });
});

describe("OAuth applications and app tokens", () => {
  test("a token with repo:read reads private repositories but cannot create or administer", async () => {
    const app = (
      await alice.ok(
        `mutation{ createOAuthApplication(organization:"acme",name:"ci"){ clientSecret application{ clientId } } }`,
      )
    ).createOAuthApplication;
    const gen = `mutation($c:String!,$s:[String!]!){ generateOAuthToken(clientId:$c,scopes:$s) }`;
    assert.equal(
      (await alice.fails(gen, { c: app.application.clientId, s: ["repo:everything"] })).code,
      "BAD_USER_INPUT",
    );
    assert.equal(
      (await alice.fails(gen, { c: app.application.clientId, s: ["super:user"] })).code,
      "FORBIDDEN",
    );
    const token = (await alice.ok(gen, { c: app.application.clientId, s: ["repo:read"] })).generateOAuthToken;
    const bearer = new GqlSession(sys, { authorization: `Bearer ${token}` });
    assert.equal(
      (await bearer.ok(`{ repository(namespace:"acme",name:"p1"){ viewerRole } }`)).repository.viewerRole,
      "read",
    );
    assert.equal((await bearer.fails(CREATE_REPO, { ns: "acme", n: "viaoauth" })).code, "FORBIDDEN");
    assert.equal(
      (await bearer.fails(`mutation{ changeEmail(email:"z@example.com"){ email } }`)).code,
      "FORBIDDEN",
    );
    assert.equal((await bearer.fails(`{ viewer{ username } }`)).code, "FORBIDDEN"); // needs user:read
    assert.equal((await v2Token("$oauthtoken", token, "repository:acme/p1:pull")).status, 200);
  });

  test("app-specific tokens log in as `$app` and can be revoked", async () => {
    const made = (await alice.ok(`mutation{ createAppToken(title:"laptop"){ token appToken{ id title } } }`))
      .createAppToken;
    const scope = "repository:acme/p1:pull";
    const r = await v2Token("$app", made.token, scope);
    assert.equal(r.status, 200);
    assert.deepEqual((await alice.ok(`{ viewer{ appTokens{ title } } }`)).viewer.appTokens, [
      { title: "laptop" },
    ]);
    await alice.ok(`mutation($i:ID!){ revokeAppToken(id:$i) }`, { i: made.appToken.id });
    assert.equal((await v2Token("$app", made.token, scope)).status, 401);
  });
});

describe("entity search", () => {
  test("users, and the namespace's teams and robots, by prefix", async () => {
    const q = `query($p:String!,$ns:String){ searchEntities(prefix:$p,namespace:$ns){ kind name } }`;
    assert.deepEqual((await alice.ok(q, { p: "ca" })).searchEntities, [{ kind: "user", name: "carol" }]);
    const inOrg = (await alice.ok(q, { p: "b", ns: "acme" })).searchEntities;
    assert.deepEqual(inOrg, [
      { kind: "user", name: "bob" },
      { kind: "robot", name: "acme+builder" },
    ]);
    assert.deepEqual((await alice.ok(q, { p: "rea", ns: "acme" })).searchEntities, [
      { kind: "team", name: "readers" },
    ]);
  });
});

describe("lists cost a fixed number of queries", () => {
  /** Database round trips for one GraphQL request (each pool checkout is one statement or transaction). */
  async function roundTrips(s: GqlSession, query: string, variables: Record<string, unknown>) {
    let n = 0;
    const count = () => void n++;
    sys.pool.on("acquire", count);
    try {
      await s.ok(query, variables);
    } finally {
      sys.pool.off("acquire", count);
    }
    return n;
  }

  test("a page of 3 or of 12 repositories, teams and robots needs the same round trips", async () => {
    const s = await signUp(sys, "nplus");
    for (const org of ["small", "large"]) {
      await s.ok(CREATE_ORG, { n: `np-${org}` });
      const count = org === "small" ? 3 : 12;
      for (let i = 0; i < count; i++) {
        await s.ok(CREATE_REPO, { ns: `np-${org}`, n: `r${i}`, v: i % 2 ? "public" : "private" });
        await s.ok(CREATE_TEAM, { o: `np-${org}`, n: `t${i}` });
        await s.ok(`mutation($ns:String!,$n:String!){ createRobot(namespace:$ns,name:$n){ name } }`, {
          ns: `np-${org}`,
          n: `b${i}`,
        });
      }
    }
    const repos = `query($ns:String){ repositories(namespace:$ns,first:50){ edges{ node{ fullName viewerRole isStarred starCount popularity lastModified } } } }`;
    const org = `query($n:String!){ organization(name:$n){ counts{ teams robots } teams{ name memberCount repositoryCount } robots{ name teams repositories{ role } } } }`;
    const small = await roundTrips(s, repos, { ns: "np-small" });
    assert.ok(small > 3, "the counter sees the queries");
    assert.equal(await roundTrips(s, repos, { ns: "np-large" }), small);
    assert.equal(await roundTrips(s, org, { n: "np-large" }), await roundTrips(s, org, { n: "np-small" }));
  });
});
