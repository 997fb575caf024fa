// Storage quota with real clients, as seed 001 §14.4.5 shows it: podman pushes into an organization until its
// Reject limit, then gets "denied: Quota has been exceeded on namespace"; crossing the Warning limit on the
// way produces exactly one quota_warning event.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { startTestSystem, type TestSystem } from "../apps/api/test/harness.js";
import { Clients, haveClients } from "./clients.js";

let sys: TestSystem;
let c: Clients;
const ORG = "testorg";
const MiB = 1024 * 1024;

before(async () => {
  assert.ok(haveClients(), "skopeo, podman and buildah must be installed (.ci/run installs them)");
  sys = await startTestSystem({ FEATURE_QUOTA_MANAGEMENT: "true" });
  c = new Clients(sys.host);
  const admin = (await sys.services.accounts.verifyPassword("admin", "admin-password"))!;
  await sys.services.orgs.create(admin, { name: ORG });
  // Seed §14.4.1 and §14.4.5: a quota with a Warning and a Reject limit.
  const quota = await sys.services.quota.create(admin, ORG, BigInt(10 * MiB));
  await sys.services.quota.addLimit(admin, ORG, quota.id, "Warning", 50);
  await sys.services.quota.addLimit(admin, ORG, quota.id, "Reject", 80);
  await c.login("podman", "admin", "admin-password");
});
after(async () => {
  await c?.cleanup();
  await sys?.stop();
});

/** An image of about `mib` MiB of incompressible data (plus busybox), built with buildah. */
async function image(name: string, mib: number): Promise<string> {
  const file = path.join(c.dir, `${name}.bin`);
  fs.writeFileSync(file, crypto.randomBytes(mib * MiB));
  const ctr = (await c.buildah("from", "scratch")).trim();
  await c.buildah("copy", ctr, file, "/data.bin");
  await c.buildah("config", "--os", "linux", "--arch", "amd64", ctr);
  await c.buildah("commit", "-q", ctr, `localhost/${name}:latest`);
  await c.buildah("rm", ctr);
  return `localhost/${name}:latest`;
}

const warnings = async () =>
  (await sys.db.jobRecord.findMany({ where: { name: "quota_warning" } })).filter(
    (j) => (j.payload as { namespace: string }).namespace === ORG,
  );

test("podman pushes until the Reject limit, then is denied with the seed's message; one quota_warning", async () => {
  const admin = (await sys.services.accounts.verifyPassword("admin", "admin-password"))!;
  const usage = async () => (await sys.services.quota.report(admin, ORG)).usageBytes;
  // 3 MiB: 30 %, under both limits.
  await c.podman("push", "--tls-verify=false", await image("one", 3), `${sys.host}/${ORG}/one:latest`);
  assert.equal((await warnings()).length, 0);
  assert.ok((await usage()) > BigInt(3 * MiB));
  // 3 MiB more: about 60 %, past the Warning limit (50 %).
  await c.podman("push", "--tls-verify=false", await image("two", 3), `${sys.host}/${ORG}/two:latest`);
  assert.equal((await warnings()).length, 1);
  // 1 MiB more: about 70 %, still over Warning, under Reject: no second warning.
  await c.podman("push", "--tls-verify=false", await image("three", 1), `${sys.host}/${ORG}/three:latest`);
  assert.equal((await warnings()).length, 1);
  const before = await usage();
  // 2 MiB more would pass 80 %: the manifest is refused (its layer was uploaded while the namespace was under).
  const refused = await c
    .podman("push", "--tls-verify=false", await image("four", 2), `${sys.host}/${ORG}/four:latest`)
    .then(
      () => null,
      (e: Error) => e.message,
    );
  assert.match(refused ?? "", /denied: Quota has been exceeded on namespace/);
  assert.equal(await usage(), before, "the refused push holds nothing");
  // Lowered below the usage, the Reject limit refuses the next push at its first upload, as the seed prints.
  const [reject] = (await sys.db.quotaLimit.findMany({ where: { type: "Reject" } })).filter(Boolean);
  await sys.services.quota.updateLimit(admin, ORG, reject!.quotaId, reject!.id, { percent: 60 });
  const atStart = await c
    .podman("push", "--tls-verify=false", await image("five", 1), `${sys.host}/${ORG}/five:latest`)
    .then(
      () => null,
      (e: Error) => e.message,
    );
  assert.match(atStart ?? "", /initiating layer upload.*denied: Quota has been exceeded on namespace/s);
  assert.equal((await warnings()).length, 1);
  assert.equal(
    (await sys.db.jobRecord.findMany({ where: { name: "quota_error" } })).length,
    1,
    "one quota_error for the streak of refusals",
  );
});
