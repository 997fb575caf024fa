// Audit logs of the tenancy operations over GraphQL against the real database: Quay's kinds, who may read
// them, and the filters and paging the console uses.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AddTeamMemberDocument,
  CreateDefaultPermissionDocument,
  CreateRepositoryDocument,
  CreateRobotDocument,
  CreateTeamDocument,
  DeclineInvitationDocument,
  DeleteDefaultPermissionDocument,
  DeleteRepositoryDocument,
  DeleteRobotDocument,
  DeleteTeamDocument,
  LogsDocument,
  RegenerateRobotTokenDocument,
  RemoveRepositoryPermissionDocument,
  RemoveTeamMemberDocument,
  SetRepositoryPermissionDocument,
  UpdateDefaultPermissionDocument,
  UpdateRepositoryDocument,
  UpdateTeamDocument,
  ViewerDocument,
  type VariablesOf,
} from "@hm/schema";
import { RegistryClient } from "../registry-client.js";
import { newOrg, permission, team, Tenancy } from "./fixtures.js";

const t = Tenancy.forFile();

/** One of each mutation the audit log records, in a fresh organization (about 30 entries). */
async function auditedOrganization() {
  const [alice, bob, carol] = await t.users("alice", "bob", "carol");
  const acme = await newOrg(alice, "acme");
  await team(alice, acme, "devs", "creator", bob); // create, invite, accept
  const readers = { organization: acme, name: "readers" };
  await alice.ok(CreateTeamDocument, readers);
  await alice.ok(AddTeamMemberDocument, { organization: acme, team: "readers", member: carol.username });
  const invitation = (await carol.ok(ViewerDocument)).viewer!.invitations[0]!;
  await carol.ok(DeclineInvitationDocument, { id: invitation.id });
  await alice.ok(UpdateTeamDocument, { ...readers, description: "Read only" });

  const robot = `${acme}+builder`;
  await alice.ok(CreateRobotDocument, { namespace: acme, name: "builder" });
  await alice.ok(AddTeamMemberDocument, { organization: acme, team: "readers", member: robot });
  await alice.ok(RemoveTeamMemberDocument, { organization: acme, team: "readers", member: robot });
  await alice.ok(DeleteTeamDocument, readers);
  await alice.ok(RegenerateRobotTokenDocument, { name: robot });
  await alice.ok(DeleteRobotDocument, { name: robot });

  const p1 = { namespace: acme, name: "p1" };
  await alice.ok(CreateRepositoryDocument, p1);
  await alice.ok(UpdateRepositoryDocument, { ...p1, visibility: "public", description: "hello" });
  await alice.ok(UpdateRepositoryDocument, { ...p1, visibility: "private" });
  await alice.ok(SetRepositoryPermissionDocument, permission(acme, "p1", "user", carol.username, "read"));
  await alice.ok(SetRepositoryPermissionDocument, permission(acme, "p1", "user", carol.username, "write"));
  await alice.ok(RemoveRepositoryPermissionDocument, { ...p1, kind: "user", entity: carol.username });

  const prototype = { organization: acme, delegateKind: "team", delegate: "devs", role: "read" } as const;
  const { id } = (await alice.ok(CreateDefaultPermissionDocument, prototype)).createDefaultPermission;
  await alice.ok(UpdateDefaultPermissionDocument, { organization: acme, id, role: "write" });
  await alice.ok(DeleteDefaultPermissionDocument, { organization: acme, id });

  await new RegistryClient(t.sys, [alice.username, "password-123"]).pushImage(`${acme}/pushed`, "v1");
  await alice.ok(CreateRepositoryDocument, { namespace: acme, name: "gone" });
  await alice.ok(DeleteRepositoryDocument, { namespace: acme, name: "gone", confirm: `${acme}/gone` });
  return { alice, carol, acme };
}

describe("audit logs", () => {
  test("every tenancy mutation leaves an entry with Quay's kind, performer and IP", async () => {
    const { alice, acme } = await auditedOrganization();
    const kinds = new Set<string>();
    const pageAfter = async (after: string | null) =>
      (await alice.ok(LogsDocument, { namespace: acme, first: 100, after })).logs;
    let after: string | null = null;
    for (;;) {
      const page = await pageAfter(after);
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
    const { alice, carol, acme } = await auditedOrganization();
    const logs = async (vars: Omit<VariablesOf<typeof LogsDocument>, "namespace"> = {}) =>
      (await alice.ok(LogsDocument, { namespace: acme, ...vars })).logs;
    const repo = (await logs({ repository: "p1" })).edges.map((e) => e.node);
    assert.ok(repo.length > 0 && repo.every((e) => e.repository === "p1"));
    const filtered = (await logs({ filter: "change_repo_visibility" })).edges;
    assert.ok(filtered.length >= 2 && filtered.every((e) => e.node.kind === "change_repo_visibility"));
    const future = new Date(Date.now() + 86400_000).toISOString();
    assert.equal((await logs({ from: future, to: future })).edges.length, 0);
    const backwards = { namespace: acme, from: future, to: new Date().toISOString() };
    assert.equal((await alice.fails(LogsDocument, backwards)).code, "BAD_USER_INPUT");
    assert.equal((await alice.fails(LogsDocument, { namespace: acme, first: 101 })).code, "BAD_USER_INPUT");
    const two = await logs({ first: 2 });
    const total = (await logs({ first: 1 })).totalCount ?? 0;
    assert.ok(total > 20, `totalCount counts every page: ${total}`);
    const bogus = Buffer.from(JSON.stringify(["not a date", "x"])).toString("base64url");
    assert.equal((await alice.fails(LogsDocument, { namespace: acme, after: bogus })).code, "BAD_USER_INPUT");
    const next = await logs({ first: 2, after: two.pageInfo.endCursor });
    assert.equal(two.edges.length, 2);
    assert.notDeepEqual(next.edges[0], two.edges[0]);
    assert.equal((await carol.fails(LogsDocument, { namespace: acme })).code, "FORBIDDEN");
    // System-wide is for superusers.
    assert.equal((await carol.fails(LogsDocument)).code, "FORBIDDEN");
    // Their own namespace.
    assert.ok((await carol.ok(LogsDocument, { namespace: carol.username })).logs.edges.length > 0);
    const system = (await t.admin.ok(LogsDocument, { filter: "user_create" })).logs.edges;
    assert.ok(system.length >= 3);
  });
});
