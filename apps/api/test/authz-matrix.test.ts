// The permission matrix: every kind of principal × every repository and namespace action, answered by the
// one AuthzService, the /v2 token endpoint granting exactly the registry actions that role implies, and the
// lists (GraphQL `repositories`, /v2 `_catalog`) showing a repository exactly when that role is not null.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Principal } from "../src/access/principal.js";
import { basic, registryToken, startTestSystem, type TestSystem } from "./harness.js";
import { GqlSession } from "./gql-client.js";

let sys: TestSystem;
const PW = "password-123";
type Who = { principal: Principal; creds: [string, string] | null };
const who: Record<string, Who> = {};
let app: { id: bigint; namespaceId: bigint; visibility: "public" | "private" };
let pub: { id: bigint; namespaceId: bigint; visibility: "public" | "private" };
let orgId: bigint;

before(async () => {
  sys = await startTestSystem({}, { workers: false });
  const s = sys.services;
  const user = async (name: string) => {
    const u = await s.accounts.createUser({ username: name, email: `${name}@example.com`, password: PW });
    who[name] = { principal: s.accounts.toPrincipal(u), creds: [name, PW] };
    return u;
  };
  for (const n of [
    "outsider",
    "member",
    "creator",
    "orgadmin",
    "dread",
    "dwrite",
    "dadmin",
    "teamread",
    "owner",
  ])
    await user(n);
  const su = (await sys.db.user.findUniqueOrThrow({ where: { username: "admin" } }))!;
  who.superuser = { principal: s.accounts.toPrincipal(su), creds: ["admin", "admin-password"] };
  who.anonymous = { principal: { kind: "anonymous" }, creds: null };

  const org = await s.orgs.create(who.orgadmin!.principal, { name: "mx" });
  orgId = org.id;
  const team = async (name: string, role: "member" | "creator" | "admin", members: string[]) => {
    const t = await s.teams.create(who.orgadmin!.principal, "mx", { name, role });
    for (const m of members) {
      const u = await sys.db.user.findUniqueOrThrow({ where: { username: m } });
      await sys.db.teamMember.create({ data: { teamId: t.id, userId: u.id } });
    }
    return t;
  };
  await team("members", "member", ["member"]);
  await team("creators", "creator", ["creator"]);
  const admins = await team("admins", "admin", []);
  const readteam = await team("readteam", "member", ["teamread"]);

  const a = await s.repos.create(who.orgadmin!.principal, { namespace: "mx", name: "app" });
  const p = await s.repos.create(who.orgadmin!.principal, {
    namespace: "mx",
    name: "pub",
    visibility: "public",
  });
  app = a;
  pub = p;
  for (const r of [a, p]) {
    for (const [u, role] of [
      ["dread", "read"],
      ["dwrite", "write"],
      ["dadmin", "admin"],
    ] as const) {
      const uid = (await sys.db.user.findUniqueOrThrow({ where: { username: u } })).id;
      await sys.db.repositoryPermission.create({ data: { repositoryId: r.id, userId: uid, role } });
    }
    await sys.db.repositoryPermission.create({
      data: { repositoryId: r.id, teamId: readteam.id, role: "read" },
    });
  }
  // The org creator holds an explicit admin permission on what they created; drop it so the matrix shows
  // the org-admin rule itself.
  await sys.db.repositoryPermission.deleteMany({
    where: { userId: (who.orgadmin!.principal as any).userId },
  });

  const robot = async (name: string) => {
    const r = await s.robots.create("mx", name);
    who[`robot:${name}`] = {
      principal: { kind: "robot", robotId: r.robot.id, name, namespaceId: orgId, namespace: "mx" },
      creds: [r.fullName, r.token],
    };
    return r.robot;
  };
  const writer = await robot("writer");
  await robot("idle");
  const inadmins = await robot("inadmins");
  for (const r of [a, p])
    await sys.db.repositoryPermission.create({
      data: { repositoryId: r.id, robotId: writer.id, role: "write" },
    });
  await sys.db.teamMember.create({ data: { teamId: admins.id, robotId: inadmins.id } });

  // Real OAuth tokens of the org admin: Bearer tokens on GraphQL, `$oauthtoken` passwords on /v2.
  const oa = who.orgadmin!.principal;
  const { app: client } = await s.oauth.createApplication(oa, "mx", { name: "matrix" });
  for (const scopes of [["repo:read"], ["repo:write", "repo:create"], ["user:read"]]) {
    const token = await s.oauth.issueToken(oa, client.clientId, scopes);
    const principal = (await s.accounts.verifyOAuthToken(token))!;
    who[`oauth:${scopes.join(",")}`] = { principal, creds: ["$oauthtoken", token] };
  }

  // More repositories for the lists, each role source in both visibilities: the owner's own namespace, and
  // an organization none of the matrix's mx roles reach (its creator, outsider, administers it).
  await s.repos.create(who.owner!.principal, { namespace: "owner", name: "own-private" });
  await s.repos.create(who.owner!.principal, {
    namespace: "owner",
    name: "own-public",
    visibility: "public",
  });
  await s.orgs.create(who.outsider!.principal, { name: "elsewhere" });
  await s.repos.create(who.outsider!.principal, { namespace: "elsewhere", name: "hidden" });
  await s.repos.create(who.outsider!.principal, {
    namespace: "elsewhere",
    name: "shown",
    visibility: "public",
  });
});
after(async () => sys?.stop());

