// Builds real layer blobs for the indexer tests: tars written with tar-stream (gzip via node:zlib, zstd via
// the zstd command), in memory or streamed to a temp file, and the openers the indexer reads them through.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import tar from "tar-stream";
import type { LayerOpener } from "../../src/content/layer-flatten.js";
import { indexLayer } from "../../src/scanning/indexer/index.js";
import type { FoundPackage, LayerIndexData } from "../../src/scanning/types.js";

export type Entry =
  | { name: string; data: string | Buffer; mode?: number }
  | { name: string; dir: true }
  | { name: string; symlink: string }
  | { name: string; hardlink: string }
  /** Streamed content of a known size (a file on disk, a generated stream). */
  | { name: string; size: number; stream: () => AsyncIterable<Buffer> | Readable; mode?: number };

async function addEntry(pack: tar.Pack, e: Entry): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const cb = (err?: Error | null) => (err ? reject(err) : resolve());
    if ("data" in e) pack.entry({ name: e.name, mode: e.mode ?? 0o644 }, e.data, cb);
    else if ("dir" in e) pack.entry({ name: e.name, type: "directory", mode: 0o755 }, cb);
    else if ("symlink" in e) pack.entry({ name: e.name, type: "symlink", linkname: e.symlink }, cb);
    else if ("hardlink" in e) pack.entry({ name: e.name, type: "link", linkname: e.hardlink }, cb);
    else {
      const sink = pack.entry({ name: e.name, size: e.size, mode: e.mode ?? 0o755 }, cb);
      (async () => {
        for await (const chunk of e.stream()) {
          if (!sink.write(chunk as Buffer)) await new Promise<void>((r) => sink.once("drain", () => r()));
        }
        sink.end(undefined as unknown as Buffer);
      })().catch(reject);
    }
  });
}

function sinkInto(pack: tar.Pack, gzip: boolean, out: Writable): Promise<void> {
  const src = pack as unknown as Readable;
  return gzip ? pipeline(src, zlib.createGzip({ level: 1 }), out) : pipeline(src, out);
}

export type Compression = "none" | "gzip" | "zstd";

/** Writes a layer tar to `file`, streaming (nothing held in memory but the entries given as data). */
export async function writeLayer(file: string, entries: Entry[], compression: Compression = "none") {
  const pack = tar.pack();
  const plain = compression === "zstd" ? `${file}.tar` : file;
  const done = sinkInto(pack, compression === "gzip", fs.createWriteStream(plain));
  for (const e of entries) await addEntry(pack, e);
  pack.finalize();
  await done;
  if (compression === "zstd") {
    execFileSync("zstd", ["-q", "-f", "--rm", plain, "-o", file]);
  }
  return file;
}

/** A small layer tar in memory. */
export async function layerBuffer(entries: Entry[], compression: "none" | "gzip" = "none"): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      chunks.push(c);
      cb();
    },
  });
  const done = sinkInto(pack, compression === "gzip", sink);
  for (const e of entries) await addEntry(pack, e);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Ranges are inclusive, as in layer-flatten's openers (`{ start: 0, end: 3 }` is the first 4 bytes). */
export const bufferOpener =
  (buf: Buffer): LayerOpener =>
  async (range) =>
    Readable.from([range ? buf.subarray(range.start, range.end + 1) : buf]);

export const fileOpener =
  (file: string): LayerOpener =>
  async (range) =>
    fs.createReadStream(file, range ? { start: range.start, end: range.end } : {});

export const fileEntry = (name: string, file: string): Entry => ({
  name,
  size: fs.statSync(file).size,
  stream: () => fs.createReadStream(file, { highWaterMark: 1024 * 1024 }),
});

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "hm-indexer-"));
}

