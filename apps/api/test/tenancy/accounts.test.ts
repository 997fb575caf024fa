// Accounts over GraphQL against the real database: sessions, sign-up, passwords, e-mail, time machine and
// deletion; the superuser panel; OAuth and app-specific tokens. Bad input and forbidden cases give typed
// errors, never a 500.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, test } from "node:test";
import {
  AllOrganizationsDocument,
  AppTokensDocument,
  ChangeEmailDocument,
  ChangePasswordDocument,
  CreateAppTokenDocument,
  CreateOAuthApplicationDocument,
  CreateOrganizationDocument,
  CreateRepositoryDocument,
  CreateUserDocument,
  DeleteAccountDocument,
  DeleteUserDocument,
  GenerateOAuthTokenDocument,
  LoginDocument,
  LogoutDocument,
  LogsDocument,
  RepositoryDocument,
  RevokeAppTokenDocument,
  SetTimeMachineDocument,
  SetUserEnabledDocument,
  SetUserPasswordDocument,
  SignUpDocument,
  UsersDocument,
  ViewerAvatarDocument,
  ViewerDocument,
} from "@hm/schema";
import { GqlSession } from "../gql-client.js";
import { newOrg, Tenancy, unique } from "./fixtures.js";

const t = Tenancy.forFile();

