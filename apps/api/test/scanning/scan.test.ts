// The scanner end to end over real HTTP: images pushed to /v2 are scanned by the workers, Quay's security
// endpoint and GraphQL report what matched (only that: a package removed by a whiteout and a version equal
// to the fix are not reported), a shared base layer is read once, indexes and artifacts get their statuses,
// and a feed import re-matches stored images and announces new vulnerabilities (vulnerability_found).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, test } from "node:test";
import { importOsv } from "../../src/scanning/feeds/import.js";
import { notificationWorld } from "../notifications/fixtures.js";
import { until } from "../notifications/receivers.js";
import { sha } from "../registry-client.js";
import {
  BASH_CVE,
  CRYPTOGRAPHY_GHSA,
  OS_RELEASE,
  ZLIB_CVE,
  distInfo,
  dpkgStanzas,
  gzipLayer,
  opensslCve,
  writeRecords,
} from "./scan-fixtures.js";

// The periodic look for unscanned manifests is left to the backlog test, which calls it itself.
const w = await notificationWorld({
  FEATURE_SECURITY_SCANNER: "true",
  SECURITY_SCANNER_INDEXING_INTERVAL: "3600",
});
const dpkg = dpkgStanzas(["zlib1g", "libssl3", "bash"]);
const crypto = distInfo("cryptography-");
const cryptoPath = `usr/lib/python3/dist-packages/${crypto.dir}`;

/** The base layer: os-release, dpkg status and a Python package. */
const baseLayer = () =>
  gzipLayer([
    { name: "etc/os-release", content: OS_RELEASE },
    { name: "var/lib/dpkg/status", content: dpkg.text },
    { name: `${cryptoPath}/METADATA`, content: crypto.metadata },
  ]);
/** A layer whose whiteout removes the Python package. */
const removal = () => gzipLayer([{ name: `usr/lib/python3/dist-packages/.wh.${crypto.dir}`, content: "" }]);

async function pushLayers(repo: string, tag: string, layers: Buffer[]) {
  const config = JSON.stringify({
    architecture: "amd64",
    os: "linux",
    rootfs: { type: "layers", diff_ids: layers.map(() => sha("x")) },
  });
  const cd = await w.registry.pushBlob(repo, config);
  const descs = [];
  for (const l of layers)
    descs.push({
      mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
      digest: await w.registry.pushBlob(repo, l),
      size: l.length,
    });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: cd, size: config.length },
      layers: descs,
    }),
  );
  const res = await w.registry.putManifest(repo, tag, manifest);
  assert.equal(res.status, 201, await res.text());
  return { digest: sha(manifest), layers: descs.map((d) => d.digest) };
}

const scanned = (digest: string) =>
  until(
    async () => {
      const s = await w.world.sys.db.manifestSecurity.findUnique({ where: { digest } });
      return s && s.status !== "queued" && s;
    },
    `the scan of ${digest}`,
    60_000,
  );

const report = (digest: string, repo = w.repo) =>
  w.owner.rest.expect(200, "GET", `/repository/${repo}/manifest/${digest}/security?vulnerabilities=true`);

before(async () => {
  await w.world.start();
  await importOsv(
    w.world.sys.pool,
    writeRecords([ZLIB_CVE, CRYPTOGRAPHY_GHSA, opensslCve(dpkg.versions.libssl3!)]),
  );
});

