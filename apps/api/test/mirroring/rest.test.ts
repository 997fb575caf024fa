// The mirror API with the seed's bodies (§17.4.9, minimal and extended) and Quay's answers: create (201, 409
// for a second one), the view, validation messages, PUT field by field with its audit entries, sync-now and
// sync-cancel (204, 404 when there is nothing to do), changestate; the same through GraphQL.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { GqlSession } from "../gql-client.js";
import { assertQuayError, type Rest } from "../rest/client.js";
import { minimalBody, mirrorWorld, newRepo, ORG, ROBOT, setUp } from "./fixtures.js";

const w = mirrorWorld();
let admin: Rest;

before(async () => {
  admin = await setUp(w);
  await admin.put(`/organization/${ORG}/robots/other`, { description: "" });
  await admin.post("/organization/", { name: "elsewhere", email: "elsewhere@example.com" });
  await admin.put(`/organization/elsewhere/robots/foreign`, { description: "" });
});

const EXTENDED = {
  is_enabled: true,
  external_reference: "quay.io/minio/mc",
  external_registry_username: "username",
  external_registry_password: "password",
  external_registry_config: {
    unsigned_images: true,
    verify_tls: false,
    proxy: { http_proxy: "http://proxy.tld", https_proxy: "https://proxy.tld", no_proxy: "domain" },
  },
  sync_interval: 600,
  sync_start_date: "2021-08-06T11:11:39Z",
  root_rule: { rule_kind: "tag_glob_csv", rule_value: ["*"] },
  robot_username: ROBOT,
};

const changes = async (repo: string) =>
  (
    await w.sys.db.auditLog.findMany({
      where: { kind: "repo_mirror_config_changed", repository: { name: repo.split("/")[1] } },
      orderBy: { id: "asc" },
    })
  ).map((r) => {
    const m = r.metadata as { changed: string; to: unknown };
    return [m.changed, m.to];
  });

