// A sync interrupted by a crash: the real server (apps/api/src/main.ts) syncing from a slow upstream is
// killed with SIGKILL mid-sync and started again. Its claim lapses, the periodic look takes the sync over
// (recorded as interrupted) and runs it again; every tag ends whole and at the upstream's digest.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ChildServer } from "../child-server.js";
import { GqlSession } from "../gql-client.js";
import { until } from "../notifications/receivers.js";
import { registryToken } from "../harness.js";
import { DOCKER_REGISTRY, requireBinaries } from "../remote/upstreams.js";
import { slowRelay, startUpstream, type Upstream } from "./fixtures.js";

const TAGS = ["c1", "c2", "c3", "c4", "c5", "c6"];
let server: ChildServer;
let up: Upstream;
let slow: { host: string; close(): Promise<void> };

before(async () => {
  requireBinaries(DOCKER_REGISTRY, "skopeo");
  up = await startUpstream({ tags: TAGS, layerSizes: [1024 * 1024] });
  slow = await slowRelay(up.reg.host, 8 * 1024);
  // The periodic look every second, so the takeover follows the claim's lapse closely.
  server = await ChildServer.create({ FEATURE_REPO_MIRROR: "true", REPO_MIRROR_INTERVAL: "1" });
  await server.start();
});
after(async () => {
  await server?.destroy();
  await slow?.close();
  await up?.stop();
});

interface Sync {
  id: string;
  status: string;
  error: string | null;
  tagsCopied: number;
}

test("killed mid-sync: the sync is taken over after its claim lapses and completes, tags whole", async () => {
  const gql = await new GqlSession(server).login("admin", "admin-password");
  const run = async (query: string, variables: Record<string, unknown> = {}) => {
    const r = await gql.raw(query, variables);
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    return r.body.data;
  };
  await run(`mutation { createOrganization(name: "crashorg") { name } }`);
  await run(`mutation { createRobot(namespace: "crashorg", name: "syncer") { name } }`);
  await run(`mutation { createRepository(namespace: "crashorg", name: "m", visibility: private) { name } }`);
  await run(
    `mutation($i: RepositoryMirrorInput!) { createRepositoryMirror(repository: "crashorg/m", input: $i) { syncStatus } }`,
    {
      i: {
        externalReference: `${slow.host}/ns/app`,
        tagGlobs: ["c*"],
        robot: "crashorg+syncer",
        syncInterval: 86400,
        syncStartDate: "2099-01-01T00:00:00Z",
        verifyTls: false,
      },
    },
  );
  const syncs = async (): Promise<Sync[]> =>
    (
      await run(
        `{ repository(namespace: "crashorg", name: "m") { mirror { syncs(limit: 10) { id status error tagsCopied } } } }`,
      )
    ).repository.mirror.syncs;
  await run(`mutation { syncMirrorNow(repository: "crashorg/m") { syncStatus } }`);
  // Mid-way: a tag copied (its log line written by the heartbeat), the others still on their way.
  await until(
    async () => {
      const r = await run(
        `{ repository(namespace: "crashorg", name: "m") { mirror { syncs(limit: 1) { status log { message } } } } }`,
      );
      const s = r.repository.mirror.syncs[0];
      return s?.status === "running" && s.log.some((l: { message: string }) => / copied /.test(l.message));
    },
    "the sync to copy a first tag",
    60_000,
  );
  const interrupted = (await syncs())[0]!;
  await server.kill9();
  await server.start();

  const gql2 = await new GqlSession(server).login("admin", "admin-password");
  gql.cookie = gql2.cookie;
  const done = await until(
    async () => {
      const s = (await syncs())[0];
      return s && s.id !== interrupted.id && s.status !== "running" && s;
    },
    "the sync that took over to finish",
    180_000,
  );
  assert.equal(done.status, "success", JSON.stringify(done));
  const old = (await syncs()).find((s) => s.id === interrupted.id)!;
  assert.equal(old.status, "failed");
  assert.match(old.error!, /interrupted/);

  // Every tag at the upstream's digest, with every blob it names.
  const token = await registryToken(
    { url: server.url, host: `127.0.0.1:${server.port}` },
    ["repository:crashorg/m:pull"],
    ["admin", "admin-password"],
  );
  for (const tag of TAGS) {
    const built = up.images[tag]!;
    const m = await fetch(`${server.url}/v2/crashorg/m/manifests/${tag}`, {
      headers: { authorization: `Bearer ${token}`, accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    assert.equal(m.status, 200, tag);
    assert.equal(m.headers.get("docker-content-digest"), built.desc.digest);
    for (const digest of built.blobs.keys()) {
      const b = await fetch(`${server.url}/v2/crashorg/m/blobs/${digest}`, {
        method: "HEAD",
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(b.status, 200, `${tag} ${digest}`);
    }
  }
});