describe("scanning on push", () => {
  test("the image's vulnerabilities and only those: whiteouts and versions equal to the fix are not reported", async () => {
    const img = await pushLayers(w.repo, "removed", [await baseLayer(), await removal()]);
    const s = await scanned(img.digest);
    assert.equal(s.status, "scanned", s.reason ?? "");
    const r = await report(img.digest);
    assert.equal(r.status, "scanned");
    const features = r.data.Layer.Features as any[];
    const byName = new Map(features.map((f) => [f.Name, f]));
    assert.deepEqual(
      [...byName.keys()].sort(),
      ["bash", "libssl3", "zlib1g"],
      "the whiteout removed cryptography",
    );
    const zlib = byName.get("zlib1g");
    assert.equal(zlib.Version, dpkg.versions.zlib1g);
    assert.equal(zlib.VersionFormat, "dpkg");
    assert.equal(zlib.NamespaceName, "debian:12");
    assert.equal(zlib.AddedBy, img.layers[0]);
    assert.deepEqual(
      zlib.Vulnerabilities.map((v: any) => [v.Name, v.Severity, v.FixedBy]),
      [["DEBIAN-CVE-2023-45853", "Critical", null]],
    );
    assert.match(zlib.Vulnerabilities[0].Link, /security-tracker\.debian\.org/);
    assert.equal(zlib.Vulnerabilities[0].Metadata.NVD.CVSSv3.Score, 9.8);
    assert.deepEqual(byName.get("libssl3").Vulnerabilities, [], "installed version equals the fix");
    // Without vulnerabilities=true, the features come without them.
    const plain = await w.owner.rest.expect(
      200,
      "GET",
      `/repository/${w.repo}/manifest/${img.digest}/security`,
    );
    assert.equal(plain.data.Layer.Features[0].Vulnerabilities, undefined);
  });

  test("a shared base layer is read once; without the whiteout the Python package is reported", async () => {
    const base = await baseLayer();
    const a = await pushLayers(w.repo, "kept", [base]);
    await scanned(a.digest);
    const indexedAt = (await w.world.sys.db.layerIndex.findUnique({ where: { digest: a.layers[0]! } }))!
      .indexedAt;
    const b = await pushLayers(w.repo, "kept-too", [base, await removal()]);
    await scanned(b.digest);
    const after = (await w.world.sys.db.layerIndex.findUnique({ where: { digest: a.layers[0]! } }))!
      .indexedAt;
    assert.equal(after.getTime(), indexedAt.getTime(), "the base layer was not indexed again");
    const r = await report(a.digest);
    const py = (r.data.Layer.Features as any[]).find((f) => f.Name === "cryptography");
    assert.ok(py, "cryptography is in the image without the whiteout");
    assert.equal(py.Version, crypto.version);
    assert.deepEqual(
      py.Vulnerabilities.map((v: any) => [v.Name, v.Severity, v.FixedBy]),
      [["GHSA-x4qr-2fvf-3mr5", "Medium", "39.0.1"]],
    );
  });

  test("GraphQL: the tag's summary, and the report with its filters", async () => {
    const img = await pushLayers(w.repo, "gql", [await baseLayer()]);
    await scanned(img.digest);
    const [ns, name] = w.repo.split("/");
    const { body: q } = await w.owner.gql.raw(
      `query($ns: String!, $n: String!, $d: String!) { repository(namespace: $ns, name: $n) {
        tag(name: "gql") { securityStatus security { status total fixable highest counts { critical medium } } }
        all: manifestSecurity(digest: $d) { status distribution { id versionId } packages { name } vulnerabilities { id packageName } }
        fixable: manifestSecurity(digest: $d, onlyFixable: true) { vulnerabilities { id fixedBy } }
        text: manifestSecurity(digest: $d, filter: "zlib") { vulnerabilities { id } packages { name } }
      } }`,
      { ns, n: name, d: img.digest },
    );
    assert.equal(q.errors, undefined, JSON.stringify(q.errors));
    const repo = q.data.repository;
    assert.deepEqual(repo.tag.security, {
      status: "scanned",
      total: 2,
      fixable: 1,
      highest: "Critical",
      counts: { critical: 1, medium: 1 },
    });
    assert.equal(repo.tag.securityStatus, "scanned");
    assert.deepEqual(repo.all.distribution, { id: "debian", versionId: "12" });
    assert.equal(repo.all.packages.length, 4);
    assert.deepEqual(
      repo.all.vulnerabilities.map((v: any) => v.id),
      ["DEBIAN-CVE-2023-45853", "GHSA-x4qr-2fvf-3mr5"],
    );
    assert.deepEqual(repo.fixable.vulnerabilities, [{ id: "GHSA-x4qr-2fvf-3mr5", fixedBy: "39.0.1" }]);
    assert.deepEqual(repo.text.vulnerabilities, [{ id: "DEBIAN-CVE-2023-45853" }]);
    assert.deepEqual(repo.text.packages, [{ name: "zlib1g" }]);
  });

  test("an index is unsupported and each of its images is scanned; an artifact is unsupported", async () => {
    const child = await pushLayers(w.repo, "child", [await baseLayer()]);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: child.digest,
            size: 1,
            platform: { os: "linux", architecture: "amd64" },
          },
        ],
      }),
    );
    // The child was pushed by tag above; drop its scan so that only the index's job can bring it back.
    await scanned(child.digest);
    await w.world.sys.db.manifestSecurity.delete({ where: { digest: child.digest } });
    const res = await w.registry.putManifest(
      w.repo,
      "multi",
      index,
      "application/vnd.oci.image.index.v1+json",
    );
    assert.equal(res.status, 201);
    const s = await scanned(sha(index));
    assert.equal(s.status, "unsupported");
    assert.equal((await scanned(child.digest)).status, "scanned", "the index queued its child");
    const helmConfig = '{"name":"chart","version":"0.1.0"}';
    const cd = await w.registry.pushBlob(w.repo, helmConfig);
    const ld = await w.registry.pushBlob(w.repo, "chart bytes");
    const art = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: {
          mediaType: "application/vnd.cncf.helm.config.v1+json",
          digest: cd,
          size: helmConfig.length,
        },
        layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", digest: ld, size: 11 }],
      }),
    );
    assert.equal((await w.registry.putManifest(w.repo, "chart", art)).status, 201);
    const a = await scanned(sha(art));
    assert.equal(a.status, "unsupported");
    assert.match(a.reason!, /application\/vnd\.cncf\.helm\.config\.v1\+json/);
    assert.deepEqual(await report(sha(art)), { status: "unsupported", data: null });
  });

  test("a layer that is not a tar fails the scan with its reason; an unknown manifest is a 404", async () => {
    const img = await pushLayers(w.repo, "broken", [Buffer.from("this is not a tar archive at all")]);
    const s = await scanned(img.digest);
    assert.equal(s.status, "failed");
    assert.ok(s.reason && s.reason.length > 0);
    assert.deepEqual(await report(img.digest), { status: "failed", data: null });
    await w.owner.rest.expect(404, "GET", `/repository/${w.repo}/manifest/sha256:${"0".repeat(64)}/security`);
    await w.owner.rest.expect(404, "GET", `/repository/${w.repo}/manifest/not-a-digest/security`);
  });
});