describe("creating a mirror (seed 001 §17.4.9)", () => {
  test("the minimal body: 201, the repository becomes MIRROR, the view is Quay's", async () => {
    const repo = await newRepo(admin);
    const r = await admin.call("POST", `/repository/${repo}/mirror`, {
      body: {
        external_reference: "quay.io/minio/mc",
        sync_interval: 600,
        sync_start_date: "2021-08-06T11:11:39Z",
        root_rule: { rule_kind: "tag_glob_csv", rule_value: ["latest"] },
        robot_username: ROBOT,
      },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(await admin.get(`/repository/${repo}/mirror`), {
      is_enabled: true,
      mirror_type: "PULL",
      external_reference: "quay.io/minio/mc",
      external_registry_username: null,
      external_registry_config: {
        verify_tls: true,
        unsigned_images: false,
        proxy: { http_proxy: null, https_proxy: null, no_proxy: null },
      },
      sync_interval: 600,
      sync_start_date: "2021-08-06T11:11:39Z",
      sync_expiration_date: null,
      sync_retries_remaining: 3,
      sync_status: "NEVER_RUN",
      root_rule: { rule_kind: "tag_glob_csv", rule_value: ["latest"] },
      robot_username: ROBOT,
    });
    assert.equal((await admin.get(`/repository/${repo}`)).state, "MIRROR");
    assert.deepEqual(await changes(repo), [["external_reference", "quay.io/minio/mc"]]);
    // The robot got write on the repository.
    const perms = await admin.get(`/repository/${repo}/permissions/user/`);
    assert.equal(perms.permissions[ROBOT]?.role, "write");
    // A second configuration is Quay's 409.
    assertQuayError(
      await admin.call("POST", `/repository/${repo}/mirror`, { body: minimalBody("quay.io/minio/mc") }),
      409,
      /already exists/,
    );
  });

  test("the seed's minimal body as printed (with an empty username) and the extended body", async () => {
    const a = await newRepo(admin);
    assert.equal(
      (await admin.call("POST", `/repository/${a}/mirror`, { body: minimalBody("quay.io/minio/mc") })).status,
      201,
    );
    assert.equal((await admin.get(`/repository/${a}/mirror`)).external_registry_username, null);
    const b = await newRepo(admin);
    assert.equal((await admin.call("POST", `/repository/${b}/mirror`, { body: EXTENDED })).status, 201);
    const view = await admin.get(`/repository/${b}/mirror`);
    assert.equal(view.external_registry_username, "username");
    assert.deepEqual(view.external_registry_config, EXTENDED.external_registry_config);
    assert.deepEqual(view.root_rule, { rule_kind: "tag_glob_csv", rule_value: ["*"] });
    assert.ok(!("external_registry_password" in view), "the password is never answered");
    // Sealed at rest: neither the username nor the password appears in the row.
    const row = await w.sys.db.repoMirrorConfig.findFirstOrThrow({
      where: { repository: { name: b.split("/")[1] } },
    });
    assert.ok(row.credentialsSealed && !/username|password/.test(row.credentialsSealed));
  });

  test("bad bodies: Quay's messages, nothing created", async () => {
    const repo = await newRepo(admin);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ root_rule: { rule_kind: "regex", rule_value: ["x"] } }, /rule_kind must be "tag_glob_csv"/],
      [{ root_rule: { rule_kind: "tag_glob_csv", rule_value: [] } }, /must be a list with at least one rule/],
      [{ sync_start_date: "06/08/2021" }, /Incorrect DateTime format for sync_start_date/],
      [{ external_reference: "" }, /Empty string is an invalid repository location/],
      [{ external_reference: "quay.io" }, /Invalid external_reference/],
      [
        { external_registry_username: null, external_registry_password: "pw" },
        /without also specifying a username/,
      ],
      [{ robot_username: `${ORG}+nosuch` }, /Could not find robot with username/],
      [{ robot_username: "elsewhere+foreign" }, /Invalid robot/],
      [{ sync_interval: -1 }, /body.sync_interval/],
      [{ surprise: true }, /unknown field 'surprise'/],
    ];
    for (const [override, message] of cases)
      assertQuayError(
        await admin.call("POST", `/repository/${repo}/mirror`, {
          body: { ...minimalBody("quay.io/minio/mc"), ...override },
        }),
        400,
        message,
      );
    assertQuayError(await admin.call("GET", `/repository/${repo}/mirror`), 404);
    assert.equal((await admin.get(`/repository/${repo}`)).state, "NORMAL");
  });
});

