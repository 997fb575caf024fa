// The proxy cache with real clients (seed 001 ch. 15): podman pulls through an organization that caches a
// CNCF distribution (open, behind a counting gate, and with htpasswd), with and without the upstream
// namespace in the path; the second pull asks the upstream for the tag's digest only; concurrent first
// pulls fetch once; the upstream away is answered from the cache; pushes are refused; and the seed's
// auto-pruning procedure (§15.3.1.1) with a quota.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startTestSystem, type TestSystem } from "../apps/api/test/harness.js";
import { startDistribution, type Distribution } from "../apps/api/test/remote/upstreams.js";
import { startGate, type Gate } from "../apps/api/test/proxy/gate.js";
import { tune } from "../apps/api/test/proxy/fixtures.js";
import { Clients, haveClients } from "./clients.js";

let sys: TestSystem;
let dist: Distribution;
let locked: Distribution;
let gate: Gate;
let c: Clients;
const HT = { username: "puller", password: "pull-secret-1" };
const MiB = 1024 * 1024;
const pullers: Clients[] = [];

/** A podman of its own (empty storage), signed in to the cache as the organization's member. */
async function puller(): Promise<Clients> {
  const p = new Clients(sys.host);
  pullers.push(p);
  await p.login("podman", "dev", "dev-password");
  return p;
}
const pull = async (p: Clients, ref: string, ...args: string[]) =>
  (await p.podman("pull", "-q", "--tls-verify=false", ...args, `${sys.host}/${ref}`)).trim();
const idle = () => sys.services.proxyCacheRuntime.idle();

/** An image of `mib` MiB of random data on top of busybox, in c's storage as localhost/<name>. */
async function image(name: string, mib: number): Promise<string> {
  const file = path.join(c.dir, `${name}.bin`);
  fs.writeFileSync(file, crypto.randomBytes(mib * MiB));
  const ctr = (await c.buildah("from", "localhost/bb:amd64")).trim();
  await c.buildah("copy", ctr, file, "/data.bin");
  await c.buildah("commit", "-q", ctr, `localhost/${name}`);
  await c.buildah("rm", ctr);
  return `localhost/${name}`;
}
const upload = (local: string, dest: string, ...args: string[]) =>
  c.skopeo(
    "copy",
    "-q",
    "--dest-tls-verify=false",
    ...args,
    `containers-storage:${local}`,
    `docker://${dest}`,
  );

before(async () => {
  assert.ok(haveClients(), "skopeo, podman and buildah must be installed (.ci/run installs them)");
  [sys, dist, locked] = await Promise.all([
    startTestSystem({ FEATURE_PROXY_CACHE: "true", FEATURE_QUOTA_MANAGEMENT: "true" }),
    startDistribution(),
    startDistribution({ htpasswd: HT }),
  ]);
  tune(sys);
  gate = await startGate(dist.host);
  c = new Clients(sys.host);
  const s = sys.services;
  const admin = (await s.accounts.verifyPassword("admin", "admin-password"))!;
  await s.accounts.createUser({ username: "dev", email: "dev@example.com", password: "dev-password" });
  for (const [org, upstream, creds] of [
    ["cache", gate.host, {}],
    ["hub", `${gate.host}/library`, {}],
    ["private", locked.host, HT],
    ["proxytest", gate.host, {}],
  ] as const) {
    await s.orgs.create(admin, { name: org });
    await s.proxyCache.create(admin, org, { upstreamRegistry: upstream, insecure: true, ...creds });
    await s.teams.create(admin, org, { name: "pullers", role: "member" });
    await s.teams.addMember(admin, org, "pullers", "dev");
  }
  const dev = (await s.accounts.verifyPassword("dev", "dev-password"))!;
  for (const invite of await s.teams.invitationsFor(dev)) await s.teams.acceptInvite(dev, invite.id);
  await c.buildBusybox("amd64");
  await c.buildBusybox("arm64");
  await upload("localhost/bb:amd64", `${dist.host}/library/bb:1.0`);
  await c.buildah("manifest", "create", "localhost/bb-list:multi");
  await c.buildah("manifest", "add", "localhost/bb-list:multi", "containers-storage:localhost/bb:amd64");
  await c.buildah("manifest", "add", "localhost/bb-list:multi", "containers-storage:localhost/bb:arm64");
  await c.buildah(
    "manifest",
    "push",
    "--all",
    "--tls-verify=false",
    "localhost/bb-list:multi",
    `docker://${dist.host}/library/bb:multi`,
  );
  await upload(
    "localhost/bb:amd64",
    `${locked.host}/team/bb:1.0`,
    "--dest-creds",
    `${HT.username}:${HT.password}`,
  );
});
after(async () => {
  for (const p of pullers) await p.cleanup();
  await c?.cleanup();
  await idle().catch(() => {});
  await sys?.stop();
  await gate?.close();
  await Promise.all([dist?.stop(), locked?.stop()]);
});

const upstreamDigest = async (ref: string) =>
  JSON.parse(await c.skopeo("inspect", "--tls-verify=false", `docker://${ref}`)).Digest as string;

