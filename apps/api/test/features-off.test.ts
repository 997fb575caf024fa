// Configuration switches that change the tenancy rules: FEATURE_USER_CREATION, ROBOTS_DISALLOW, SUPER_USERS.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  CreateOrganizationDocument,
  CreateRobotDocument,
  CreateUserDocument,
  OrganizationDocument,
  SignUpDocument,
  SystemDocument,
  UsersDocument,
  ViewerDocument,
} from "@hm/schema";
import { startTestSystem, type TestSystem } from "./harness.js";
import { GqlSession } from "./gql-client.js";
import { ROBOTS_DISALLOWED } from "../src/tenancy/robots.js";

let sys: TestSystem;
before(async () => {
  sys = await startTestSystem(
    {
      FEATURE_USER_CREATION: "false",
      ROBOTS_DISALLOW: "true",
      SUPER_USERS: "root2",
      DEFAULT_TAG_EXPIRATION: "1w",
    },
    { workers: false },
  );
});
after(async () => sys?.stop());

test("sign-up is refused when user creation is off; superusers still create users", async () => {
  const e = await new GqlSession(sys).fails(SignUpDocument, {
    username: "zed",
    email: "zed@example.com",
    password: "password-123",
  });
  assert.deepEqual(e, { code: "FORBIDDEN", message: "User creation is disabled on this registry" });
  const admin = await new GqlSession(sys).login("admin", "admin-password");
  const made = await admin.ok(CreateUserDocument, { username: "root2", email: "root2@example.com" });
  // root2 is listed in SUPER_USERS, so it is a superuser without the database flag.
  const root2 = await new GqlSession(sys).login("root2", made.createUser.password);
  assert.equal((await root2.ok(ViewerDocument)).viewer?.superuser, true);
  assert.ok(((await root2.ok(UsersDocument)).users.totalCount ?? 0) >= 2);
});

test("robots cannot be created when ROBOTS_DISALLOW is set, with Quay's message", async () => {
  const admin = await new GqlSession(sys).login("admin", "admin-password");
  const e = await admin.fails(CreateRobotDocument, { namespace: "admin", name: "bot" });
  assert.deepEqual(e, { code: "FORBIDDEN", message: ROBOTS_DISALLOWED });
  assert.equal((await admin.ok(SystemDocument)).system.features.robotsAllowed, false);
});

test("new users and organizations get the configured time-machine window", async () => {
  const admin = await new GqlSession(sys).login("admin", "admin-password");
  const made = await admin.ok(CreateUserDocument, { username: "tm", email: "tm@example.com" });
  const tm = await new GqlSession(sys).login("tm", made.createUser.password);
  assert.equal((await tm.ok(ViewerDocument)).viewer?.timeMachine, "1w");
  await tm.ok(CreateOrganizationDocument, { name: "tmorg" });
  assert.equal((await tm.ok(OrganizationDocument, { name: "tmorg" })).organization.timeMachine, "1w");
});
