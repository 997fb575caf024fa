// Repositories and their permissions over GraphQL against the real database: name rules, lists, stars,
// visibility, grants to users, teams and robots, default permissions, deletion; and what lists cost.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CreateDefaultPermissionDocument,
  CreateRepositoryDocument,
  CreateRobotDocument,
  CreateTeamDocument,
  DefaultPermissionsDocument,
  DeleteDefaultPermissionDocument,
  DeleteRepositoryDocument,
  OrganizationDocument,
  OrganizationTeamsDocument,
  RemoveRepositoryPermissionDocument,
  RepositoriesDocument,
  RepositoryDocument,
  RepositoryPermissionsDocument,
  RobotsDocument,
  SetRepositoryPermissionDocument,
  SetRepositoryStarDocument,
  UpdateDefaultPermissionDocument,
  UpdateRepositoryDocument,
} from "@hm/schema";
import { GqlSession } from "../gql-client.js";
import { RegistryClient } from "../registry-client.js";
import { newOrg, permission, team, Tenancy, unique, type EntityKind, type Role } from "./fixtures.js";

const t = Tenancy.forFile();

const fullNames = async (s: GqlSession, args: { mine?: boolean; starred?: boolean } = {}) =>
  (await s.ok(RepositoriesDocument, { ...args, first: 100 })).repositories.edges.map((e) => e.node.fullName);