// role on the private repository, role on the public one, then namespace view / create_repo / admin.
const MATRIX: Record<string, [string, string, string]> = {
  anonymous: ["-", "read", "---"],
  outsider: ["-", "read", "---"],
  superuser: ["-", "read", "---"],
  member: ["-", "read", "v--"],
  creator: ["-", "read", "vc-"],
  orgadmin: ["admin", "admin", "vca"],
  dread: ["read", "read", "---"],
  dwrite: ["write", "write", "---"],
  dadmin: ["admin", "admin", "---"],
  teamread: ["read", "read", "v--"],
  owner: ["-", "read", "---"],
  "robot:writer": ["write", "write", "---"],
  "robot:idle": ["-", "read", "---"],
  "robot:inadmins": ["admin", "admin", "vc-"], // robots never administer organizations
  "oauth:repo:read": ["read", "read", "v--"],
  "oauth:repo:write,repo:create": ["write", "write", "vc-"],
  "oauth:user:read": ["-", "read", "v--"], // no repo scope: public repositories only
};

/** Robots have no GraphQL caller: no console sessions, no OAuth tokens. */
const onGraphQL = (name: string) => !name.startsWith("robot:");

/** The principal's GraphQL caller: none (anonymous), an OAuth Bearer token, or a console session. */
async function gqlCaller(name: string): Promise<GqlSession> {
  const creds = who[name]!.creds;
  if (!creds) return new GqlSession(sys);
  if (name.startsWith("oauth:")) return new GqlSession(sys, { authorization: `Bearer ${creds[1]}` });
  return new GqlSession(sys).login(...creds);
}

const REGISTRY_ACTIONS: Record<string, string[]> = {
  "-": [],
  read: ["pull"],
  write: ["delete", "pull", "push"],
  admin: ["delete", "pull", "push"],
};

describe("authorization matrix", () => {
  test("repository roles and namespace actions for every kind of principal", async () => {
    const s = sys.services;
    for (const [name, [priv, pubRole, ns]] of Object.entries(MATRIX)) {
      const p = who[name]!.principal;
      assert.equal((await s.authz.repoRole(p, app)) ?? "-", priv, `${name} on mx/app`);
      assert.equal((await s.authz.repoRole(p, pub)) ?? "-", pubRole, `${name} on mx/pub`);
      for (const action of ["read", "write", "admin"] as const) {
        const expected =
          { read: 1, write: 2, admin: 3 }[action] <=
          ({ "-": 0, read: 1, write: 2, admin: 3 } as Record<string, number>)[priv]!;
        assert.equal(await s.authz.repoAllows(p, app, action), expected, `${name} ${action} mx/app`);
      }
      const got = [
        (await s.authz.namespaceAllows(p, orgId, "view")) ? "v" : "-",
        (await s.authz.namespaceAllows(p, orgId, "create_repo")) ? "c" : "-",
        (await s.authz.namespaceAllows(p, orgId, "admin")) ? "a" : "-",
      ].join("");
      assert.equal(got, ns, `${name} namespace actions`);
    }
  });

  test("the batched form answers exactly like the single one", async () => {
    for (const [name] of Object.entries(MATRIX)) {
      const roles = await sys.services.authz.repoRoles(who[name]!.principal, [app, pub]);
      assert.equal(roles.get(app.id) ?? "-", MATRIX[name]![0], name);
      assert.equal(roles.get(pub.id) ?? "-", MATRIX[name]![1], name);
    }
  });

  test("the user's own namespace: owner has everything, others nothing", async () => {
    const s = sys.services;
    const own = await s.repos.create(who.owner!.principal, { namespace: "owner", name: "mine" });
    assert.equal(await s.authz.repoRole(who.owner!.principal, own), "admin");
    for (const n of ["outsider", "orgadmin", "superuser", "robot:writer"])
      assert.equal(await s.authz.repoRole(who[n]!.principal, own), null, n);
    assert.equal(await s.authz.namespaceAllows(who.owner!.principal, own.namespaceId, "admin"), true);
    assert.equal(
      await s.authz.namespaceAllows(who.outsider!.principal, own.namespaceId, "create_repo"),
      false,
    );
  });

  test("/v2 token issuance grants exactly the actions the role implies", async () => {
    for (const [name, [priv, pubRole]] of Object.entries(MATRIX)) {
      const creds = who[name]!.creds;
      if (!creds && name !== "anonymous") continue;
      for (const [repo, role] of [
        ["mx/app", priv],
        ["mx/pub", pubRole],
      ] as const) {
        const q = new URLSearchParams({ service: sys.host, scope: `repository:${repo}:pull,push,delete` });
        const res = await fetch(`${sys.url}/v2/auth?${q}`, {
          headers: creds ? { authorization: basic(...creds) } : {},
        });
        assert.equal(res.status, 200, name);
        const { token } = (await res.json()) as { token: string };
        const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
        const actions = (claims.access[0]?.actions ?? []).filter((a: string) => a !== "*").sort();
        assert.deepEqual(actions, REGISTRY_ACTIONS[role], `${name} on ${repo}`);
      }
    }
  });
});

