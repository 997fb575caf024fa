// The layer indexer on language packages: Python metadata from Debian's dist-packages, this repository's
// node_modules, jars built with zip, Go build info (Debian's skopeo and synthetic), Ruby gem specifications.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { indexLayer } from "../../src/scanning/indexer/index.js";
import { GoBuildInfoScanner, goVersionToSemver } from "../../src/scanning/indexer/go.js";
import {
  JSON_GEMSPEC,
  pom,
  RAKE_GEMSPEC,
  zipDir,
  fakeElf,
  fileEntry,
  fileOpener,
  goBuildInfo,
  has,
  sh,
  tempDir,
  writeLayer,
  type Entry,
  index,
  pkgs,
  find,
} from "./indexer-fixtures.js";

const REPO = path.resolve(import.meta.dirname, "../../../..");
const MiB = 1024 * 1024;

// First, while the heap is small, so that RSS growth means what it says.
const normalizePy = (n: string) => n.toLowerCase().replace(/[-_.]+/g, "-");

test("python: real dist-info METADATA and egg-info PKG-INFO, and an egg-info file", async () => {
  const site = "/usr/lib/python3/dist-packages";
  assert.ok(
    fs.existsSync(site),
    "Debian's Python packages (python3-yaml, python3-jwt) (.ci/run installs it)",
  );
  const named = /^(.+?)-(\d[^-]*)\.(dist|egg)-info$/;
  const metaOf = (d: string) => path.join(site, d, d.endsWith(".dist-info") ? "METADATA" : "PKG-INFO");
  const dirs = fs.readdirSync(site).filter((d) => named.test(d) && fs.existsSync(metaOf(d)));
  const dist = dirs.find((d) => d.endsWith(".dist-info"));
  const egg = dirs.find((d) => d.endsWith(".egg-info"));
  assert.ok(
    dist && egg,
    "a dist-info and an egg-info directory (python3-yaml, python3-jwt) (.ci/run installs it)",
  );
  // distutils wrote a plain file (Python 2.7's own wsgiref.egg-info, as it shipped)
  const eggFileText =
    "Metadata-Version: 1.0\nName: wsgiref\nVersion: 0.1.2\nSummary: WSGI (PEP 333) Reference Library\n";
  const base = "usr/lib/python3/dist-packages";
  const idx = await index([
    { name: `${base}/${dist}/METADATA`, data: fs.readFileSync(metaOf(dist)) },
    { name: `${base}/${dist}/RECORD`, data: "x,,\n" },
    { name: `${base}/${egg}/PKG-INFO`, data: fs.readFileSync(metaOf(egg)) },
    { name: "usr/lib/python2.7/wsgiref.egg-info", data: eggFileText },
  ]);
  const all = pkgs(idx);
  assert.equal(all.length, 3);
  for (const [d, p] of [
    [dist, all[0]],
    [egg, all[1]],
  ] as const) {
    const [, name, version] = named.exec(d)!;
    assert.equal(p?.kind, "pypi");
    assert.equal(normalizePy(p!.name), normalizePy(name!));
    assert.equal(p?.version, version);
  }
  assert.equal(all[2]?.path, "usr/lib/python2.7/wsgiref.egg-info");
  assert.match(all[2]!.version, /^\d/);
});

test("npm: the repository's own node_modules package.json files; nested fixtures are not packages", async () => {
  const real = ["semver", "@types/node", "body-parser/node_modules/content-type"].filter((p) =>
    fs.existsSync(path.join(REPO, "node_modules", p, "package.json")),
  );
  assert.ok(real.length >= 2, "node_modules present");
  const entries: Entry[] = real.map((p) => ({
    name: `app/node_modules/${p}/package.json`,
    data: fs.readFileSync(path.join(REPO, "node_modules", p, "package.json")),
  }));
  entries.push(
    {
      name: "app/node_modules/semver/test/fixtures/package.json",
      data: '{"name":"fixture","version":"0.0.1"}',
    },
    { name: "app/node_modules/.package-lock.json", data: '{"name":"app","version":"1.0.0"}' },
    { name: "app/package.json", data: '{"name":"app","version":"1.0.0"}' },
    { name: "app/node_modules/no-version/package.json", data: '{"name":"no-version"}' },
  );
  const idx = await index(entries);
  const all = pkgs(idx);
  for (const p of real) {
    const json = JSON.parse(fs.readFileSync(path.join(REPO, "node_modules", p, "package.json"), "utf8"));
    assert.deepEqual(find(all, "npm", json.name), {
      kind: "npm",
      name: json.name,
      version: json.version,
      path: `app/node_modules/${p}/package.json`,
    });
  }
  assert.equal(all.length, real.length);
  // parsed but without a version: a source with no packages (it still replaces a lower layer's copy)
  assert.deepEqual(idx.sources.at(-1), { path: "app/node_modules/no-version/package.json", packages: [] });
});