describe("repositories and permissions", () => {
  test("create, name rules, list by namespace with cursor paging, search, star", async () => {
    const [alice, carol] = await t.users("alice", "carol");
    const acme = await newOrg(alice, "acme");
    const repo = (name: string) => ({ namespace: acme, name });
    await alice.ok(CreateRepositoryDocument, repo("web"));
    assert.equal((await alice.fails(CreateRepositoryDocument, repo("Bad Name"))).code, "BAD_USER_INPUT");
    assert.equal((await alice.fails(CreateRepositoryDocument, repo("web"))).code, "CONFLICT");
    assert.equal((await carol.fails(CreateRepositoryDocument, repo("x"))).code, "FORBIDDEN");
    assert.equal(
      (await alice.fails(CreateRepositoryDocument, { namespace: unique("nowhere"), name: "x" })).code,
      "NOT_FOUND",
    );
    for (const n of ["p1", "p2", "p3", "team/nested"]) {
      const visibility = n === "p2" ? "public" : "private";
      await alice.ok(CreateRepositoryDocument, { ...repo(n), visibility, description: `repo ${n}` });
    }

    const seen: string[] = [];
    const pageAfter = async (after: string | null) =>
      (await alice.ok(RepositoriesDocument, { namespace: acme, first: 2, after })).repositories;
    let after: string | null = null;
    for (;;) {
      const page = await pageAfter(after);
      assert.ok(page.edges.length <= 2);
      seen.push(...page.edges.map((e) => e.node.fullName));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    assert.deepEqual(
      seen,
      ["p1", "p2", "p3", "team/nested", "web"].map((n) => `${acme}/${n}`),
    );
    assert.equal(
      (await alice.fails(RepositoriesDocument, { first: 2, after: "garbage!" })).code,
      "BAD_USER_INPUT",
    );
    assert.equal((await alice.fails(RepositoriesDocument, { first: 1000 })).code, "BAD_USER_INPUT");

    const found = (await alice.ok(RepositoriesDocument, { search: "nested" })).repositories.edges;
    assert.deepEqual(
      found.map((e) => e.node.fullName),
      [`${acme}/team/nested`],
    );

    const star = (name: string, starred: boolean) => ({ ...repo(name), starred });
    assert.deepEqual((await carol.ok(SetRepositoryStarDocument, star("p2", true))).setRepositoryStar, {
      fullName: `${acme}/p2`,
      isStarred: true,
      starCount: 1,
    });
    assert.deepEqual(await fullNames(carol, { starred: true }), [`${acme}/p2`]);
    await carol.ok(SetRepositoryStarDocument, star("p2", false));
    assert.equal((await carol.ok(RepositoriesDocument, { starred: true })).repositories.totalCount, 0);
    assert.equal((await carol.fails(SetRepositoryStarDocument, star("p1", true))).code, "NOT_FOUND");
  });

  test("mine: the caller's own repositories, organizations and grants, not others' public ones", async () => {
    const [alice, bob, carol] = await t.users("alice", "bob", "carol");
    const acme = await newOrg(alice, "acme");
    await alice.ok(CreateRepositoryDocument, { namespace: acme, name: "web" });
    await alice.ok(SetRepositoryPermissionDocument, permission(acme, "web", "user", bob.username, "write"));
    await alice.ok(SetRepositoryPermissionDocument, permission(acme, "web", "user", carol.username, "read"));
    await carol.ok(CreateRepositoryDocument, {
      namespace: carol.username,
      name: "own",
      visibility: "public",
    });
    const own = `${carol.username}/own`;
    const bobs = await fullNames(bob, { mine: true });
    assert.ok((await fullNames(bob)).includes(own), "public, so visible to bob");
    assert.ok(!bobs.includes(own), "but not bob's business");
    assert.ok(bobs.includes(`${acme}/web`), `bob has write on ${acme}/web: ${bobs.join(",")}`);
    // Her own, and her direct grant.
    assert.deepEqual(await fullNames(carol, { mine: true }), [`${acme}/web`, own]);
    assert.deepEqual(await fullNames(new GqlSession(t.sys), { mine: true }), []);
  });

  test("anonymous callers see public repositories only, in GraphQL and in /v2/_catalog", async () => {
    const [alice, carol] = await t.users("alice", "carol");
    const acme = await newOrg(alice, "acme");
    await alice.ok(CreateRepositoryDocument, { namespace: acme, name: "p1" });
    await alice.ok(CreateRepositoryDocument, { namespace: acme, name: "p2", visibility: "public" });
    await carol.ok(CreateRepositoryDocument, {
      namespace: carol.username,
      name: "own",
      visibility: "public",
    });
    // Other tests' public repositories show too; only this test's namespaces are judged.
    const ours = (names: string[]) => names.filter((n) => [acme, carol.username].includes(n.split("/")[0]!));
    const anon = new GqlSession(t.sys);
    assert.deepEqual(ours(await fullNames(anon)), [`${acme}/p2`, `${carol.username}/own`]);
    assert.equal((await anon.fails(RepositoryDocument, { namespace: acme, name: "p1" })).code, "NOT_FOUND");
    assert.equal(
      (await anon.ok(RepositoryDocument, { namespace: acme, name: "p2" })).repository.viewerRole,
      "read",
    );
    const tok = await fetch(`${t.sys.url}/v2/auth?service=${t.sys.host}&scope=registry:catalog:*`);
    const { token } = (await tok.json()) as { token: string };
    const cat = await fetch(`${t.sys.url}/v2/_catalog`, { headers: { authorization: `Bearer ${token}` } });
    const { repositories } = (await cat.json()) as { repositories: string[] };
    assert.deepEqual(ours(repositories), [`${acme}/p2`, `${carol.username}/own`]);
  });

  test("description and visibility; permissions for users, teams and robots", async () => {
    const [alice, carol] = await t.users("alice", "carol");
    const acme = await newOrg(alice, "acme");
    const p1 = { namespace: acme, name: "p1" };
    await alice.ok(CreateRepositoryDocument, p1);
    await alice.ok(CreateTeamDocument, { organization: acme, name: "readers" });
    await alice.ok(CreateRobotDocument, { namespace: acme, name: "builder" });
    await carol.ok(CreateRobotDocument, { namespace: carol.username, name: "personal" });
    const perm = (kind: EntityKind, entity: string, role: Role) => permission(acme, "p1", kind, entity, role);

    const upd = await alice.ok(UpdateRepositoryDocument, {
      ...p1,
      visibility: "public",
      description: "hello",
    });
    assert.deepEqual(upd.updateRepository, {
      ...p1,
      fullName: `${acme}/p1`,
      visibility: "public",
      description: "hello",
    });
    await alice.ok(UpdateRepositoryDocument, { ...p1, visibility: "private" });

    assert.equal((await carol.fails(RepositoryDocument, p1)).code, "NOT_FOUND");
    await alice.ok(SetRepositoryPermissionDocument, perm("user", carol.username, "read"));
    assert.equal((await carol.ok(RepositoryDocument, p1)).repository.viewerRole, "read");
    // Read cannot edit.
    assert.equal(
      (await carol.fails(UpdateRepositoryDocument, { ...p1, description: "mine" })).code,
      "FORBIDDEN",
    );
    await alice.ok(SetRepositoryPermissionDocument, perm("user", carol.username, "write"));
    const byCarol = await carol.ok(UpdateRepositoryDocument, { ...p1, description: "by carol" });
    assert.equal(byCarol.updateRepository.description, "by carol");
    // Visibility needs admin.
    assert.equal(
      (await carol.fails(UpdateRepositoryDocument, { ...p1, visibility: "public" })).code,
      "FORBIDDEN",
    );
    assert.equal((await carol.fails(RepositoryPermissionsDocument, p1)).code, "FORBIDDEN");

    await alice.ok(SetRepositoryPermissionDocument, perm("team", "readers", "read"));
    await alice.ok(SetRepositoryPermissionDocument, perm("robot", `${acme}+builder`, "write"));
    assert.equal(
      (await alice.fails(SetRepositoryPermissionDocument, perm("team", "ghosts", "read"))).code,
      "NOT_FOUND",
    );
    assert.equal(
      (
        await alice.fails(
          SetRepositoryPermissionDocument,
          perm("robot", `${carol.username}+personal`, "read"),
        )
      ).code,
      "BAD_USER_INPUT",
    );
    const perms = (await alice.ok(RepositoryPermissionsDocument, p1)).repository.permissions;
    assert.deepEqual(perms.map((p) => `${p.entity.kind}:${p.entity.name}:${p.role}`).sort(), [
      `robot:${acme}+builder:write`,
      "team:readers:read",
      `user:${alice.username}:admin`,
      `user:${carol.username}:write`,
    ]);
    const carolsGrant = { ...p1, kind: "user" as const, entity: carol.username };
    await alice.ok(RemoveRepositoryPermissionDocument, carolsGrant);
    assert.equal((await carol.fails(RepositoryDocument, p1)).code, "NOT_FOUND");
    assert.equal((await alice.fails(RemoveRepositoryPermissionDocument, carolsGrant)).code, "NOT_FOUND");
  });

  test("default permissions apply to repositories created in GraphQL and by a push", async () => {
    const [alice, bob, carol] = await t.users("alice", "bob", "carol");
    const acme = await newOrg(alice, "acme");
    await alice.ok(CreateTeamDocument, { organization: acme, name: "readers" });
    await team(alice, acme, "devs", "creator", bob);
    const mk = (delegateKind: EntityKind, delegate: string, role: Role, creator?: string) => ({
      organization: acme,
      delegateKind,
      delegate,
      role,
      creator,
    });
    const defaults = async () =>
      (await alice.ok(DefaultPermissionsDocument, { name: acme })).organization.defaultPermissions;
    const anyone = (await alice.ok(CreateDefaultPermissionDocument, mk("team", "readers", "read")))
      .createDefaultPermission;
    assert.equal((await defaults()).find((p) => p.id === anyone.id)?.creator, null);
    await alice.ok(CreateDefaultPermissionDocument, mk("user", carol.username, "write", bob.username));
    assert.equal(
      (await alice.fails(CreateDefaultPermissionDocument, mk("team", "readers", "read"))).code,
      "CONFLICT",
    );
    assert.equal(
      (await carol.fails(CreateDefaultPermissionDocument, mk("team", "readers", "admin"))).code,
      "FORBIDDEN",
    );

    const granted = async (name: string) =>
      (await alice.ok(RepositoryPermissionsDocument, { namespace: acme, name })).repository.permissions
        .map((p) => `${p.entity.kind}:${p.entity.name}:${p.role}`)
        .sort();
    await bob.ok(CreateRepositoryDocument, { namespace: acme, name: "bobs" }); // bob is in "devs" (creator)
    assert.deepEqual(await granted("bobs"), [
      "team:readers:read",
      `user:${bob.username}:admin`,
      `user:${carol.username}:write`,
    ]);
    // A push by alice creates a repository with the "anyone" default only.
    await new RegistryClient(t.sys, [alice.username, "password-123"]).pushImage(`${acme}/pushed`, "v1");
    assert.deepEqual(await granted("pushed"), ["team:readers:read", `user:${alice.username}:admin`]);

    assert.equal((await defaults()).length, 2);
    const byId = { organization: acme, id: anyone.id };
    await alice.ok(UpdateDefaultPermissionDocument, { ...byId, role: "write" });
    await alice.ok(DeleteDefaultPermissionDocument, byId);
    assert.equal((await alice.fails(DeleteDefaultPermissionDocument, byId)).code, "NOT_FOUND");
    assert.equal(
      (await alice.fails(DeleteDefaultPermissionDocument, { organization: acme, id: "x1" })).code,
      "BAD_USER_INPUT",
    );
  });

  test("delete is confirmed by name and needs admin", async () => {
    const [alice, bob] = await t.users("alice", "bob");
    const acme = await newOrg(alice, "acme");
    await team(alice, acme, "devs", "creator", bob);
    await alice.ok(CreateRepositoryDocument, { namespace: acme, name: "p3" });
    const del = (confirm: string) => ({ namespace: acme, name: "p3", confirm });
    assert.equal((await alice.fails(DeleteRepositoryDocument, del("p4"))).code, "BAD_USER_INPUT");
    // bob, a member with no grant, cannot even see it.
    assert.equal((await bob.fails(DeleteRepositoryDocument, del("p3"))).code, "NOT_FOUND");
    await alice.ok(DeleteRepositoryDocument, del(`${acme}/p3`));
    assert.equal((await alice.fails(RepositoryDocument, { namespace: acme, name: "p3" })).code, "NOT_FOUND");
  });
});

describe("lists cost a fixed number of queries", () => {
  /** Database round trips for one GraphQL request (each pool checkout is one statement or transaction). */
  async function roundTrips(request: () => Promise<unknown>) {
    let n = 0;
    const count = () => void n++;
    t.sys.pool.on("acquire", count);
    try {
      await request();
    } finally {
      t.sys.pool.off("acquire", count);
    }
    return n;
  }

  test("a page of 3 or of 12 repositories, teams and robots needs the same round trips", async () => {
    const [s] = await t.users("nplus");
    const orgs: Record<"small" | "large", string> = { small: "", large: "" };
    for (const [size, count] of [
      ["small", 3],
      ["large", 12],
    ] as const) {
      const org = (orgs[size] = await newOrg(s, `np${size}`));
      for (let i = 0; i < count; i++) {
        await s.ok(CreateRepositoryDocument, {
          namespace: org,
          name: `r${i}`,
          visibility: i % 2 ? "public" : "private",
        });
        await s.ok(CreateTeamDocument, { organization: org, name: `t${i}` });
        await s.ok(CreateRobotDocument, { namespace: org, name: `b${i}` });
      }
    }
    const repos = (namespace: string) => () => s.ok(RepositoriesDocument, { namespace, first: 50 });
    const small = await roundTrips(repos(orgs.small));
    assert.ok(small > 3, "the counter sees the queries");
    assert.equal(await roundTrips(repos(orgs.large)), small);
    // The organization's pages in the console: its counts, its teams and members, its robots.
    for (const page of [
      (name: string) => s.ok(OrganizationDocument, { name }),
      (name: string) => s.ok(OrganizationTeamsDocument, { name }),
      (namespace: string) => s.ok(RobotsDocument, { namespace }),
    ]) {
      assert.equal(await roundTrips(() => page(orgs.large)), await roundTrips(() => page(orgs.small)));
    }
  });
});