describe("the matrix through GraphQL", () => {
  test("each user may do exactly what their role allows, and nothing more", async () => {
    const ops = {
      read: `{ repository(namespace:"mx",name:"app"){ name } }`,
      write: `mutation{ updateRepository(namespace:"mx",name:"app",description:"x"){ name } }`,
      admin: `{ repository(namespace:"mx",name:"app"){ permissions{ role } } }`,
    };
    const rank: Record<string, number> = { "-": 0, read: 1, write: 2, admin: 3 };
    for (const [name, [priv, , ns]] of Object.entries(MATRIX).filter(([n]) => onGraphQL(n))) {
      const s = await gqlCaller(name);
      for (const [action, query] of Object.entries(ops)) {
        const allowed = rank[priv]! >= rank[action]!;
        const r = await s.raw(query);
        assert.equal(!r.body.errors, allowed, `${name} ${action}: ${JSON.stringify(r.body.errors)}`);
        if (!allowed)
          assert.ok(["FORBIDDEN", "NOT_FOUND"].includes(r.body.errors![0]!.extensions!.code!), name);
      }
      const team = await s.raw(
        `mutation{ createTeam(organization:"mx",name:"t${name.replace(/[^a-z]/g, "")}"){ name } }`,
      );
      assert.equal(!team.body.errors, ns.endsWith("a"), `${name} createTeam`);
      const repo = await s.raw(
        `mutation{ createRepository(namespace:"mx",name:"r-${name.replace(/[^a-z]/g, "")}"){ name } }`,
      );
      assert.equal(!repo.body.errors, ns[1] === "c", `${name} createRepository`);
    }
  });
});

describe("lists show a repository exactly when it may be read", () => {
  const LIST = `{ repositories(first: 100) { totalCount edges { node { fullName viewerRole } } } }`;

  test("GraphQL repositories and /v2 _catalog, for every principal, against repoRole", async () => {
    const s = sys.services;
    const all = await sys.db.repository.findMany({ include: { namespace: { select: { name: true } } } });
    assert.ok(all.some((r) => r.visibility === "private") && all.some((r) => r.visibility === "public"));
    for (const name of Object.keys(MATRIX)) {
      const { principal, creds } = who[name]!;
      const roles = await s.authz.repoRoles(principal, all);
      const readable = all
        .filter((r) => roles.get(r.id) != null)
        .map((r) => [`${r.namespace.name}/${r.name}`, roles.get(r.id)!] as [string, string])
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const names = readable.map(([n]) => n);

      // GraphQL, with each row's viewerRole; robots have no GraphQL caller, so the service its resolver calls.
      if (onGraphQL(name)) {
        const r = await (await gqlCaller(name)).raw(LIST);
        assert.equal(r.body.errors, undefined, `${name}: ${JSON.stringify(r.body.errors)}`);
        const conn = r.body.data.repositories;
        const rows = conn.edges.map((e: any) => [e.node.fullName, e.node.viewerRole]);
        assert.deepEqual(rows, readable, `${name}: GraphQL repositories`);
        assert.equal(conn.totalCount, readable.length, `${name}: GraphQL totalCount`);
      } else {
        const page = await s.repos.list(principal, { first: 100 });
        assert.deepEqual(
          page.items.map((r) => `${r.namespaceName}/${r.name}`),
          names,
          `${name}: repository list`,
        );
      }

      // /v2/_catalog through the token flow, as registry clients call it.
      const token = await registryToken(sys, ["registry:catalog:*"], creds ?? undefined);
      const res = await fetch(`${sys.url}/v2/_catalog?n=1000`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200, name);
      const catalog = ((await res.json()) as { repositories: string[] }).repositories;
      assert.deepEqual(catalog, names, `${name}: /v2/_catalog`);
    }
  });
});
