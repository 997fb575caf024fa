// Syncs from upstreams that ask something of the mirror: CNCF distribution with htpasswd (good and bad
// credentials: a clear error in the sync log and the failed event), with a self-signed certificate (verify_tls
// on fails, off works), through an HTTP proxy (external_registry_config.proxy), and a second instance of our
// own server with token authentication.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RegistryClient } from "../registry-client.js";
import { startTestSystem, watchRepository, type TestSystem } from "../harness.js";
import type { Rest } from "../rest/client.js";
import { countingProxy, type CountingProxy } from "../remote/fakes.js";
import { DOCKER_REGISTRY, requireBinaries } from "../remote/upstreams.js";
import {
  createMirror,
  mirrorWorld,
  newRepo,
  setUp,
  startUpstream,
  syncNow,
  tagsOf,
  type Upstream,
} from "./fixtures.js";

const w = mirrorWorld();
let admin: Rest;
let basic: Upstream;
let tls: Upstream;
let proxy: CountingProxy;
let ours: TestSystem;
const CREDS = { username: "mirror-user", password: "s3cret-pass" };

before(async () => {
  requireBinaries(DOCKER_REGISTRY, "skopeo", "htpasswd", "openssl");
  admin = await setUp(w);
  [basic, tls, proxy, ours] = await Promise.all([
    startUpstream({ htpasswd: CREDS, tags: ["latest", "v1"] }),
    startUpstream({ tls: true, tags: ["latest", "v1"] }),
    countingProxy(),
    startTestSystem({}, { workers: false }),
  ]);
});
after(async () => {
  await Promise.all([basic?.stop(), tls?.stop(), proxy?.close(), ours?.stop()]);
});

describe("credentials (htpasswd)", () => {
  test("good credentials: the sync copies; they are used, never shown", async () => {
    const repo = await newRepo(admin);
    await createMirror(admin, repo, `${basic.reg.host}/ns/app`, ["*"], {
      external_registry_username: CREDS.username,
      external_registry_password: CREDS.password,
    });
    const sync = await syncNow(admin, repo);
    assert.equal(sync.status, "success", JSON.stringify(sync));
    assert.equal(sync.tags_copied, 4); // latest, v1, multi, the signature
    assert.equal((await tagsOf(admin, repo)).v1, basic.images.v1!.desc.digest);
    assert.ok(!JSON.stringify(sync).includes(CREDS.password));
  });

  test("bad credentials: a failed sync with a clear error in its log, the failed event, FAIL with a retry spent", async () => {
    const repo = await newRepo(admin);
    await watchRepository(w.sys, repo, ["repo_mirror_sync_failed"]);
    await createMirror(admin, repo, `${basic.reg.host}/ns/app`, ["*"], {
      external_registry_username: CREDS.username,
      external_registry_password: "wrong",
    });
    const sync = await syncNow(admin, repo);
    assert.equal(sync.status, "failed");
    assert.match(
      sync.error!,
      new RegExp(`authentication to ${basic.reg.host} failed: access refused to mirror-user`),
    );
    assert.match(sync.error!, /check external_registry_username and external_registry_password/);
    assert.ok(sync.logs.some((l) => l.level === "error" && /authentication to .* failed/.test(l.message)));
    assert.deepEqual(await tagsOf(admin, repo), {});
    const view = await admin.get(`/repository/${repo}/mirror`);
    assert.equal(view.sync_status, "FAIL");
    assert.equal(view.sync_retries_remaining, 2);
    const event = (await w.sys.db.jobRecord.findMany({ where: { name: "repo_mirror_sync_failed" } })).find(
      (j) => (j.payload as { repository: string }).repository === repo,
    );
    assert.ok(event, "repo_mirror_sync_failed was emitted");
    const payload = event.payload as { error: string; message: string; namespace: string };
    assert.match(payload.error, /authentication to .* failed: access refused to mirror-user/);
    assert.match(payload.message, /with tag pattern '\*': authentication/);
    const audit = await w.sys.db.auditLog.findFirstOrThrow({
      where: { kind: "repo_mirror_sync_failed", repository: { name: repo.split("/")[1] } },
    });
    assert.equal((audit.metadata as { verb: string }).verb, "end");
  });

  test("no credentials against an upstream that wants them: the error says none were given", async () => {
    const repo = await newRepo(admin);
    await createMirror(admin, repo, `${basic.reg.host}/ns/app`, ["*"]);
    const sync = await syncNow(admin, repo);
    assert.equal(sync.status, "failed");
    assert.match(sync.error!, /it requires credentials and none were given/);
  });
});

