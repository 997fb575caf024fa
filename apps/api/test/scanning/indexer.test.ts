// The layer indexer on distribution packages: this machine's dpkg status and os-release, an rpmdb.sqlite
// written by rpm itself, a hand-written apk database in its real format; flat memory, combining layers, errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { combineLayers, indexLayer, NotATarError } from "../../src/scanning/indexer/index.js";
import type { LayerIndexData } from "../../src/scanning/types.js";
import {
  ALPINE_OS_RELEASE,
  APK_INSTALLED,
  buildRpmdb,
  status,
  bufferOpener,
  fakeElf,
  fileOpener,
  goBuildInfo,
  has,
  layerBuffer,
  sh,
  tempDir,
  writeLayer,
  index,
  pkgs,
  find,
} from "./indexer-fixtures.js";

const MiB = 1024 * 1024;

// First, while the heap is small, so that RSS growth means what it says.
test("memory stays flat: a 200 MiB executable streams past (build info found at its end)", async (t) => {
  const dir = tempDir();
  try {
    const size = 200 * MiB;
    const mod =
      "path\texample.com/big\nmod\texample.com/big\t(devel)\t\ndep\tgithub.com/pkg/errors\tv0.9.1\th1:x=\n";
    const file = await writeLayer(
      path.join(dir, "big.tar.gz"),
      [
        { name: "var/lib/dpkg/status", data: status(["base-files", "12.4+deb12u5"]) },
        { name: "opt/big/blob.bin", size: 100 * MiB, stream: fakeElf(100 * MiB) }, // no build info
        {
          name: "usr/local/bin/big",
          size,
          stream: fakeElf(size, goBuildInfo("go1.22.1", mod), size - MiB + 64),
        },
      ],
      "gzip",
    );
    const before = process.memoryUsage.rss();
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    let idx: LayerIndexData;
    try {
      idx = await indexLayer(fileOpener(file));
    } finally {
      clearInterval(timer);
    }
    peak = Math.max(peak, process.memoryUsage.rss());
    assert.deepEqual(idx.warnings, []);
    assert.deepEqual(
      pkgs(idx).map((p) => `${p.kind}:${p.name}@${p.version}`),
      [
        "dpkg:base-files@12.4+deb12u5",
        "go:example.com/big@(devel)",
        "go:github.com/pkg/errors@v0.9.1",
        "go:stdlib@1.22.1",
      ],
    );
    t.diagnostic(`RSS grew by ${Math.round((peak - before) / MiB)} MiB`);
    assert.ok(peak - before < 150 * MiB, `RSS grew by ${Math.round((peak - before) / MiB)} MiB`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("dpkg status and os-release of this machine (gzip layer, etc/os-release a symlink)", async () => {
  assert.ok(
    fs.existsSync("/var/lib/dpkg/status") && has("dpkg-query"),
    "a Debian machine: its dpkg status is the data",
  );
  const osRelease = fs.realpathSync("/etc/os-release");
  const layer = await layerBuffer(
    [
      { name: "etc/", dir: true },
      { name: "etc/os-release", symlink: "../usr/lib/os-release" },
      { name: "usr/lib/os-release", data: fs.readFileSync(osRelease) },
      { name: "var/lib/dpkg/status", data: fs.readFileSync("/var/lib/dpkg/status") },
    ],
    "gzip",
  );
  const idx = await indexLayer(bufferOpener(layer));
  // os-release is shell syntax: let the shell read it for the expected values
  const [id, versionId, codename, pretty, idLike] = sh("sh", [
    "-c",
    '. /etc/os-release; printf "%s\\n%s\\n%s\\n%s\\n%s" "$ID" "$VERSION_ID" "$VERSION_CODENAME" "$PRETTY_NAME" "$ID_LIKE"',
  ]).split("\n");
  assert.equal(idx.distribution?.id, id);
  assert.equal(idx.distribution?.versionId, versionId);
  assert.equal(idx.distribution?.versionCodename, codename || undefined);
  assert.equal(idx.distribution?.prettyName, pretty);
  assert.deepEqual(idx.distribution?.idLike, idLike ? idLike.split(" ") : undefined);
  const installed = sh("dpkg-query", ["-W", "-f=${Status}\\n"])
    .split("\n")
    .filter((s) => / ok installed$/.test(s)).length;
  const dpkg = pkgs(idx).filter((p) => p.kind === "dpkg");
  assert.equal(dpkg.length, installed);
  const [version, srcName, srcVersion, arch] = sh("dpkg-query", [
    "-W",
    "-f=${Version}\\n${source:Package}\\n${source:Version}\\n${Architecture}",
    "bash",
  ]).split("\n");
  assert.deepEqual(find(dpkg, "dpkg", "bash"), {
    kind: "dpkg",
    name: "bash",
    version,
    source: { name: srcName, version: srcVersion },
    arch,
    path: "var/lib/dpkg/status",
  });
  assert.deepEqual(
    idx.sources.map((s) => s.path),
    ["var/lib/dpkg/status", "etc/os-release", "usr/lib/os-release"],
  );
  assert.deepEqual(idx.warnings, []);
});

test("dpkg status.d (distroless): one stanza per file, no Status, .md5sums ignored", async () => {
  const stanza = (name: string, version: string, source?: string) =>
    `Package: ${name}\nVersion: ${version}\nArchitecture: amd64\n${source ? `Source: ${source}\n` : ""}` +
    `Maintainer: Debian\nDescription: test\n multi-line\n .\n text\n`;
  const idx = await index([
    { name: "var/lib/dpkg/status.d/libssl3", data: stanza("libssl3", "3.0.15-1~deb12u1", "openssl") },
    { name: "var/lib/dpkg/status.d/libc6", data: stanza("libc6", "2.36-9+deb12u9", "glibc") },
    { name: "var/lib/dpkg/status.d/tzdata", data: stanza("tzdata", "2024a-0+deb12u1") },
    { name: "var/lib/dpkg/status.d/libc6.md5sums", data: "d41d8cd98f00b204e9800998ecf8427e  lib/x\n" },
  ]);
  const all = pkgs(idx);
  assert.equal(all.length, 3);
  assert.deepEqual(find(all, "dpkg", "libssl3")?.source, { name: "openssl", version: "3.0.15-1~deb12u1" });
  assert.deepEqual(find(all, "dpkg", "tzdata")?.source, { name: "tzdata", version: "2024a-0+deb12u1" });
  assert.equal(idx.sources.length, 3);
});

test("os-release: etc wins over usr/lib, absolute symlinks, quoting; a link to a lower layer's file", async () => {
  const ubuntu =
    'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\n' +
    "VERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=jammy\n";
  const rocky =
    'NAME="Rocky Linux"\nID=\'rocky\'\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n# comment\n';
  const both = await index([
    { name: "./usr/lib/os-release", data: ubuntu },
    { name: "./etc/os-release", data: rocky },
  ]);
  assert.deepEqual(both.distribution, {
    id: "rocky",
    versionId: "9.3",
    idLike: ["rhel", "centos", "fedora"],
  });
  const abs = await index([
    { name: "etc/os-release", symlink: "/usr/lib/os-release" },
    { name: "usr/lib/os-release", data: ubuntu },
  ]);
  assert.deepEqual(abs.distribution, {
    id: "ubuntu",
    versionId: "22.04",
    versionCodename: "jammy",
    prettyName: "Ubuntu 22.04.4 LTS",
    idLike: ["debian"],
  });
  // only the link in this layer: nothing read here, the lower layer's file still counts
  const linkOnly = await index([{ name: "etc/os-release", symlink: "../usr/lib/os-release" }]);
  assert.equal(linkOnly.distribution, null);
  assert.deepEqual(linkOnly.sources, []);
  const lower = await index([{ name: "usr/lib/os-release", data: ubuntu }]);
  const img = combineLayers([
    { digest: "1", index: lower },
    { digest: "2", index: linkOnly },
  ]);
  assert.equal(img.distribution?.id, "ubuntu");
  const noId = await index([{ name: "etc/os-release", data: 'NAME="Nothing"\n' }]);
  assert.deepEqual(noId.warnings, ["etc/os-release: no ID field; distribution unknown"]);
});

test("apk installed database (zstd layer)", async () => {
  assert.ok(has("zstd"), "the zstd command (.ci/run installs it)");
  const dir = tempDir();
  try {
    const file = await writeLayer(
      path.join(dir, "layer.tar.zst"),
      [
        { name: "etc/os-release", data: ALPINE_OS_RELEASE },
        { name: "lib/apk/db/installed", data: APK_INSTALLED },
      ],
      "zstd",
    );
    assert.equal(fs.readFileSync(file).readUInt32LE(0), 0xfd2fb528);
    const idx = await indexLayer(fileOpener(file));
    assert.deepEqual(idx.distribution, {
      id: "alpine",
      versionId: "3.19.1",
      prettyName: "Alpine Linux v3.19",
    });
    assert.deepEqual(pkgs(idx), [
      {
        kind: "apk",
        name: "musl",
        version: "1.2.4_git20230717-r4",
        source: { name: "musl", version: "1.2.4_git20230717-r4" },
        arch: "x86_64",
        path: "lib/apk/db/installed",
      },
      {
        kind: "apk",
        name: "libcrypto3",
        version: "3.1.4-r5",
        source: { name: "openssl", version: "3.1.4-r5" },
        arch: "x86_64",
        path: "lib/apk/db/installed",
      },
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("rpm: SQLite rpmdb written by rpm (header blobs decoded), in both locations", async () => {
  assert.ok(has("rpmbuild") && has("rpm"), "rpm and rpmbuild (Debian's rpm package) (.ci/run installs it)");
  const dir = tempDir();
  try {
    const sqlite = buildRpmdb(dir);
    const dbpath = path.dirname(sqlite);
    assert.equal(sh("rpm", ["--eval", "%_db_backend"]).trim(), "sqlite");
    const expected = sh("rpm", ["-qa", "--dbpath", dbpath, "--qf", "%{NAME}|%{EVR}|%{ARCH}|%{SOURCERPM}\\n"])
      .trim()
      .split("\n")
      .map((l) => l.split("|"))
      .sort();
    assert.equal(expected.length, 2);
    for (const where of ["var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"]) {
      const idx = await index([{ name: where, data: fs.readFileSync(sqlite) }]);
      assert.deepEqual(idx.warnings, []);
      const got = pkgs(idx)
        .map((p) => [p.name, p.version, p.arch, `${p.source?.name}-${p.source?.version}.src.rpm`])
        .sort();
      assert.deepEqual(got, expected);
      assert.equal(find(pkgs(idx), "rpm", "hm-hello")?.version, "2:1.2.3-4.hm1");
      assert.deepEqual(find(pkgs(idx), "rpm", "hm-tool")?.source, {
        name: "hm-tool",
        version: "1.2.3-4.hm1",
      });
      assert.equal(pkgs(idx)[0]?.path, where);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("rpm: Berkeley DB and ndb databases are a warning, not silence", async () => {
  const bdb = Buffer.alloc(4096);
  bdb.writeUInt32LE(0x061561, 12); // Berkeley DB hash magic
  const idx = await index([
    { name: "var/lib/rpm/Packages", data: bdb },
    { name: "usr/lib/sysimage/rpm/Packages.db", data: Buffer.alloc(4096) },
  ]);
  assert.deepEqual(idx.warnings, [
    "rpm database in Berkeley DB format (var/lib/rpm/Packages) is not supported",
    "rpm database in ndb format (usr/lib/sysimage/rpm/Packages.db) is not supported",
  ]);
  assert.deepEqual(idx.sources, []);
});

test("combine: a later dpkg status replaces the earlier; kept packages keep the layer that added them", async () => {
  const l1 = await index([
    { name: "etc/os-release", data: 'ID=debian\nVERSION_ID="12"\n' },
    {
      name: "var/lib/dpkg/status",
      data: status(["a", "1"], ["b", "1"], ["old", "1", "deinstall ok config-files"]),
    },
  ]);
  assert.deepEqual(
    pkgs(l1).map((p) => p.name),
    ["a", "b"],
  );
  const l2 = await index([{ name: "var/lib/dpkg/status", data: status(["a", "1"], ["c", "2"]) }]);
  const l3 = await index([{ name: "var/lib/dpkg/status", data: status(["a", "1.1"], ["c", "2"]) }]);
  const img2 = combineLayers([
    { digest: "sha256:1", index: l1 },
    { digest: "sha256:2", index: l2 },
  ]);
  assert.deepEqual(
    img2.packages.map((p) => [p.name, p.version, p.addedBy]),
    [
      ["a", "1", "sha256:1"],
      ["c", "2", "sha256:2"],
    ],
  );
  assert.equal(img2.distribution?.id, "debian");
  const img3 = combineLayers([
    { digest: "sha256:1", index: l1 },
    { digest: "sha256:2", index: l2 },
    { digest: "sha256:3", index: l3 },
  ]);
  assert.deepEqual(
    img3.packages.map((p) => [p.name, p.version, p.addedBy]),
    [
      ["a", "1.1", "sha256:3"], // upgraded: the upgrade's layer
      ["c", "2", "sha256:2"],
    ],
  );
  // an emptied status (all packages purged) still replaces the one below
  const empty = await index([{ name: "var/lib/dpkg/status", data: "" }]);
  assert.deepEqual(empty.sources, [{ path: "var/lib/dpkg/status", packages: [] }]);
  assert.deepEqual(
    combineLayers([
      { digest: "1", index: l1 },
      { digest: "2", index: empty },
    ]).packages,
    [],
  );
});

test("combine: whiteouts remove files (and os-release) of lower layers; opaque directories everything below", async () => {
  const metadata = (n: string, v: string) => `Metadata-Version: 2.1\nName: ${n}\nVersion: ${v}\n\nbody\n`;
  const pj = (n: string, v: string) => JSON.stringify({ name: n, version: v });
  const sp = "usr/lib/python3/dist-packages";
  const l1 = await index([
    { name: "etc/os-release", data: 'ID=ubuntu\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n' },
    { name: `${sp}/requests-2.31.0.dist-info/METADATA`, data: metadata("requests", "2.31.0") },
    { name: `${sp}/urllib3-2.0.7.dist-info/METADATA`, data: metadata("urllib3", "2.0.7") },
    { name: "usr/lib/node_modules/npm/package.json", data: pj("npm", "10.2.4") },
    { name: "usr/lib/node_modules/npm/node_modules/semver/package.json", data: pj("semver", "7.5.4") },
  ]);
  const l2 = await index([
    { name: `${sp}/.wh.requests-2.31.0.dist-info`, data: "" },
    { name: "usr/lib/node_modules/.wh..wh..opq", data: "" },
    { name: "usr/lib/node_modules/corepack/package.json", data: pj("corepack", "0.23.0") },
    { name: "etc/.wh.os-release", data: "" },
  ]);
  assert.deepEqual(l2.whiteouts, [`${sp}/requests-2.31.0.dist-info`, "etc/os-release"]);
  assert.deepEqual(l2.opaque, ["usr/lib/node_modules"]);
  const img = combineLayers([
    { digest: "L1", index: l1 },
    { digest: "L2", index: l2 },
  ]);
  assert.deepEqual(
    img.packages.map((p) => `${p.kind}:${p.name}@${p.version}<${p.addedBy}`),
    ["npm:corepack@0.23.0<L2", "pypi:urllib3@2.0.7<L1"],
  );
  assert.equal(img.distribution, null);
  // a newer os-release wins
  const l3 = await index([{ name: "usr/lib/os-release", data: "ID=ubuntu\nVERSION_ID=24.04\n" }]);
  const img3 = combineLayers([
    { digest: "L1", index: l1 },
    { digest: "L3", index: l3 },
  ]);
  assert.equal(img3.distribution?.versionId, "24.04");
});

test("combine: output sorted by kind, name, version, path; warnings of all layers", async () => {
  const a = await index([
    { name: "b/node_modules/x/package.json", data: '{"name":"x","version":"2.0.0"}' },
    { name: "a/node_modules/x/package.json", data: '{"name":"x","version":"2.0.0"}' },
    { name: "lib/apk/db/installed", data: "P:zlib\nV:1.3-r2\n\nP:busybox\nV:1.36.1-r15\n" },
    { name: "var/lib/rpm/Packages", data: "x" },
  ]);
  const img = combineLayers([{ digest: "A", index: a }]);
  assert.deepEqual(
    img.packages.map((p) => `${p.kind}:${p.name}:${p.path}`),
    [
      "apk:busybox:lib/apk/db/installed",
      "apk:zlib:lib/apk/db/installed",
      "npm:x:a/node_modules/x/package.json",
      "npm:x:b/node_modules/x/package.json",
    ],
  );
  assert.deepEqual(img.warnings, [
    "rpm database in Berkeley DB format (var/lib/rpm/Packages) is not supported",
  ]);
});

test("a file that fails to parse is a warning; the rest of the layer is still read", async () => {
  const idx = await index([
    { name: "app/node_modules/broken/package.json", data: "{not json" },
    { name: "app/lib/broken.jar", data: Buffer.from("PK\x03\x04 this is not a zip", "latin1") },
    { name: "var/lib/rpm/rpmdb.sqlite", data: Buffer.alloc(8192, 7) },
    { name: "var/lib/dpkg/status", data: status(["ok", "1"]) },
  ]);
  assert.deepEqual(
    pkgs(idx).map((p) => p.name),
    ["ok"],
  );
  assert.equal(idx.warnings.length, 3);
  assert.match(idx.warnings[0]!, /^app\/node_modules\/broken\/package\.json: cannot parse as npm: /);
  assert.match(idx.warnings[1]!, /^app\/lib\/broken\.jar: cannot parse as java: /);
  assert.match(idx.warnings[2]!, /^var\/lib\/rpm\/rpmdb\.sqlite: cannot parse as rpm: /);
});

test("a file over maxFileBytes is a warning, not a crash", async () => {
  const big = status(...Array.from({ length: 100 }, (_, i): [string, string] => [`p${i}`, "1"]));
  const idx = await index(
    [
      { name: "var/lib/dpkg/status", data: big },
      { name: "lib/apk/db/installed", data: "P:zlib\nV:1.3-r2\n" },
    ],
    { maxFileBytes: 1024 },
  );
  assert.deepEqual(idx.warnings, [
    `var/lib/dpkg/status: ${big.length} bytes is over the 1024-byte limit; not read`,
  ]);
  assert.deepEqual(
    pkgs(idx).map((p) => p.name),
    ["zlib"],
  );
});

test("a layer that is not a tar throws a clear error", async () => {
  const text = Buffer.from("this is a README, not a layer\n".repeat(50));
  for (const blob of [
    text,
    text.subarray(0, 20),
    zlib.gzipSync(text),
    zlib.gzipSync(Buffer.alloc(0)),
    Buffer.alloc(0),
  ]) {
    await assert.rejects(indexLayer(bufferOpener(blob)), (e: Error) => {
      assert.ok(e instanceof NotATarError, e.message);
      assert.match(e.message, /^layer is not a readable tar archive: /);
      return true;
    });
  }
  // a truncated gzip layer, too
  const layer = await layerBuffer(
    [{ name: "var/lib/dpkg/status", data: status(["a", "1"]).repeat(200) }],
    "gzip",
  );
  await assert.rejects(indexLayer(bufferOpener(layer.subarray(0, layer.length >> 1))), NotATarError);
  // an empty layer (end-of-archive blocks only) is a tar
  assert.deepEqual((await indexLayer(bufferOpener(await layerBuffer([])))).sources, []);
});
