// Storage quota through Quay's API (seed 001 ch. 14, replayed with its bodies), the usage it reports to the
// byte, and its enforcement on push: DENIED past the Reject limit, one quota_warning per crossing, one
// quota_error per streak of refusals, two pushes that together exceed the limit cannot both commit.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, test } from "node:test";
import { RegistryClient } from "../registry-client.js";
import { assertQuayError, RestWorld } from "./client.js";

const w = RestWorld.forFile({ FEATURE_QUOTA_MANAGEMENT: "true" });
/** `n` bytes of ASCII that no other layer shares. */
const randomText = (n: number) =>
  crypto
    .randomBytes(Math.ceil(n / 2))
    .toString("hex")
    .slice(0, n);
const MiB = 1024 * 1024;

/** An image of exactly `bytes` layer bytes (plus its config), pushed by the owner. */
async function push(client: RegistryClient, repo: string, tag: string, layerBytes: number) {
  const layer = randomText(layerBytes);
  const config = JSON.stringify({
    architecture: "amd64",
    os: "linux",
    tag,
    rootfs: { type: "layers", diff_ids: [] },
  });
  const r = await client.pushImage(repo, tag, { layer, config });
  return { ...r, bytes: layerBytes + Buffer.byteLength(config) };
}

async function orgWithOwner(base: string) {
  const owner = await w.user(`${base}owner`);
  const org = `${base}${crypto.randomBytes(3).toString("hex")}`;
  await owner.rest.post("/organization/", { name: org });
  return { owner, org, registry: new RegistryClient(w.sys, [owner.name, owner.password]) };
}

const quotaJobs = async (name: string, org: string) =>
  (await w.sys.db.jobRecord.findMany({ where: { name } })).filter(
    (j) => (j.payload as { namespace?: string }).namespace === org,
  );