describe("sessions and accounts", () => {
  test("a password verified once is not hashed again; a changed password makes the old one fail at once", async () => {
    const { accounts, users } = t.sys.services;
    const name = unique("pw");
    await accounts.createUser({ username: name, email: `${name}@example.com`, password: "first-password" });
    const cache = accounts.verifiedPasswords;
    const hits = cache.hits;
    assert.ok(await accounts.verifyPassword(name, "first-password"));
    assert.equal(cache.hits, hits, "the first check runs argon2");
    const p = await accounts.verifyPassword(name, "first-password");
    assert.equal(p?.kind === "user" && p.username, name);
    assert.equal(cache.hits, hits + 1, "the second is answered from memory");
    assert.equal(await accounts.verifyPassword(name, "wrong-password"), null);
    assert.equal(await accounts.verifyPassword(name, "wrong-password"), null);
    assert.equal(cache.hits, hits + 1, "a wrong password is never remembered");
    await users.changePassword(p!, "first-password", "second-password");
    assert.equal(
      await accounts.verifyPassword(name, "first-password"),
      null,
      "the old password fails at once",
    );
    assert.ok(await accounts.verifyPassword(name, "second-password"));
  });

  test("sign-up signs in with an httpOnly session cookie; logout ends it", async () => {
    const s = new GqlSession(t.sys);
    const dave = unique("dave");
    const email = `${dave}@example.com`;
    const r = await s.raw(SignUpDocument, { username: dave, email, password: "password-123" });
    assert.match(r.setCookie!, /hm_session=[^;]+;.*HttpOnly/i);
    assert.match(r.setCookie!, /SameSite=Lax/i);
    assert.equal(r.body.data?.signUp.username, dave);
    const v = (await s.ok(ViewerDocument)).viewer;
    assert.equal(v?.username, dave);
    assert.equal(v?.superuser, false);
    const avatar = (await s.ok(ViewerAvatarDocument)).viewer?.avatar;
    assert.equal(avatar?.hash, crypto.createHash("sha256").update(email).digest("hex"));
    assert.match(avatar?.color ?? "", /^#[0-9a-f]{6}$/);
    assert.equal((await s.ok(LogoutDocument)).logout, true);
    assert.equal((await s.ok(ViewerDocument)).viewer, null);
  });

  test("sign-up errors: bad name, short password, taken name and e-mail", async () => {
    const [alice] = await t.users("alice");
    const erin = unique("erin");
    const s = new GqlSession(t.sys);
    const code = async (username: string, email: string, password = "password-123") =>
      (await s.fails(SignUpDocument, { username, email, password })).code;
    assert.equal(await code("Bad Name", `${erin}@example.com`), "BAD_USER_INPUT");
    assert.equal(await code(erin, `${erin}@example.com`, "short"), "BAD_USER_INPUT");
    assert.equal(await code(erin, "not-an-email"), "BAD_USER_INPUT");
    assert.equal(await code(alice.username, `${erin}@example.com`), "CONFLICT");
    assert.equal(await code(erin, `${alice.username}@example.com`), "CONFLICT");
  });

  test("a NUL byte in a login (PostgreSQL refuses one in text) is a wrong login, not an internal error", async () => {
    const [{ username: nul }] = await t.users("nul");
    const s = new GqlSession(t.sys);
    for (const [username, password] of [
      [`${nul}\0x`, "password-123"],
      [nul, "password\0-123"],
    ] as const)
      assert.deepEqual(await s.fails(LoginDocument, { username, password }), {
        code: "UNAUTHENTICATED",
        message: "Invalid username or password",
      });
    await s.login(nul, "password-123");
  });

  test("wrong passwords are refused with one message; the sixth attempt is rate limited", async () => {
    const [{ username: frank }] = await t.users("frank");
    const s = new GqlSession(t.sys);
    const login = (password: string) => s.fails(LoginDocument, { username: frank, password });
    for (let i = 0; i < 5; i++) {
      const e = await login(`wrong-${i}`);
      assert.deepEqual(e, { code: "UNAUTHENTICATED", message: "Invalid username or password" });
    }
    const limited = await login("password-123");
    assert.equal(limited.code, "RATE_LIMITED");
    assert.match(limited.message, /try again in \d+ seconds?/);
    // The registry door shares the throttle.
    assert.equal((await t.v2Token(frank, "password-123", `repository:${frank}/x:pull`)).status, 401);
    // The failures were logged without the password.
    const logs = await t.admin.ok(LogsDocument, { filter: "login_failure" });
    const entries = logs.logs.edges.filter((e) => e.node.performer === frank);
    assert.ok(entries.length >= 5);
    assert.ok(!JSON.stringify(entries).includes("wrong-"));
  });

  test("change password, e-mail and time machine; delete the account with confirmation", async () => {
    const [s, alice] = await t.users("gina", "alice");
    const gina = s.username;
    const cp = (currentPassword: string, newPassword: string) => ({ currentPassword, newPassword });
    assert.equal(
      (await s.fails(ChangePasswordDocument, cp("nope-nope", "new-password-1"))).code,
      "BAD_USER_INPUT",
    );
    assert.equal((await s.fails(ChangePasswordDocument, cp("password-123", "short"))).code, "BAD_USER_INPUT");
    await s.ok(ChangePasswordDocument, cp("password-123", "new-password-1"));
    await new GqlSession(t.sys).login(gina, "new-password-1");

    const taken = `${alice.username}@example.com`;
    assert.equal((await s.fails(ChangeEmailDocument, { email: taken })).code, "CONFLICT");
    assert.equal((await s.fails(ChangeEmailDocument, { email: "nope" })).code, "BAD_USER_INPUT");
    const email = `${gina}2@example.com`;
    assert.equal((await s.ok(ChangeEmailDocument, { email })).changeEmail.email, email);

    assert.equal((await s.ok(ViewerDocument)).viewer?.timeMachine, "2w");
    assert.equal((await s.fails(SetTimeMachineDocument, { window: "3y" })).code, "BAD_USER_INPUT");
    // Not one of the offered choices.
    assert.equal((await s.fails(SetTimeMachineDocument, { window: "5d" })).code, "BAD_USER_INPUT");
    assert.equal((await s.ok(SetTimeMachineDocument, { window: "1w" })).setTimeMachine.timeMachine, "1w");

    assert.equal((await s.fails(DeleteAccountDocument, { confirm: "wrong" })).code, "BAD_USER_INPUT");
    await s.ok(DeleteAccountDocument, { confirm: gina });
    assert.equal((await s.ok(ViewerDocument)).viewer, null);
    assert.equal((await t.admin.ok(UsersDocument, { filter: gina })).users.totalCount, 0);
  });

  test("anonymous callers get UNAUTHENTICATED for account operations", async () => {
    const anon = new GqlSession(t.sys);
    assert.equal((await anon.fails(ChangeEmailDocument, { email: "x@example.com" })).code, "UNAUTHENTICATED");
    assert.equal(
      (await anon.fails(CreateOrganizationDocument, { name: unique("anonorg") })).code,
      "UNAUTHENTICATED",
    );
  });
});

describe("superusers", () => {
  test("list, create with a generated password, change password, disable, enable, delete", async () => {
    const [alice, bob] = await t.users("alice", "bob");
    const acme = await newOrg(alice, "acme");
    assert.equal((await alice.fails(UsersDocument)).code, "FORBIDDEN");
    assert.equal((await alice.fails(AllOrganizationsDocument)).code, "FORBIDDEN");
    const orgs = (await t.admin.ok(AllOrganizationsDocument, { filter: acme })).allOrganizations;
    assert.ok(orgs.edges.some((e) => e.node.name === acme));

    const hank = unique("hank");
    const made = await t.admin.ok(CreateUserDocument, { username: hank, email: `${hank}@example.com` });
    assert.ok(made.createUser.password.length >= 16);
    await new GqlSession(t.sys).login(hank, made.createUser.password);
    assert.equal(
      (await t.admin.fails(CreateUserDocument, { username: hank, email: `${hank}2@example.com` })).code,
      "CONFLICT",
    );

    const fresh = "fresh-password-1";
    await t.admin.ok(SetUserPasswordDocument, { username: hank, password: fresh });
    await new GqlSession(t.sys).login(hank, fresh);
    const listed = (await t.admin.ok(UsersDocument, { filter: hank })).users.edges[0]?.node;
    assert.equal(listed?.enabled, true);

    await t.admin.ok(SetUserEnabledDocument, { username: hank, enabled: false });
    assert.equal(
      (await new GqlSession(t.sys).fails(LoginDocument, { username: hank, password: fresh })).code,
      "UNAUTHENTICATED",
    );
    assert.equal((await t.v2Token(hank, fresh, `repository:${hank}/x:pull`)).status, 401);
    await t.admin.ok(SetUserEnabledDocument, { username: hank, enabled: true });
    await new GqlSession(t.sys).login(hank, fresh);

    // alice is the last admin of her organization.
    assert.equal((await t.admin.fails(DeleteUserDocument, { username: alice.username })).code, "CONFLICT");
    await t.admin.ok(DeleteUserDocument, { username: hank });
    assert.equal((await t.admin.fails(DeleteUserDocument, { username: hank })).code, "NOT_FOUND");
    assert.equal((await alice.fails(DeleteUserDocument, { username: bob.username })).code, "FORBIDDEN");
  });
});

describe("OAuth applications and app tokens", () => {
  test("a token with repo:read reads private repositories but cannot create or administer", async () => {
    const [alice] = await t.users("alice");
    const acme = await newOrg(alice, "acme");
    const p1 = { namespace: acme, name: "p1" };
    await alice.ok(CreateRepositoryDocument, p1); // private
    const app = (await alice.ok(CreateOAuthApplicationDocument, { organization: acme, name: "ci" }))
      .createOAuthApplication;
    const gen = (scopes: string[]) => ({ clientId: app.application.clientId, scopes });
    assert.equal(
      (await alice.fails(GenerateOAuthTokenDocument, gen(["repo:everything"]))).code,
      "BAD_USER_INPUT",
    );
    assert.equal((await alice.fails(GenerateOAuthTokenDocument, gen(["super:user"]))).code, "FORBIDDEN");
    const token = (await alice.ok(GenerateOAuthTokenDocument, gen(["repo:read"]))).generateOAuthToken;
    const bearer = new GqlSession(t.sys, { authorization: `Bearer ${token}` });
    assert.equal((await bearer.ok(RepositoryDocument, p1)).repository.viewerRole, "read");
    assert.equal(
      (await bearer.fails(CreateRepositoryDocument, { namespace: acme, name: "viaoauth" })).code,
      "FORBIDDEN",
    );
    assert.equal((await bearer.fails(ChangeEmailDocument, { email: "z@example.com" })).code, "FORBIDDEN");
    assert.equal((await bearer.fails(ViewerDocument)).code, "FORBIDDEN"); // needs user:read
    assert.equal((await t.v2Token("$oauthtoken", token, `repository:${acme}/p1:pull`)).status, 200);
  });

  test("app-specific tokens log in as `$app` and can be revoked", async () => {
    const [alice] = await t.users("alice");
    const acme = await newOrg(alice, "acme");
    await alice.ok(CreateRepositoryDocument, { namespace: acme, name: "p1" });
    const made = (await alice.ok(CreateAppTokenDocument, { title: "laptop" })).createAppToken;
    const scope = `repository:${acme}/p1:pull`;
    assert.equal((await t.v2Token("$app", made.token, scope)).status, 200);
    assert.deepEqual(
      (await alice.ok(AppTokensDocument)).viewer?.appTokens.map((a) => a.title),
      ["laptop"],
    );
    await alice.ok(RevokeAppTokenDocument, { id: made.appToken.id });
    assert.equal((await t.v2Token("$app", made.token, scope)).status, 401);
  });
});