describe("podman through the proxy cache", { concurrency: false }, () => {
  test("podman pull <host>/<org>/<namespace>/<image>:<tag> fetches from upstream, once", async () => {
    const p = await puller();
    await pull(p, "cache/library/bb:1.0");
    const cached = JSON.parse(
      await p.skopeo(
        "inspect",
        "--tls-verify=false",
        `docker://${sys.host}/cache/library/bb:1.0`,
        "--creds",
        "dev:dev-password",
      ),
    );
    assert.equal(cached.Digest, await upstreamDigest(`${dist.host}/library/bb:1.0`));
    await idle();
    const blobs = gate.seen.filter((s) => s.method === "GET" && s.path.includes("/blobs/"));
    assert.ok(blobs.length >= 2, "config and layer came from upstream");
    assert.equal(new Set(blobs.map((b) => b.path)).size, blobs.length, "each blob once");
  });

  test("a second podman pull asks the upstream only for the tag's digest", async () => {
    gate.reset();
    await pull(await puller(), "cache/library/bb:1.0");
    assert.deepEqual(gate.content, [{ method: "HEAD", path: "/v2/library/bb/manifests/1.0" }]);
  });

  test("multi-arch: the index and the platform podman asks for", async () => {
    gate.reset();
    const p = await puller();
    await pull(p, "cache/library/bb:multi", "--arch", "arm64");
    const arch = (
      await p.podman(
        "image",
        "inspect",
        "--format",
        "{{.Architecture}}",
        `${sys.host}/cache/library/bb:multi`,
      )
    ).trim();
    assert.equal(arch, "arm64");
    await idle();
    gate.reset();
    await pull(await puller(), "cache/library/bb:multi", "--arch", "arm64");
    assert.deepEqual(gate.content, [{ method: "HEAD", path: "/v2/library/bb/manifests/multi" }]);
  });

  test("a configuration naming the upstream namespace: podman pull <host>/<org>/<image>:<tag>", async () => {
    await pull(await puller(), "hub/bb:1.0");
    assert.ok(gate.seen.some((s) => s.path === "/v2/library/bb/manifests/1.0"));
  });

  test("an upstream with htpasswd, through the organization's credentials", async () => {
    await pull(await puller(), "private/team/bb:1.0");
  });

  test("concurrent first pulls fetch each blob from upstream once", async () => {
    await upload(await image("concurrent", 2), `${dist.host}/library/busy:1`);
    gate.reset();
    const [a, b] = [await puller(), await puller()];
    await Promise.all([pull(a, "cache/library/busy:1"), pull(b, "cache/library/busy:1")]);
    await idle();
    const blobs = gate.seen
      .filter((s) => s.method === "GET" && s.path.includes("/blobs/"))
      .map((s) => s.path);
    assert.ok(blobs.length >= 3);
    assert.equal(new Set(blobs).size, blobs.length, `each blob once: ${blobs.join(" ")}`);
    assert.equal(gate.count("GET", /\/manifests\/1$/), 1);
  });

  test("the upstream away within the staleness period: the cached image is pulled", async () => {
    gate.down();
    try {
      await pull(await puller(), "cache/library/bb:1.0");
    } finally {
      gate.mode = "up";
    }
  });

  test("podman push into a proxy organization is refused; its admin is told why", async () => {
    const p = await puller();
    await pull(p, "cache/library/bb:1.0");
    await p.podman("tag", `${sys.host}/cache/library/bb:1.0`, `${sys.host}/cache/library/mine:1`);
    // A member holds no push anywhere in the organization: the token says so.
    await assert.rejects(
      p.podman("push", "--tls-verify=false", `${sys.host}/cache/library/mine:1`),
      /denied/,
    );
    await p.login("podman", "admin", "admin-password");
    await assert.rejects(
      p.podman("push", "--tls-verify=false", `${sys.host}/cache/library/mine:1`),
      /denied: Cannot push to a proxy cache organization/,
    );
  });

  test("seed §15.3.1.1: with a quota, the least recently used tag is pruned for the new image", async () => {
    for (const [tag, name] of [
      ["3.7.9", "q1"],
      ["3.6.2", "q2"],
      ["3.5.1", "q3"],
    ] as const)
      await upload(await image(name, 1), `${dist.host}/projectquay/quay:${tag}`);
    const s = sys.services;
    const admin = (await s.accounts.verifyPassword("admin", "admin-password"))!;
    // Room for two of these images (one busybox layer they share, and 1 MiB each), not three.
    const q = await s.quota.create(admin, "proxytest", BigInt(Math.round(3.6 * MiB)));
    await s.quota.addLimit(admin, "proxytest", q.id, "Reject", 100);
    const p = await puller();
    for (const tag of ["3.7.9", "3.6.2", "3.5.1"]) {
      await pull(p, `proxytest/projectquay/quay:${tag}`);
      await idle();
    }
    const alive = await sys.db.tag.findMany({
      where: {
        repository: { name: "projectquay/quay", namespace: { name: "proxytest" } },
        OR: [{ lifetimeEnd: null }, { lifetimeEnd: { gt: new Date() } }],
      },
    });
    assert.deepEqual(alive.map((t) => t.name).sort(), ["3.5.1", "3.6.2"]);
  });
});
