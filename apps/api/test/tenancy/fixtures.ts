// What the tenancy tests share. One system serves a test file, but every test signs up its own users and
// makes its own organizations under fresh names, so any test runs alone (--test-name-pattern) or in any
// order, and one test's data never shows in another's assertions.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before } from "node:test";
import {
  AcceptInvitationDocument,
  AddTeamMemberDocument,
  CreateOrganizationDocument,
  CreateTeamDocument,
  SetRepositoryPermissionDocument,
  ViewerDocument,
  type VariablesOf,
} from "@hm/schema";
import { basic, startTestSystem, type TestSystem } from "../harness.js";
import { GqlSession, signUp, type SignedIn } from "../gql-client.js";

export type User = GqlSession & SignedIn;
export type Role = VariablesOf<typeof SetRepositoryPermissionDocument>["role"];
export type EntityKind = VariablesOf<typeof SetRepositoryPermissionDocument>["kind"];
type TeamRole = NonNullable<VariablesOf<typeof CreateTeamDocument>["role"]>;

/** A name no other test uses, valid for users, organizations, teams and robots: the base, then hex. */
export const unique = (base: string) => `${base}${crypto.randomBytes(4).toString("hex")}`;

/** The file's system, started before its first test and stopped after its last, and what needs it. */
export class Tenancy {
  sys!: TestSystem;
  /** The initial superuser. */
  admin!: GqlSession;

  static forFile(): Tenancy {
    const t = new Tenancy();
    before(async () => {
      t.sys = await startTestSystem();
      t.admin = await new GqlSession(t.sys).login("admin", "admin-password");
    });
    after(async () => t.sys?.stop());
    return t;
  }

  /** Signs up one fresh user per base name (password "password-123"). */
  users<const B extends readonly string[]>(...bases: B): Promise<{ [K in keyof B]: User }> {
    return Promise.all(bases.map((b) => signUp(this.sys, unique(b)))) as Promise<{ [K in keyof B]: User }>;
  }

  /** Asks the registry's token endpoint with a password, as `docker login` does. */
  v2Token(user: string, pass: string, scope: string) {
    const q = new URLSearchParams({ service: this.sys.host, scope });
    return fetch(`${this.sys.url}/v2/auth?${q}`, { headers: { authorization: basic(user, pass) } });
  }
}

/** A fresh organization; its creator lands in its owners team (admin). */
export async function newOrg(owner: GqlSession, base = "org"): Promise<string> {
  const name = unique(base);
  await owner.ok(CreateOrganizationDocument, { name });
  return name;
}

/** Creates a team and has each user accept the invitation to it, so they are members. */
export async function team(
  admin: GqlSession,
  organization: string,
  name: string,
  role: TeamRole,
  ...members: User[]
) {
  await admin.ok(CreateTeamDocument, { organization, name, role });
  for (const m of members) {
    await admin.ok(AddTeamMemberDocument, { organization, team: name, member: m.username });
    const invitations = (await m.ok(ViewerDocument)).viewer!.invitations;
    const invitation = invitations.find((i) => i.organization === organization && i.team === name);
    assert.ok(invitation, `${m.username} is invited to ${organization}/${name}`);
    await m.ok(AcceptInvitationDocument, { id: invitation.id });
  }
}

/** Variables of setRepositoryPermission. */
export const permission = (
  namespace: string,
  name: string,
  kind: EntityKind,
  entity: string,
  role: Role,
) => ({ namespace, name, kind, entity, role });