export const has = (cmd: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

export const sh = (cmd: string, args: string[], cwd?: string) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** A Go >= 1.18 build info blob, as the Go linker writes it (cmd/link, debug/buildinfo): header, then the
 *  Go version and the module text (wrapped in runtime/debug's sentinels), each uvarint-length-prefixed. */
export function goBuildInfo(goVersion: string, modinfo: string, inline = true): Buffer {
  const header = Buffer.alloc(32);
  header.write("\xff Go buildinf:", 0, "latin1");
  header[14] = 8; // pointer size
  header[15] = inline ? 2 : 0;
  if (!inline) return header;
  const uvarint = (n: number) => {
    const out: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
    out.push(n);
    return Buffer.from(out);
  };
  const mod = Buffer.concat([
    Buffer.from("3077af0c9274080241e1c107e6d618e6", "hex"),
    Buffer.from(modinfo, "utf8"),
    Buffer.from("f932433186182072008242104116d8f2", "hex"),
  ]);
  const v = Buffer.from(goVersion, "utf8");
  return Buffer.concat([header, uvarint(v.length), v, uvarint(mod.length), mod]);
}

/** A fake ELF file of `size` bytes, streamed in 1 MiB chunks of zeros, with `blob` at the 16-byte-aligned
 *  offset `at` (or none). Nothing but one chunk is held in memory. */
export function fakeElf(size: number, blob?: Buffer, at = 0): () => AsyncIterable<Buffer> {
  return async function* () {
    const CHUNK = 1024 * 1024;
    for (let off = 0; off < size; off += CHUNK) {
      const chunk = Buffer.alloc(Math.min(CHUNK, size - off));
      if (off === 0) chunk.write("\x7fELF\x02\x01\x01", 0, "latin1");
      if (blob && at < off + chunk.length && at + blob.length > off) {
        const target = Math.max(0, at - off);
        const from = Math.max(0, off - at);
        blob.copy(chunk, target, from, Math.min(blob.length, from + chunk.length - target));
      }
      yield chunk;
    }
  };
}

// lib/apk/db/installed as apk writes it (Alpine 3.19), two packages, with file lists
export const APK_INSTALLED = `C:Q1Zp1Nu5LRxOtRRDmaR0z8P8kwPN4=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407164
I:651264
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1705504478
c:3e4bd5b6d6b1b7a16ec5a1f3c7c6b4bb2ad7d8a3
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1H1QFuf3HbKgXLuMnH1y3Vkz3kF4=
R:libc.musl-x86_64.so.1
a:0:0:777
Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=

C:Q1nPGPY84h6vxDLRPCcuUaq6ssJF0=
P:libcrypto3
V:3.1.4-r5
A:x86_64
S:1773456
I:4436360
T:Crypto library from openssl
U:https://www.openssl.org/
L:Apache-2.0
o:openssl
m:Ariadne Conill <ariadne@dereferenced.org>
t:1706103421
c:1d6a08de0ac8b7dcbd2a1ed9b05c9a1f5b0a0ab2
D:so:libc.musl-x86_64.so.1
p:so:libcrypto.so.3=3
F:lib
R:libcrypto.so.3
a:0:0:755
Z:Q1bMkJpmUTfVYdgaiGWcNGa07G8WU=

`;

export const ALPINE_OS_RELEASE = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
PRETTY_NAME="Alpine Linux v3.19"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`;

/** Builds two tiny packages with rpmbuild and records them in a fresh SQLite rpmdb with rpm itself. */
export function buildRpmdb(dir: string): string {
  const top = path.join(dir, "top");
  fs.mkdirSync(path.join(top, "SPECS"), { recursive: true });
  const spec = (name: string, extra: string) =>
    `Name: ${name}\nVersion: 1.2.3\nRelease: 4.hm1\n${extra}Summary: indexer test\nLicense: MIT\n` +
    `%description\nA package without files.\n%files\n`;
  fs.writeFileSync(path.join(top, "SPECS/a.spec"), spec("hm-hello", "Epoch: 2\nBuildArch: noarch\n"));
  fs.writeFileSync(path.join(top, "SPECS/b.spec"), spec("hm-tool", ""));
  for (const s of ["a", "b"]) {
    sh("rpmbuild", ["--define", `_topdir ${top}`, "--quiet", "-bb", path.join(top, `SPECS/${s}.spec`)]);
  }
  const db = path.join(dir, "db");
  fs.mkdirSync(db);
  sh("rpm", ["--initdb", "--dbpath", db]);
  const rpms = fs.readdirSync(path.join(top, "RPMS"), { recursive: true, encoding: "utf8" });
  const files = rpms.filter((f) => f.endsWith(".rpm")).map((f) => path.join(top, "RPMS", f));
  sh("rpm", ["-i", "--justdb", "--nodeps", "--noscripts", "--dbpath", db, ...files]);
  return path.join(db, "rpmdb.sqlite");
}

export const pom = (g: string, a: string, v: string) =>
  `#Generated by Maven\n#Tue Jan 02 10:00:00 UTC 2024\nartifactId=${a}\ngroupId=${g}\nversion=${v}\n`;

/** Writes files under a fresh directory and zips them (`zip`, the Info-ZIP tool); `stored` uncompressed. */
export function zipDir(dir: string, out: string, files: Record<string, string | Buffer>, stored = false) {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [name, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), data);
  }
  sh("zip", ["-q", "-r", ...(stored ? ["-0"] : []), out, "."], dir);
  return out;
}

