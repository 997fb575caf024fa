// The same permissions through both doors: set up in GraphQL, exercised with podman and skopeo on /v2.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
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
  await alice.ok(`mutation{ createOrganization(name:"corp"){ name } }`);
  for (const n of ["app", "other"])
    await alice.ok(`mutation($n:String!){ createRepository(namespace:"corp",name:$n){ name } }`, { n });
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
    await alice.ok(`mutation{ createRobot(namespace:"corp",name:"ci"){ name } }`);
    await alice.ok(`mutation{ setRobotPermissions(name:"corp+ci",repositories:["app"],role:write) }`);
    const creds = (await alice.ok(`{ robot(name:"corp+ci"){ credentials{ username token } } }`)).robot
      .credentials;
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
    await alice.ok(`mutation{ createTeam(organization:"corp",name:"viewers",role:member){ name } }`);
    await alice.ok(
      `mutation{ setRepositoryPermission(namespace:"corp",name:"app",kind:team,entity:"viewers",role:read){ role } }`,
    );
    await alice.ok(`mutation{ addTeamMember(organization:"corp",team:"viewers",member:"bob"){ invited } }`);
    await c.login("skopeo", "bob", "password-123", authfile("bob"));
    const inspect = () =>
      c.skopeo("inspect", "--tls-verify=false", "--authfile", authfile("bob"), `docker://${REG}/corp/app:v1`);
    await assert.rejects(inspect(), /unauthorized|denied|authentication required/i); // invited, not yet a member
    const id = (await bob.ok(`{ viewer{ invitations{ id } } }`)).viewer.invitations[0].id;
    await bob.ok(`mutation($i:ID!){ acceptInvitation(id:$i){ name } }`, { i: id });
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
      (await anon.ok(`{ repositories{ edges{ node{ fullName } } } }`)).repositories.edges.map(
        (e: any) => e.node.fullName,
      );
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
    await alice.ok(
      `mutation{ updateRepository(namespace:"corp",name:"app",visibility:public){ visibility } }`,
    );
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