describe("backlog", () => {
  test("a tagged manifest without a scan is queued once by the periodic look, then scanned", async () => {
    // Content of its own (other tests' images may share a digest with the base layer's).
    const img = await pushLayers(w.repo, "backlog", [
      await gzipLayer([
        { name: "etc/os-release", content: OS_RELEASE },
        { name: "var/lib/dpkg/status", content: dpkg.text },
        { name: "etc/backlog-marker", content: randomUUID() },
      ]),
    ]);
    await scanned(img.digest);
    const pending = () =>
      w.world.sys.db.jobRecord.count({
        where: {
          queue: "scan",
          status: { in: ["queued", "running"] },
          payload: { path: ["digest"], equals: img.digest },
        },
      });
    // The push's job records its outcome just after the scan's own commit.
    await until(async () => (await pending()) === 0, "the push's scan job recorded");
    await w.world.sys.db.manifestSecurity.delete({ where: { digest: img.digest } });
    const jobs = () =>
      w.world.sys.db.jobRecord.count({
        where: { queue: "scan", name: "scan-manifest", payload: { path: ["digest"], equals: img.digest } },
      });
    const first = await w.world.sys.services.scanner.backlog();
    const second = await w.world.sys.services.scanner.backlog();
    assert.ok(first.queued >= 1);
    assert.equal(second.queued, 0, "nothing new to queue");
    assert.equal(await jobs(), 1, "queued once");
    assert.equal((await scanned(img.digest)).status, "scanned");
  });
});