describe("changing a mirror", () => {
  test("PUT changes each field given, one config_changed entry each; the password is masked", async () => {
    const repo = await newRepo(admin);
    await admin.call("POST", `/repository/${repo}/mirror`, { body: minimalBody("quay.io/minio/mc") });
    const r = await admin.call("PUT", `/repository/${repo}/mirror`, {
      body: {
        is_enabled: false,
        external_reference: "quay.io/minio/minio",
        external_registry_username: "u",
        external_registry_password: "p",
        sync_interval: 3600,
        sync_start_date: "2030-01-02T03:04:05Z",
        robot_username: `${ORG}+other`,
        external_registry_config: { verify_tls: false, proxy: { https_proxy: "proxy.tld:3128" } },
        root_rule: { rule_kind: "tag_glob_csv", rule_value: ["v1*", "latest"] },
      },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const view = await admin.get(`/repository/${repo}/mirror`);
    assert.equal(view.is_enabled, false);
    assert.equal(view.external_reference, "quay.io/minio/minio");
    assert.equal(view.external_registry_username, "u");
    assert.equal(view.sync_interval, 3600);
    assert.equal(view.sync_start_date, "2030-01-02T03:04:05Z");
    assert.equal(view.robot_username, `${ORG}+other`);
    assert.equal(view.external_registry_config.verify_tls, false);
    assert.deepEqual(view.external_registry_config.proxy, {
      http_proxy: null,
      https_proxy: "proxy.tld:3128",
      no_proxy: null,
    });
    assert.deepEqual(view.root_rule.rule_value, ["v1*", "latest"]);
    const log = await changes(repo);
    assert.deepEqual(log.slice(1), [
      ["is_enabled", false],
      ["external_reference", "quay.io/minio/minio"],
      ["robot_username", `${ORG}+other`],
      ["sync_start_date", "2030-01-02T03:04:05.000Z"],
      ["sync_interval", 3600],
      ["external_registry_username", "u"],
      ["external_registry_password", "********"],
      ["verify_tls", false],
      ["https_proxy", "proxy.tld:3128"],
      ["mirror_rule", ["v1*", "latest"]],
    ]);
    // A username alone keeps the password; a null username clears both; a password alone is refused.
    await admin.put(`/repository/${repo}/mirror`, { external_registry_username: "u2" });
    assert.equal((await admin.get(`/repository/${repo}/mirror`)).external_registry_username, "u2");
    assertQuayError(
      await admin.call("PUT", `/repository/${repo}/mirror`, { body: { external_registry_password: "x" } }),
      400,
      /Unable to set a new password without also specifying a username/,
    );
    await admin.put(`/repository/${repo}/mirror`, {
      external_registry_username: null,
      external_registry_password: null,
    });
    assert.equal((await admin.get(`/repository/${repo}/mirror`)).external_registry_username, null);
    assertQuayError(
      await admin.call("PUT", `/repository/${repo}/mirror`, {
        body: { root_rule: { rule_kind: "x", rule_value: ["a"] } },
      }),
      400,
      /rule_kind must be "tag_glob_csv"/,
    );
  });

  test("sync-now: 204 and SYNC_NOW; sync-cancel: 204 and CANCEL; each 404 when there is nothing to do", async () => {
    const repo = await newRepo(admin);
    // An upstream that is not there: the sync this queues fails in the workers, which does not matter here.
    await admin.call("POST", `/repository/${repo}/mirror`, { body: minimalBody("127.0.0.1:9/ns/none") });
    assertQuayError(await admin.call("POST", `/repository/${repo}/mirror/sync-cancel`), 404, /No sync/);
    await w.sys.db.repoMirrorConfig.updateMany({
      where: { repository: { name: repo.split("/")[1] } },
      data: { syncStatus: "SYNCING", syncExpirationDate: new Date(Date.now() + 600_000) },
    });
    assertQuayError(await admin.call("POST", `/repository/${repo}/mirror/sync-now`), 404, /is running/);
    assert.equal((await admin.call("POST", `/repository/${repo}/mirror/sync-cancel`)).status, 204);
    assert.equal((await admin.get(`/repository/${repo}/mirror`)).sync_status, "CANCEL");
    assert.equal((await admin.call("POST", `/repository/${repo}/mirror/sync-now`)).status, 204);
    assert.deepEqual((await changes(repo)).slice(1), [
      ["sync_status", "SYNC_CANCEL"],
      ["sync_status", "SYNC_NOW"],
    ]);
    assertQuayError(await admin.call("POST", `/repository/${await newRepo(admin)}/mirror/sync-now`), 404);
  });

  test("changestate: Quay's states, its messages, the change_repo_state entry", async () => {
    const repo = await newRepo(admin);
    for (const state of ["READ_ONLY", "MIRROR", "NORMAL"]) {
      assert.deepEqual(await admin.put(`/repository/${repo}/changestate`, { state }), { success: true });
      assert.equal((await admin.get(`/repository/${repo}`)).state, state);
    }
    assertQuayError(
      await admin.call("PUT", `/repository/${repo}/changestate`, { body: { state: "FROZEN" } }),
      400,
      /FROZEN is not a valid Repository state/,
    );
    const entries = await w.sys.db.auditLog.findMany({
      where: { kind: "change_repo_state", repository: { name: repo.split("/")[1] } },
      orderBy: { id: "asc" },
    });
    assert.deepEqual(
      entries.map((e) => (e.metadata as { state_changed: string }).state_changed),
      ["READ_ONLY", "MIRROR", "NORMAL"],
    );
  });
});

describe("GraphQL", () => {
  test("Repository.mirror, the mutations, setRepositoryState, system.features.repoMirror", async () => {
    const repo = await newRepo(admin);
    const gql = await new GqlSession(w.sys).login("admin", "admin-password");
    const fields =
      "externalReference tagGlobs robot syncStatus isEnabled verifyTls username nextSyncAt proxy { httpsProxy }";
    const created = await gql.raw(
      `mutation($r: String!, $i: RepositoryMirrorInput!) { createRepositoryMirror(repository: $r, input: $i) { ${fields} } }`,
      {
        r: repo,
        i: {
          externalReference: "quay.io/minio/mc",
          tagGlobs: ["latest"],
          robot: ROBOT,
          syncInterval: 600,
          syncStartDate: "2021-08-06T11:11:39Z",
          verifyTls: false,
          httpsProxy: "proxy.tld:3128",
        },
      },
    );
    assert.equal(created.body.errors, undefined, JSON.stringify(created.body.errors));
    assert.deepEqual(created.body.data.createRepositoryMirror, {
      externalReference: "quay.io/minio/mc",
      tagGlobs: ["latest"],
      robot: ROBOT,
      syncStatus: "NEVER_RUN",
      isEnabled: true,
      verifyTls: false,
      username: null,
      nextSyncAt: "2021-08-06T11:11:39.000Z",
      proxy: { httpsProxy: "proxy.tld:3128" },
    });
    const [ns, name] = repo.split("/");
    const updated = await gql.raw(
      `mutation($r: String!) { updateRepositoryMirror(repository: $r, input: { tagGlobs: ["v*"], isEnabled: false }) { tagGlobs isEnabled nextSyncAt } }`,
      { r: repo },
    );
    assert.deepEqual(updated.body.data.updateRepositoryMirror, {
      tagGlobs: ["v*"],
      isEnabled: false,
      nextSyncAt: null,
    });
    const now = await gql.raw(`mutation($r: String!) { syncMirrorNow(repository: $r) { syncStatus } }`, {
      r: repo,
    });
    assert.equal(now.body.data.syncMirrorNow.syncStatus, "SYNC_NOW");
    const cancelled = await gql.raw(
      `mutation($r: String!) { cancelMirrorSync(repository: $r) { syncStatus } }`,
      { r: repo },
    );
    assert.equal(cancelled.body.data.cancelMirrorSync.syncStatus, "CANCEL");
    const again = await gql.raw(`mutation($r: String!) { cancelMirrorSync(repository: $r) { syncStatus } }`, {
      r: repo,
    });
    assert.equal(again.body.errors?.[0]?.extensions?.code, "CONFLICT");
    const read = await gql.raw(
      `query($ns: String!, $n: String!) { repository(namespace: $ns, name: $n) { state mirror { syncStatus syncs { status } } } }`,
      { ns, n: name },
    );
    assert.equal(read.body.data.repository.state, "mirror");
    assert.equal(read.body.data.repository.mirror.syncStatus, "CANCEL");
    const state = await gql.raw(
      `mutation($r: String!) { setRepositoryState(repository: $r, state: READ_ONLY) { state } }`,
      { r: repo },
    );
    assert.equal(state.body.data.setRepositoryState.state, "read_only");
    const sys = await gql.raw(`{ system { features { repoMirror } } }`);
    assert.equal(sys.body.data.system.features.repoMirror, true);
    // A reader is not told the configuration.
    const reader = await w.user("reader");
    await admin.put(`/repository/${repo}/permissions/user/${reader.name}`, { role: "read" });
    const denied = await reader.gql.raw(
      `query($ns: String!, $n: String!) { repository(namespace: $ns, name: $n) { mirror { externalReference } } }`,
      { ns, n: name },
    );
    assert.equal(denied.body.errors?.[0]?.extensions?.code, "FORBIDDEN");
  });
});