describe("seed 001 §14.4: establishing quota with the API", () => {
  test("no quota, set 10 MiB, view, change to 100 MiB; usage of pushed images in the repository list and the org", async () => {
    const su = await w.as("admin", "admin-password");
    const { owner, org, registry } = await orgWithOwner("testorg");
    const base = `/organization/${org}/quota`;
    assert.deepEqual(await su.get(base), []);
    const created = await su.call("POST", base, { body: { limit_bytes: 10485760 } });
    assert.equal(created.status, 201);
    assert.equal(created.body, "Created");
    const [q] = await su.get(base);
    assert.equal(q.limit_bytes, 10485760);
    assert.equal(q.default_config, false);
    assert.deepEqual(q.limits, []);
    assert.equal(q.default_config_exists, false);
    const changed = await su.put(`${base}/${q.id}`, { limit_bytes: 104857600 });
    assert.deepEqual(
      [changed.id, changed.limit_bytes, changed.default_config, changed.limits, changed.limit],
      [q.id, 104857600, false, [], "100.0 MiB"],
    );

    const ubuntu = await push(registry, `${org}/ubuntu`, "18.04", 3 * MiB);
    const nginx = await push(registry, `${org}/nginx`, "latest", 2 * MiB);
    const { repositories } = await owner.rest.get(
      `/repository?last_modified=true&namespace=${org}&popularity=true&public=true&quota=true`,
    );
    const byName = Object.fromEntries(repositories.map((r: { name: string }) => [r.name, r]));
    assert.deepEqual(byName.ubuntu.quota_report, { quota_bytes: ubuntu.bytes, configured_quota: 104857600 });
    assert.deepEqual(byName.nginx.quota_report, { quota_bytes: nginx.bytes, configured_quota: 104857600 });
    const details = await owner.rest.get(`/organization/${org}`);
    assert.deepEqual(details.quotas, [{ id: q.id, limit_bytes: 104857600, limits: [] }]);
    assert.deepEqual(details.quota_report, {
      quota_bytes: ubuntu.bytes + nginx.bytes,
      configured_quota: 104857600,
    });
  });

  test("§14.4.5: reject and warning limits; a push past Reject is DENIED with the seed's message", async () => {
    const su = await w.as("admin", "admin-password");
    const { org, registry } = await orgWithOwner("limits");
    const base = `/organization/${org}/quota`;
    await su.post(base, { limit_bytes: 10 * MiB });
    const [{ id }] = await su.get(base);
    await su.expect(201, "POST", `${base}/${id}/limit`, { type: "Reject", threshold_percent: 80 });
    await su.expect(201, "POST", `${base}/${id}/limit`, { type: "Warning", threshold_percent: 50 });
    assertQuayError(
      await su.call("POST", `${base}/${id}/limit`, { body: { type: "Reject", threshold_percent: 90 } }),
      400,
      /Only one quota limit of type 'Reject'/,
    );
    const [q] = await su.get(base);
    assert.deepEqual(
      q.limits.map((l: { type: string; limit_percent: number }) => [l.type, l.limit_percent]).sort(),
      [
        ["Reject", 80],
        ["Warning", 50],
      ],
    );

    await push(registry, `${org}/app`, "v1", 4 * MiB); // 40 %: under both
    assert.equal((await quotaJobs("quota_warning", org)).length, 0);
    await push(registry, `${org}/app`, "v2", 2 * MiB); // 60 %: crosses Warning once
    await push(registry, `${org}/app`, "v3", 256 * 1024); // still over Warning: no second event
    const warnings = await quotaJobs("quota_warning", org);
    assert.equal(warnings.length, 1);
    assert.equal((warnings[0]!.payload as { limitBytes: number }).limitBytes, 10 * MiB);

    // 60 % + 3 MiB would pass 80 %: the manifest is refused and nothing of it counts.
    const before = (await w.sys.services.quota.report(await w.principal("admin", "admin-password"), org))
      .usageBytes;
    const manifest = await registry.imageManifest(`${org}/app`, { layer: "x".repeat(3 * MiB) });
    const refused = await registry.putManifest(`${org}/app`, "v4", manifest);
    assert.equal(refused.status, 403);
    const body = (await refused.json()) as { errors: { code: string; message: string }[] };
    assert.deepEqual(
      body.errors.map((e) => [e.code, e.message]),
      [["DENIED", "Quota has been exceeded on namespace"]],
    );
    const after = (await w.sys.services.quota.report(await w.principal("admin", "admin-password"), org))
      .usageBytes;
    assert.equal(after, before);
    assert.equal((await registry.req("GET", `${org}/app`, "/manifests/v4")).status, 404);
    // One quota_error for the streak of refusals.
    await registry.putManifest(`${org}/app`, "v5", manifest);
    assert.equal((await quotaJobs("quota_error", org)).length, 1);

    // Lowering the Reject limit below the usage refuses uploads from their start, as podman shows it.
    await su.put(`${base}/${id}/limit/${q.limits.find((l: { type: string }) => l.type === "Reject").id}`, {
      threshold_percent: 10,
    });
    const start = await registry.req("POST", `${org}/app`, "/blobs/uploads/");
    assert.equal(start.status, 403);
    assert.match(await start.text(), /Quota has been exceeded on namespace/);
  });

  test("deleting tags releases space: at once without a time machine, after garbage collection with one", async () => {
    const su = await w.as("admin", "admin-password");
    const { owner, org, registry } = await orgWithOwner("release");
    await su.post(`/organization/${org}/quota`, { limit_bytes: 10 * MiB });
    const [{ id }] = await su.get(`/organization/${org}/quota`);
    await su.post(`/organization/${org}/quota/${id}/limit`, { type: "Reject", threshold_percent: 100 });
    const usage = async () =>
      (await owner.rest.get(`/organization/${org}`)).quota_report.quota_bytes as number;
    const a = await push(registry, `${org}/app`, "a", 6 * MiB);
    assert.equal(await usage(), a.bytes);
    // The two-week window holds the deleted tag's bytes until GC removes its row after the window.
    await owner.rest.del(`/repository/${org}/app/tag/a`);
    assert.equal(await usage(), a.bytes);
    await owner.rest.put(`/organization/${org}`, { tag_expiration_s: 0 });
    await w.sys.services.gc.collectRepository((await w.sys.services.repos.find(`${org}/app`))!.id);
    assert.equal(await usage(), 0);
    // Without a time machine a delete frees the space in its own transaction.
    const b = await push(registry, `${org}/app`, "b", 6 * MiB);
    assert.equal(await usage(), b.bytes);
    await owner.rest.del(`/repository/${org}/app/tag/b`);
    assert.equal(await usage(), 0);
  });
});