describe("garbage", () => {
  test("the scan of a manifest no repository holds any more is dropped; one still held is kept", async () => {
    const [ns] = w.repo.split("/");
    const other = `${ns}/doomed`;
    // Content of its own (a dpkg status with one more stanza), so no other repository holds the manifest.
    const own = dpkgStanzas(["zlib1g", "bash", "libssl3"]);
    const img = await pushLayers(other, "v1", [
      await gzipLayer([
        { name: "etc/os-release", content: OS_RELEASE },
        { name: "var/lib/dpkg/status", content: own.text },
      ]),
    ]);
    const base = await baseLayer();
    const shared = await pushLayers(other, "shared", [base]);
    await pushLayers(w.repo, "shared", [base]);
    await scanned(img.digest);
    await scanned(shared.digest);
    const admin = await w.world.principal(w.owner.name, w.owner.password);
    await w.world.sys.services.repos.delete(admin, ns!, "doomed", "doomed");
    const swept = await w.world.sys.services.scanner.sweep();
    assert.ok(swept.manifests >= 1);
    assert.equal(await w.world.sys.db.manifestSecurity.count({ where: { digest: img.digest } }), 0);
    assert.equal(await w.world.sys.db.manifestVulnerability.count({ where: { digest: img.digest } }), 0);
    assert.equal(
      await w.world.sys.db.manifestSecurity.count({ where: { digest: shared.digest } }),
      1,
      "the base image is still held by the first repository",
    );
  });
});

describe("re-matching after a feed import", () => {
  test("a new record is matched without reading layers and announced at or above the notification's level", async () => {
    const img = await pushLayers(w.repo, "rematch", [await baseLayer()]);
    await scanned(img.digest);
    const high = w.hook();
    const critical = w.hook();
    await w.create({
      event: "vulnerability_found",
      method: "webhook",
      config: { url: w.receiver.url + high },
      eventConfig: { level: "High" },
    });
    await w.create({
      event: "vulnerability_found",
      method: "webhook",
      config: { url: w.receiver.url + critical },
      eventConfig: { level: "Critical" },
    });
    const layerRows = await w.world.sys.db.layerIndex.findMany({ orderBy: { digest: "asc" } });
    const r = await importOsv(w.world.sys.pool, writeRecords([BASH_CVE]));
    assert.deepEqual(r.changedIds, ["DEBIAN-CVE-2022-3715"]);
    const rematch = await w.world.sys.services.scanner.rematch();
    assert.ok(rematch.newMatches >= 1);
    // One event per image (manifest) and vulnerability, naming the image's tags in the repository.
    const body = await until(
      () =>
        w.receiver
          .on(high)
          .map((r) => r.json)
          .find((b) => b.tags.includes("rematch")),
      "the High notification about the rematch image",
    );
    assert.equal(body.repository, w.repo);
    assert.equal(body.vulnerability.id, "DEBIAN-CVE-2022-3715");
    assert.equal(body.vulnerability.priority, "High");
    assert.equal(body.vulnerability.has_fix, false);
    assert.equal(w.receiver.on(critical).length, 0, "High is below the Critical level");
    const again = await w.world.sys.services.scanner.rematch();
    assert.equal(again.newMatches, 0, "a second re-match finds nothing new");
    assert.deepEqual(
      (await w.world.sys.db.layerIndex.findMany({ orderBy: { digest: "asc" } })).map((l) =>
        l.indexedAt.getTime(),
      ),
      layerRows.map((l) => l.indexedAt.getTime()),
      "no layer was read again",
    );
  });
});
