// The same permissions through both doors: set up in GraphQL, exercised with podman and skopeo on /v2.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  AcceptInvitationDocument,
  AddTeamMemberDocument,
  CreateOrganizationDocument,
  CreateRepositoryDocument,
  CreateRobotDocument,
  CreateTeamDocument,
  RepositoriesDocument,
  RobotCredentialsDocument,
  SetRepositoryPermissionDocument,
  SetRobotPermissionsDocument,
  UpdateRepositoryDocument,
  ViewerDocument,
} from "@hm/schema";
import { startTestSystem, type TestSystem } from "../apps/api/test/harness.js";
import { GqlSession, signUp } from "../apps/api/test/gql-client.js";
import { Clients, haveClients } from "./clients.js";

let sys: TestSystem;
let c: Clients;
let REG: string;
let alice: GqlSession;
let bob: GqlSession;

const authfile = (name: string) => {
  const f = path.join(c.dir, `${name}.json`);
  if (!fs.existsSync(f)) fs.writeFileSync(f, '{"auths":{}}');
  return f;
};

before(async () => {
  assert.ok(haveClients(), "skopeo, podman and buildah must be installed (.ci/run installs them)");
  sys = await startTestSystem();
  REG = sys.host;
  c = new Clients(REG);
  await c.buildBusybox("amd64");
  alice = await signUp(sys, "alice");
  bob = await signUp(sys, "bob");
  await alice.ok(CreateOrganizationDocument, { name: "corp" });
  for (const name of ["app", "other"]) await alice.ok(CreateRepositoryDocument, { namespace: "corp", name });
  // alice pushes the first image with her password.
  await c.login("podman", "alice", "password-123", authfile("alice"));
  await c.podman(
    "push",
    "--tls-verify=false",
    "--authfile",
    authfile("alice"),
    "localhost/bb:amd64",
    `${REG}/corp/app:v1`,
  );
});
after(async () => {
  await c?.cleanup();
  await sys?.stop();
});

describe("GraphQL permissions hold on /v2", { concurrency: false }, () => {
  test("a robot given write on one repository pushes there with podman and nowhere else", async () => {
    await alice.ok(CreateRobotDocument, { namespace: "corp", name: "ci" });
    await alice.ok(SetRobotPermissionsDocument, { name: "corp+ci", repositories: ["app"], role: "write" });
    const creds = (await alice.ok(RobotCredentialsDocument, { name: "corp+ci" })).robot.credentials;
    assert.match(await c.login("podman", creds.username, creds.token, authfile("robot")), /Login Succeeded/);
    const push = (ref: string) =>
      c.podman(
        "push",
        "--tls-verify=false",
        "--authfile",
        authfile("robot"),
        "localhost/bb:amd64",
        `${REG}/${ref}`,
      );
    await push("corp/app:robot");
    const tags = JSON.parse(
      await c.skopeo(
        "list-tags",
        "--tls-verify=false",
        "--authfile",
        authfile("alice"),
        `docker://${REG}/corp/app`,
      ),
    );
    assert.deepEqual(tags.Tags.sort(), ["robot", "v1"]);
    await assert.rejects(push("corp/other:robot"), /unauthorized|denied|authentication required/i);
    await assert.rejects(push("corp/new-repo:robot"), /unauthorized|denied|authentication required/i);
  });

  test("a team member with read pulls a private repository and cannot push to it", async () => {
    await alice.ok(CreateTeamDocument, { organization: "corp", name: "viewers", role: "member" });
    await alice.ok(SetRepositoryPermissionDocument, {
      namespace: "corp",
      name: "app",
      kind: "team",
      entity: "viewers",
      role: "read",
    });
    await alice.ok(AddTeamMemberDocument, { organization: "corp", team: "viewers", member: "bob" });
    await c.login("skopeo", "bob", "password-123", authfile("bob"));
    const inspect = () =>
      c.skopeo("inspect", "--tls-verify=false", "--authfile", authfile("bob"), `docker://${REG}/corp/app:v1`);
    await assert.rejects(inspect(), /unauthorized|denied|authentication required/i); // invited, not yet a member
    const id = (await bob.ok(ViewerDocument)).viewer!.invitations[0]!.id;
    await bob.ok(AcceptInvitationDocument, { id });
    const info = JSON.parse(await inspect());
    assert.equal(info.Architecture, "amd64");
    const pulled = await c.podman(
      "pull",
      "-q",
      "--tls-verify=false",
      "--authfile",
      authfile("bob"),
      `${REG}/corp/app:v1`,
    );
    assert.match(pulled.trim(), /^[0-9a-f]{64}$/);
    await assert.rejects(
      c.podman(
        "push",
        "--tls-verify=false",
        "--authfile",
        authfile("bob"),
        "localhost/bb:amd64",
        `${REG}/corp/app:bob`,
      ),
      /unauthorized|denied|authentication required/i,
    );
  });

  test("anonymous users see only public repositories, in GraphQL and on /v2", async () => {
    const anon = new GqlSession(sys);
    const list = async () =>
      (await anon.ok(RepositoriesDocument)).repositories.edges.map((e) => e.node.fullName);
    assert.deepEqual(await list(), []);
    const inspect = () =>
      c.skopeo(
        "inspect",
        "--tls-verify=false",
        "--authfile",
        authfile("anon"),
        `docker://${REG}/corp/app:v1`,
      );
    await assert.rejects(inspect(), /unauthorized|denied|authentication required/i);
    await alice.ok(UpdateRepositoryDocument, { namespace: "corp", name: "app", visibility: "public" });
    assert.deepEqual(await list(), ["corp/app"]);
    assert.equal(JSON.parse(await inspect()).Architecture, "amd64");
    await assert.rejects(
      c.skopeo(
        "copy",
        "--dest-tls-verify=false",
        "--dest-authfile",
        authfile("anon"),
        "containers-storage:localhost/bb:amd64",
        `docker://${REG}/corp/app:anon`,
      ),
      /unauthorized|denied|authentication required/i,
    );
  });
});