test("java: pom.properties in a jar, nested jars (Spring Boot, war) and a jar without Maven metadata", async () => {
  assert.ok(has("zip"), "the zip command (.ci/run installs it)");
  const dir = tempDir();
  try {
    const manifest = "Manifest-Version: 1.0\r\nImplementation-Title: Inner\r\nImplementation-Version: 9\r\n";
    const inner = zipDir(path.join(dir, "i"), path.join(dir, "inner-1.0.0.jar"), {
      "META-INF/MANIFEST.MF": manifest,
      "META-INF/maven/com.example/inner/pom.properties": pom("com.example", "inner", "1.0.0"),
      "META-INF/maven/com.example/inner/pom.xml": "<project/>",
      "com/example/Inner.class": Buffer.from("cafebabe0000003d", "hex"),
    });
    const bare = zipDir(path.join(dir, "b"), path.join(dir, "bare.jar"), {
      "META-INF/MANIFEST.MF": manifest,
    });
    const libs: Record<string, Buffer> = { "BOOT-INF/lib/inner-1.0.0.jar": fs.readFileSync(inner) };
    const boot = zipDir(
      path.join(dir, "o"),
      path.join(dir, "app.jar"),
      { "META-INF/maven/com.example/app/pom.properties": pom("com.example", "app", "2.0.0"), ...libs },
      true, // Spring Boot stores nested jars uncompressed
    );
    const war = zipDir(path.join(dir, "w"), path.join(dir, "shop.war"), {
      "WEB-INF/lib/inner-1.0.0.jar": fs.readFileSync(inner),
      "index.jsp": "<html/>",
    });
    const idx = await index([
      { name: "app/app.jar", data: fs.readFileSync(boot) },
      { name: "opt/tomcat/webapps/shop.war", data: fs.readFileSync(war) },
      { name: "usr/share/java/bare.jar", data: fs.readFileSync(bare) },
    ]);
    const all = pkgs(idx);
    assert.deepEqual(
      all.filter((p) => p.name.startsWith("com.example:")).sort((a, b) => (a.path < b.path ? -1 : 1)),
      [
        { kind: "maven", name: "com.example:app", version: "2.0.0", path: "app/app.jar" },
        {
          kind: "maven",
          name: "com.example:inner",
          version: "1.0.0",
          path: "app/app.jar!BOOT-INF/lib/inner-1.0.0.jar",
        },
        {
          kind: "maven",
          name: "com.example:inner",
          version: "1.0.0",
          path: "opt/tomcat/webapps/shop.war!WEB-INF/lib/inner-1.0.0.jar",
        },
      ],
    );
    assert.deepEqual(idx.sources.at(-1), { path: "usr/share/java/bare.jar", packages: [] });
    assert.deepEqual(idx.warnings, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Go binaries: module lines as the Go linker writes them, including a replaced dependency.
test("go: a dependency replaced by `=>` counts as its replacement; the main module and stdlib are listed", async () => {
  const mod = [
    "path\tk8s.io/kubernetes/cmd/kubectl",
    "mod\tk8s.io/kubernetes\t(devel)\t",
    "dep\tk8s.io/api\tv0.0.0\t",
    "=>\t./staging/src/k8s.io/api\t(devel)\t",
    "dep\tsigs.k8s.io/kustomize/kustomize/v5\tv5.0.4-0.20230601165947-6ce0bf390ce3\th1:abc=",
    "dep\tgolang.org/x/net\tv0.8.0\t",
    "=>\tgolang.org/x/net\tv0.17.0\th1:def=",
    "",
  ].join("\n");
  const size = 2 * MiB;
  const idx = await index([
    { name: "usr/bin/kubectl", size, stream: fakeElf(size, goBuildInfo("go1.20.4", mod), MiB) },
  ]);
  assert.deepEqual(idx.warnings, []);
  assert.deepEqual(
    pkgs(idx)
      .map((p) => `${p.name}@${p.version}`)
      .sort(),
    [
      "./staging/src/k8s.io/api@(devel)",
      "golang.org/x/net@v0.17.0",
      "k8s.io/kubernetes@(devel)",
      "sigs.k8s.io/kustomize/kustomize/v5@v5.0.4-0.20230601165947-6ce0bf390ce3",
      "stdlib@1.20.4",
    ],
  );
});

test("go: Debian's skopeo (GOPATH build, no module list): stdlib matches the Built-Using golang", async () => {
  assert.ok(fs.existsSync("/usr/bin/skopeo") && has("dpkg-query"), "Debian's skopeo (.ci/run installs it)");
  const builtUsing = sh("dpkg-query", ["-W", "-f=${Built-Using}", "skopeo"]);
  const golang = /golang-(\d+\.\d+) \(= (\d+\.\d+(?:\.\d+)?)/.exec(builtUsing);
  assert.ok(golang, `skopeo's Built-Using names its golang: ${builtUsing}`);
  const dir = tempDir();
  try {
    const file = await writeLayer(path.join(dir, "layer.tar"), [
      fileEntry("usr/bin/skopeo", "/usr/bin/skopeo"),
    ]);
    const idx = await indexLayer(fileOpener(file));
    const all = pkgs(idx);
    assert.equal(find(all, "go", "stdlib")?.version, golang[2]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("go: synthetic binaries: old pointer format warns, hard links share packages, small files are skipped", async () => {
  const mod =
    "path\texample.com/cmd/x\nmod\texample.com\t(devel)\t\ndep\tgolang.org/x/net\tv0.17.0\th1:abc=\n";
  const size = 2 * MiB;
  const stream = (blob: Buffer) => fakeElf(size, blob, 1 * MiB + 4096);
  const idx = await index([
    { name: "usr/bin/new", size, stream: stream(goBuildInfo("go1.21.5", mod)) },
    { name: "usr/bin/new-link", hardlink: "usr/bin/new" },
    { name: "usr/bin/old", size, stream: stream(goBuildInfo("go1.16", "", false)) },
    // the magic off a 16-byte boundary is not build info
    { name: "usr/bin/unaligned", size, stream: fakeElf(size, goBuildInfo("go1.21.5", mod), MiB + 4100) },
    { name: "usr/bin/plain", size, stream: fakeElf(size) },
  ]);
  assert.deepEqual(idx.warnings, ["usr/bin/old: Go build info in the pre-Go 1.18 format is not supported"]);
  assert.deepEqual(
    idx.sources.map((s) => s.path),
    ["usr/bin/new", "usr/bin/new-link"],
  );
  assert.deepEqual(idx.sources[0]!.packages, [
    { kind: "go", name: "example.com", version: "(devel)", path: "usr/bin/new" },
    { kind: "go", name: "golang.org/x/net", version: "v0.17.0", path: "usr/bin/new" },
    { kind: "go", name: "stdlib", version: "1.21.5", path: "usr/bin/new" },
  ]);
  assert.equal(idx.sources[1]!.packages[2]?.path, "usr/bin/new-link");
  // the scanner itself, fed a few bytes at a time: the magic and the blob straddle chunk boundaries
  for (const step of [1, 5, 13, 4096]) {
    const file = Buffer.concat([
      Buffer.from("\x7fELF", "latin1"),
      Buffer.alloc(76),
      goBuildInfo("go1.21.5", mod),
    ]);
    const scanner = new GoBuildInfoScanner();
    for (let i = 0; i < file.length; i += step) scanner.push(file.subarray(i, i + step));
    const r = scanner.finish();
    assert.equal(r?.format === "inline" && r.goVersion, "go1.21.5", `step ${step}`);
  }
  assert.equal(goVersionToSemver("go1.22"), "1.22.0");
  assert.equal(goVersionToSemver("go1.21rc2"), "1.21.0-rc.2");
  assert.equal(goVersionToSemver("go1.23.1 X:nocoverageredesign"), "1.23.1");
  assert.equal(goVersionToSemver("go1.22-20231128-RC02 cl/586117301 +6111acc8e6 X:boringcrypto"), "1.22.0");
});

test("rubygems: installed and default gem specifications", async () => {
  const idx = await index([
    { name: "usr/local/bundle/specifications/rake-13.0.6.gemspec", data: RAKE_GEMSPEC },
    { name: "usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec", data: JSON_GEMSPEC },
    { name: "usr/local/bundle/gems/rake-13.0.6/rake.gemspec", data: RAKE_GEMSPEC }, // a gem's own source
  ]);
  assert.deepEqual(pkgs(idx), [
    {
      kind: "rubygems",
      name: "rake",
      version: "13.0.6",
      path: "usr/local/bundle/specifications/rake-13.0.6.gemspec",
    },
    {
      kind: "rubygems",
      name: "json",
      version: "2.6.1",
      path: "usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec",
    },
  ]);
});