// specifications/*.gemspec as `gem install` writes them (RubyGems 3.3), and a default gem of Ruby itself
export const RAKE_GEMSPEC = `# -*- encoding: utf-8 -*-
# stub: rake 13.0.6 ruby lib

Gem::Specification.new do |s|
  s.name = "rake".freeze
  s.version = "13.0.6"

  s.required_rubygems_version = Gem::Requirement.new(">= 1.3.2".freeze) if s.respond_to? :required_rubygems_version=
  s.metadata = { "bug_tracker_uri" => "https://github.com/ruby/rake/issues" } if s.respond_to? :metadata=
  s.require_paths = ["lib".freeze]
  s.authors = ["Hiroshi SHIBATA".freeze, "Eric Hodel".freeze, "Jim Weirich".freeze]
  s.bindir = "exe".freeze
  s.date = "2021-07-09"
  s.executables = ["rake".freeze]
  s.homepage = "https://github.com/ruby/rake".freeze
  s.licenses = ["MIT".freeze]
  s.required_ruby_version = Gem::Requirement.new(">= 2.2".freeze)
  s.rubygems_version = "3.3.5".freeze
  s.summary = "Rake is a Make-like program implemented in Ruby".freeze

  s.installed_by_version = "3.3.5" if s.respond_to? :installed_by_version
end
`;
export const JSON_GEMSPEC = `# -*- encoding: utf-8 -*-
# stub: json 2.6.1 ruby lib
# stub: ext/json/ext/generator/extconf.rb ext/json/ext/parser/extconf.rb ext/json/extconf.rb

Gem::Specification.new do |spec|
  spec.name = "json".freeze
  spec.version = Gem::Version.new("2.6.1")
  spec.required_rubygems_version = Gem::Requirement.new(">= 0".freeze) if spec.respond_to? :required_rubygems_version=
end
`;

/** A dpkg status file with these packages. */
export const status = (...p: [name: string, version: string, state?: string][]) =>
  p
    .map(
      ([n, v, s = "install ok installed"]) =>
        `Package: ${n}\nStatus: ${s}\nPriority: optional\nArchitecture: amd64\nVersion: ${v}\nDescription: ${n}\n`,
    )
    .join("\n");

/** Indexes a layer made of these entries. */
export const index = async (entries: Entry[], opts?: { maxFileBytes?: number }) =>
  indexLayer(bufferOpener(await layerBuffer(entries)), opts);
/** Every package of a layer index. */
export const pkgs = (l: LayerIndexData) => l.sources.flatMap((s) => s.packages);
export const find = (list: FoundPackage[], kind: string, name: string) =>
  list.find((p) => p.kind === kind && p.name === name);