describe("who may do what", () => {
  test("superusers change quotas; members read theirs; others are refused; the user reads their own", async () => {
    const su = await w.as("admin", "admin-password");
    const { owner, org } = await orgWithOwner("perm");
    const outsider = await w.user("outsider");
    assertQuayError(
      await owner.rest.call("POST", `/organization/${org}/quota`, { body: { limit_bytes: MiB } }),
      403,
    );
    await su.post(`/superuser/organization/${org}/quota`, { limit: "2 MiB" });
    const [q] = await owner.rest.get(`/organization/${org}/quota`);
    assert.equal(q.limit_bytes, 2 * MiB);
    assertQuayError(await outsider.rest.call("GET", `/organization/${org}/quota`), 403);
    await su.post(`/superuser/users/${owner.name}/quota`, { limit_bytes: 5 * MiB });
    const [mine] = await owner.rest.get("/user/quota");
    assert.equal(mine.limit_bytes, 5 * MiB);
    assert.deepEqual((await su.get(`/superuser/users/${owner.name}/quota`))[0].limit_bytes, 5 * MiB);
    assertQuayError(
      await su.call("POST", `/organization/${org}/quota`, { body: { limit: "lots" } }),
      400,
      /Invalid limit/,
    );
    assertQuayError(
      await su.call("POST", `/organization/${org}/quota`, { body: { limit_bytes: 1 } }),
      400,
      /already exists/,
    );
    await su.del(`/superuser/organization/${org}/quota/${q.id}`);
    assert.deepEqual(await owner.rest.get(`/organization/${org}/quota`), []);
  });
});

describe("the system default", () => {
  test("applies to namespaces without a quota, changes at once, and comes back when a quota is deleted", async () => {
    const su = await w.as("admin", "admin-password");
    const admin = await w.principal("admin", "admin-password");
    const { owner, org, registry } = await orgWithOwner("deflt");
    await w.sys.services.quota.setSystemDefault(admin, BigInt(MiB));
    try {
      const [d] = await owner.rest.get(`/organization/${org}/quota`);
      assert.deepEqual([d.default_config, d.default_config_exists, d.limit_bytes], [true, true, MiB]);
      assert.deepEqual(
        d.limits.map((l: { type: string; limit_percent: number }) => [l.type, l.limit_percent]),
        [["Reject", 100]],
      );
      const manifest = await registry.imageManifest(`${org}/app`, { layer: "y".repeat(2 * MiB) });
      assert.equal((await registry.putManifest(`${org}/app`, "big", manifest)).status, 403);
      // The namespace's own quota wins; deleting it falls back to the default.
      await su.post(`/organization/${org}/quota`, { limit_bytes: 8 * MiB });
      assert.equal((await registry.putManifest(`${org}/app`, "big", manifest)).status, 201);
      const [own] = await su.get(`/organization/${org}/quota`);
      await su.del(`/organization/${org}/quota/${own.id}`);
      assert.equal((await registry.req("POST", `${org}/app`, "/blobs/uploads/")).status, 403);
      await w.sys.services.quota.setSystemDefault(admin, null);
      assert.equal((await registry.req("POST", `${org}/app`, "/blobs/uploads/")).status, 202);
    } finally {
      await w.sys.services.quota.setSystemDefault(admin, null);
    }
  });
});

describe("concurrency", () => {
  test("two pushes that each fit but together exceed the Reject limit cannot both succeed", async () => {
    const su = await w.as("admin", "admin-password");
    const { org, registry } = await orgWithOwner("race");
    await su.post(`/organization/${org}/quota`, { limit_bytes: 10 * MiB });
    const [{ id }] = await su.get(`/organization/${org}/quota`);
    await su.post(`/organization/${org}/quota/${id}/limit`, { type: "Reject", threshold_percent: 100 });
    for (let round = 0; round < 5; round++) {
      const repos = [`${org}/a${round}`, `${org}/b${round}`];
      const manifests = await Promise.all(
        repos.map((r) => registry.imageManifest(r, { layer: randomText(3 * MiB) })),
      );
      // Each is 3 MiB: with 6 MiB of earlier rounds pushed, two fit in the first round only.
      const results = await Promise.all(repos.map((r, i) => registry.putManifest(r, "v1", manifests[i]!)));
      const ok = results.filter((r) => r.status === 201).length;
      const usage = (await w.sys.services.quota.report(await w.principal("admin", "admin-password"), org))
        .usageBytes;
      assert.ok(usage <= 10n * BigInt(MiB), `round ${round}: ${usage} bytes held, limit ${10 * MiB}`);
      if (round === 0) assert.ok(ok >= 1);
      if (round >= 2) assert.equal(ok, 0, `round ${round}: nothing more fits`);
    }
  });
});
