// Security scanning with real clients: images built by buildah from a Dockerfile (this machine's dpkg status
// and os-release, a real Python dist-info, busybox to run `rm` in a later step) and pushed with buildah and
// podman are scanned; the step that removes the Python package hides it; a second image built FROM the first
// (pulled back from the registry) shares its base layers, which are not read again.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { startTestSystem, type TestSystem } from "../apps/api/test/harness.js";
import { until } from "../apps/api/test/notifications/receivers.js";
import {
  CRYPTOGRAPHY_GHSA,
  ZLIB_CVE,
  distInfo,
  dpkgStanzas,
  writeRecords,
} from "../apps/api/test/scanning/scan-fixtures.js";
import { importOsv } from "../apps/api/src/scanning/feeds/import.js";
import { Clients, haveClients } from "./clients.js";

let sys: TestSystem;
let c: Clients;
const dpkg = dpkgStanzas(["zlib1g", "bash"]);
const py = distInfo("cryptography-");

before(async () => {
  assert.ok(haveClients(), "skopeo, podman and buildah must be installed (.ci/run installs them)");
  sys = await startTestSystem({ FEATURE_SECURITY_SCANNER: "true" });
  c = new Clients(sys.host);
  await importOsv(sys.pool, writeRecords([ZLIB_CVE, CRYPTOGRAPHY_GHSA]));
  await c.login("buildah", "admin", "admin-password");
  await c.login("podman", "admin", "admin-password");
});
after(async () => {
  await c?.cleanup();
  await sys?.stop();
});

const scanned = (digest: string) =>
  until(
    async () => {
      const s = await sys.db.manifestSecurity.findUnique({ where: { digest } });
      return s && s.status !== "queued" && s;
    },
    `the scan of ${digest}`,
    90_000,
  );

async function pushedDigest(ref: string): Promise<string> {
  const raw = await c.skopeo(
    "inspect",
    "--tls-verify=false",
    "--creds",
    "admin:admin-password",
    `docker://${ref}`,
  );
  return JSON.parse(raw).Digest as string;
}

async function packages(digest: string) {
  const s = await scanned(digest);
  assert.equal(s.status, "scanned", s.reason ?? "");
  const vulns = await sys.db.manifestVulnerability.findMany({ where: { digest } });
  const pk = s.packages as { name: string; version: string; addedBy: string }[];
  return {
    names: pk.map((p) => p.name).sort(),
    vulns: vulns.map((v) => `${pk[v.packageIndex]!.name}:${v.vulnerabilityId}`).sort(),
    pk,
  };
}

test("a buildah-built image is scanned; the package a later step removes is not reported", async () => {
  const ctx = path.join(c.dir, "ctx");
  fs.mkdirSync(path.join(ctx, py.dir), { recursive: true });
  fs.copyFileSync("/bin/busybox", path.join(ctx, "busybox"));
  fs.copyFileSync("/etc/os-release", path.join(ctx, "os-release"));
  fs.writeFileSync(path.join(ctx, "status"), dpkg.text);
  fs.writeFileSync(path.join(ctx, py.dir, "METADATA"), py.metadata);
  const site = "/usr/lib/python3/dist-packages";
  fs.writeFileSync(
    path.join(ctx, "Dockerfile"),
    [
      "FROM scratch",
      "COPY busybox /bin/busybox",
      "COPY os-release /etc/os-release",
      "COPY status /var/lib/dpkg/status",
      `COPY ${py.dir} ${site}/${py.dir}`,
      "",
    ].join("\n"),
  );
  await c.buildah("build", "--layers", "--isolation", "chroot", "-t", "localhost/scan-base:1", ctx);
  await c.buildah(
    "push",
    "--tls-verify=false",
    "localhost/scan-base:1",
    `docker://${sys.host}/admin/scan:base`,
  );
  const base = await packages(await pushedDigest(`${sys.host}/admin/scan:base`));
  assert.deepEqual(base.names, ["bash", "cryptography", "zlib1g"]);
  assert.deepEqual(base.vulns, ["cryptography:GHSA-x4qr-2fvf-3mr5", "zlib1g:DEBIAN-CVE-2023-45853"]);
  const baseLayers = await sys.db.layerIndex.findMany();

  // FROM the pushed image, pulled back from the registry: its layers are shared, one more removes the package.
  fs.writeFileSync(
    path.join(ctx, "Dockerfile.derived"),
    [`FROM ${sys.host}/admin/scan:base`, `RUN ["/bin/busybox", "rm", "-rf", "${site}/${py.dir}"]`, ""].join(
      "\n",
    ),
  );
  await c.buildah(
    "build",
    "--layers",
    "--isolation",
    "chroot",
    "--tls-verify=false",
    "--creds",
    "admin:admin-password",
    "-f",
    path.join(ctx, "Dockerfile.derived"),
    "-t",
    "localhost/scan-derived:1",
    ctx,
  );
  await c.podman("push", "--tls-verify=false", "localhost/scan-derived:1", `${sys.host}/admin/scan:derived`);
  const derived = await packages(await pushedDigest(`${sys.host}/admin/scan:derived`));
  assert.deepEqual(derived.names, ["bash", "zlib1g"], "the RUN rm step's whiteout removed cryptography");
  assert.deepEqual(derived.vulns, ["zlib1g:DEBIAN-CVE-2023-45853"]);
  // The shared layers kept their index; only the new one was read.
  const layersAfter = await sys.db.layerIndex.findMany();
  assert.equal(layersAfter.length, baseLayers.length + 1);
  for (const l of baseLayers)
    assert.equal(layersAfter.find((x) => x.digest === l.digest)!.indexedAt.getTime(), l.indexedAt.getTime());
  const zlib = derived.pk.find((p) => p.name === "zlib1g")!;
  assert.equal(zlib.version, dpkg.versions.zlib1g);
  assert.ok(
    baseLayers.some((l) => l.digest === zlib.addedBy),
    "zlib1g was added by a base layer",
  );
});