describe("verify_tls against a self-signed upstream", () => {
  test("verify_tls true: the sync fails naming TLS verification; false: it copies", async () => {
    const repo = await newRepo(admin);
    await createMirror(admin, repo, `${tls.reg.host}/ns/app`, ["v1"], {
      external_registry_config: { verify_tls: true },
    });
    const refused = await syncNow(admin, repo);
    assert.equal(refused.status, "failed");
    assert.match(refused.error!, /TLS verification of .* failed: .*self[- ]signed/i);
    assert.match(refused.error!, /set verify_tls to false/);
    await admin.put(`/repository/${repo}/mirror`, { external_registry_config: { verify_tls: false } });
    const ok = await syncNow(admin, repo);
    assert.equal(ok.status, "success", JSON.stringify(ok));
    assert.equal((await tagsOf(admin, repo)).v1, tls.images.v1!.desc.digest);
  });
});

describe("external_registry_config.proxy", () => {
  test("the sync's requests go through the configured proxy", async () => {
    const up = await startUpstream({ tags: ["v1"] });
    try {
      const repo = await newRepo(admin);
      await createMirror(admin, repo, `${up.reg.host}/ns/app`, ["v1"], {
        external_registry_config: {
          verify_tls: false,
          proxy: { http_proxy: proxy.url, https_proxy: proxy.url },
        },
      });
      const before = proxy.forwards.length + proxy.connects.length;
      const sync = await syncNow(admin, repo);
      assert.equal(sync.status, "success", JSON.stringify(sync));
      const through = proxy.forwards.slice(before).filter((u) => u.includes(up.reg.host));
      assert.ok(
        through.some((u) => u.includes("/v2/ns/app/tags/list")),
        JSON.stringify(through),
      );
      assert.ok(through.some((u) => u.includes("/blobs/sha256:")));
      // no_proxy sends them straight again.
      await admin.put(`/repository/${repo}/mirror`, {
        external_registry_config: { proxy: { no_proxy: "127.0.0.1" } },
      });
      await up.put("ns/app", "v1", up.content.image());
      const mark = proxy.forwards.length;
      assert.equal((await syncNow(admin, repo)).tags_copied, 1);
      assert.equal(proxy.forwards.slice(mark).filter((u) => u.includes(up.reg.host)).length, 0);
    } finally {
      await up.stop();
    }
  });
});

describe("our own server as the upstream (token authentication)", () => {
  test("a sync through the token flow with a user's credentials, images and an index", async () => {
    const upAdmin = await ours.services.accounts.verifyPassword("admin", "admin-password");
    await ours.services.orgs.create(upAdmin!, { name: "upstream" });
    const client = new RegistryClient(ours, ["admin", "admin-password"]);
    const a = await client.pushImage("upstream/app", "v1");
    const b = await client.pushImage("upstream/app", "v2");
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: a.digest,
            size: a.bytes.length,
            platform: { architecture: "amd64", os: "linux" },
          },
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: b.digest,
            size: b.bytes.length,
            platform: { architecture: "arm64", os: "linux" },
          },
        ],
      }),
    );
    assert.equal(
      (await client.putManifest("upstream/app", "multi", index, "application/vnd.oci.image.index.v1+json"))
        .status,
      201,
    );
    const repo = await newRepo(admin);
    await createMirror(admin, repo, `${ours.host}/upstream/app`, ["*"], {
      external_registry_username: "admin",
      external_registry_password: "admin-password",
    });
    const sync = await syncNow(admin, repo);
    assert.equal(sync.status, "success", JSON.stringify(sync));
    const tags = await tagsOf(admin, repo);
    assert.equal(tags.v1, a.digest);
    assert.equal(tags.v2, b.digest);
    assert.ok(tags.multi?.startsWith("sha256:"));
    // The upstream saw the mirror's pulls under its user.
    const pulls = await ours.db.auditLog.count({ where: { kind: "pull_repo", performer: "admin" } });
    assert.ok(pulls >= 3);
  });
});
