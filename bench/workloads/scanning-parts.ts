// The scanning workload's parts: layer tars written by hand (streamed for the large ones), the dpkg status and
// os-release they carry, a synthetic OSV feed, the import command, and waiting on and sampling the server.
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import pg from "pg";
import { OCI_MANIFEST, putManifest, putSmallBlob, sha256, type Blob } from "../lib/oci.js";
import { median } from "../lib/stats.js";
import { ROOT, rss, type Ours } from "../lib/systems.js";
import type { HttpClient } from "../lib/http.js";

const CLI = path.join(ROOT, "apps/api/dist/scanning/cli.js");
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
const MiB = 2 ** 20;
const SCAN_TIMEOUT_MS = 600_000;

export const MTIME = Math.floor(Date.UTC(2026, 11, 1) / 1000);

/** A ustar header for a regular file (names up to 100 bytes). */
export function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) => void h.write(s, off, len, "utf8");
  const oct = (n: number, off: number, len: number) =>
    put(`${n.toString(8).padStart(len - 1, "0")}\0`, off, len);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  put(name, 0, 100);
  oct(0o644, 100, 8);
  oct(0, 108, 8);
  oct(0, 116, 8);
  oct(size, 124, 12);
  oct(MTIME, 136, 12);
  h.fill(0x20, 148, 156); // the checksum field counts as spaces
  put("0", 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  put("root", 265, 32);
  put("root", 297, 32);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return h;
}
export const tarPad = (size: number) => Buffer.alloc((512 - (size % 512)) % 512);
export const TAR_END = Buffer.alloc(1024);

export type Entry = { name: string; data: Buffer } | { name: string; random: number };

export interface Layer extends Blob {
  /** The uncompressed tar's digest (the config's rootfs.diff_ids). */
  diffId: string;
}

/** A small layer, built in memory. */
export function smallLayer(entries: { name: string; data: Buffer }[]): Layer {
  const tar = Buffer.concat([
    ...entries.flatMap((e) => [tarHeader(e.name, e.data.length), e.data, tarPad(e.data.length)]),
    TAR_END,
  ]);
  const body = zlib.gzipSync(tar, { level: 1 });
  return { digest: sha256(body), size: body.length, body, diffId: sha256(tar) };
}

/** A layer written to `file` as it is generated (gzip level 1), hashed on the way; never in memory. */
export async function fileLayer(file: string, entries: Entry[]): Promise<Layer> {
  const gzip = zlib.createGzip({ level: 1, chunkSize: 256 * 1024 });
  const blobHash = crypto.createHash("sha256");
  const tarHash = crypto.createHash("sha256");
  let size = 0;
  const written = pipeline(
    gzip,
    new Transform({
      transform(c: Buffer, _e, cb) {
        blobHash.update(c);
        size += c.length;
        cb(null, c);
      },
    }),
    fs.createWriteStream(file),
  );
  let failed: unknown;
  written.catch((e) => (failed = e));
  const write = async (b: Buffer) => {
    if (failed) throw failed;
    tarHash.update(b);
    if (!gzip.write(b)) await once(gzip, "drain");
  };
  for (const e of entries) {
    const n = "data" in e ? e.data.length : e.random;
    await write(tarHeader(e.name, n));
    if ("data" in e) await write(e.data);
    else
      for (let done = 0; done < n;) {
        const k = Math.min(MiB, n - done);
        await write(crypto.randomBytes(k)); // a fresh buffer each time: zlib holds it until compressed
        done += k;
      }
    await write(tarPad(n));
  }
  await write(TAR_END);
  gzip.end();
  await written;
  return {
    digest: `sha256:${blobHash.digest("hex")}`,
    size,
    diffId: `sha256:${tarHash.digest("hex")}`,
    body: () => fs.createReadStream(file, { highWaterMark: MiB }),
  };
}

// ---- images -------------------------------------------------------------------------------------------

export interface OsFiles {
  dpkgStatus: Buffer;
  osRelease: Buffer;
  /** The installed packages' source names and versions (what Debian's advisories name). */
  sources: { name: string; version: string }[];
  installed: number;
}

export function readOsFiles(): OsFiles {
  const dpkgStatus = fs.readFileSync("/var/lib/dpkg/status");
  const osRelease = fs.readFileSync("/etc/os-release"); // a symlink to usr/lib/os-release: its content
  const sources = new Map<string, string>();
  let installed = 0;
  for (const stanza of dpkgStatus.toString("utf8").split(/\n\n+/)) {
    const field = (k: string) => new RegExp(`^${k}: *(.*)$`, "mi").exec(stanza)?.[1]?.trim();
    const name = field("Package");
    const version = field("Version");
    if (!name || !version || !/ ok installed$/.test(field("Status") ?? "")) continue;
    installed++;
    const src = /^(\S+)(?:\s+\((.+)\))?$/.exec(field("Source") ?? "");
    sources.set(src?.[1] ?? name, src?.[2] ?? version);
  }
  return {
    dpkgStatus,
    osRelease,
    sources: [...sources].map(([name, version]) => ({ name, version })),
    installed,
  };
}

export const osEntries = (os: OsFiles) => [
  { name: "var/lib/dpkg/status", data: os.dpkgStatus },
  { name: "etc/os-release", data: os.osRelease },
];

/** Pushes the config and the manifest of an image whose layers are already pushed; returns its digest and
 *  when the manifest PUT was answered (Date.now()). */
export async function pushManifest(
  c: HttpClient,
  repo: string,
  tag: string,
  layers: Layer[],
): Promise<{ digest: string; answeredAt: number }> {
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] },
      rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
    }),
  );
  const cfg = await putSmallBlob(c, repo, config);
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: cfg.digest, size: cfg.size },
      layers: layers.map((l) => ({ mediaType: OCI_LAYER, digest: l.digest, size: l.size })),
    }),
  );
  await putManifest(c, repo, tag, bytes);
  return { digest: sha256(bytes), answeredAt: Date.now() };
}

// ---- the server: scans, RSS, reads -----------------------------------------------------------------------

export interface ScanDone {
  status: string;
  reason: string | null;
  /** ManifestSecurity.scannedAt (set by the server at the end of the scan), ms since the epoch. */
  scannedAt: number;
}

/** Polls ManifestSecurity until every digest has left "queued" (or is absent); throws on a failed scan. */
export async function waitForScans(db: pg.Client, digests: string[], timeoutMs = SCAN_TIMEOUT_MS) {
  const done = new Map<string, ScanDone>();
  const deadline = Date.now() + timeoutMs;
  while (done.size < digests.length) {
    const left = digests.filter((d) => !done.has(d));
    const r = await db.query<{
      digest: string;
      status: string;
      reason: string | null;
      scannedAt: Date | null;
    }>(
      `SELECT digest, status, reason, "scannedAt" FROM "ManifestSecurity"
       WHERE digest = ANY($1::text[]) AND status <> 'queued'`,
      [left],
    );
    for (const row of r.rows) {
      if (row.status !== "scanned")
        throw new Error(`scan of ${row.digest.slice(0, 19)}… ended "${row.status}": ${row.reason}`);
      done.set(row.digest, { status: row.status, reason: row.reason, scannedAt: row.scannedAt!.getTime() });
    }
    if (done.size === digests.length) break;
    if (Date.now() > deadline)
      throw new Error(
        `${digests.length - done.size} of ${digests.length} scans unfinished after ${timeoutMs} ms`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
  return done;
}

/** Samples a process's VmRSS (and VmHWM) every `everyMs`. */
export function rssSampler(pid: number, everyMs = 50) {
  const samples: { t: number; rss: number; hwm: number }[] = [];
  const take = () => {
    const r = rss(pid);
    if (r) samples.push({ t: Date.now(), rss: r.rssMiB, hwm: r.hwmMiB });
  };
  take();
  const timer = setInterval(take, everyMs);
  const within = (from: number, to: number) => samples.filter((s) => s.t >= from && s.t <= to);
  return {
    samples,
    stop: () => (clearInterval(timer), take()),
    peak: (from: number, to: number) => Math.max(...within(from, to).map((s) => s.rss)),
    median: (from: number, to: number) => median(within(from, to).map((s) => s.rss)),
    count: (from: number, to: number) => within(from, to).length,
  };
}

/** Bytes the process has read through read(2)-like calls so far (files, sockets, pipes). */
export function rchar(pid: number): number {
  try {
    return Number(/^rchar:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function withDb<T>(t: Ours, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: t.dbUrl });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

// ---- the feed ---------------------------------------------------------------------------------------------

export const CVSS = [
  "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
  "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N",
  "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H",
  "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:L/A:N",
];
export const URGENCY = ["unimportant", "low", "medium", "high", "not yet assigned"];

/** OSV records for the bench: which names they use, and so what the images match. */
export const NPM_PKG = "lodash";
export const NPM_FIXED = "4.17.12";
export const PY_PKG = "requests";
export const PY_FIXED = "2.20.0";

/** Writes `count` OSV records, one file each, and zips them (the `zip` CLI) into `zipPath`. */
export function writeFeed(dir: string, zipPath: string, count: number, os: OsFiles): void {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const kind = i % 10 < 4 ? "debian" : i % 10 < 7 ? "pypi" : "npm";
    const k = Math.floor(i / 10);
    const cve = `CVE-2026-${String(100_000 + i)}`;
    let id: string;
    let affected: object;
    if (kind === "debian") {
      id = `DEBIAN-${cve}`;
      // A fifth name a package of this image; of those, one in 20 is fixed above the installed version.
      const real = k % 5 === 0 ? os.sources[(k / 5) % os.sources.length]! : null;
      const fixed = real ? (k % 100 === 0 ? `${real.version}+bench1` : "0.0.1-1") : `1.${k % 50}.0-1`;
      affected = {
        package: {
          ecosystem: "Debian:12",
          name: real?.name ?? `libbench${k % 4000}`,
          purl: "pkg:deb/debian/x",
        },
        ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }],
        ecosystem_specific: { urgency: URGENCY[k % URGENCY.length] },
      };
    } else {
      const eco = kind === "pypi" ? "PyPI" : "npm";
      id =
        kind === "pypi"
          ? `PYSEC-2026-${100_000 + i}`
          : `GHSA-bnch-${String(i).padStart(4, "0").slice(-4)}-${i}`;
      const named = k % 1000 === 0; // a few records on the images' own packages
      const name = named ? (kind === "pypi" ? PY_PKG : NPM_PKG) : `bench-${kind}-${k % 5000}`;
      const fixed = named ? (kind === "pypi" ? PY_FIXED : NPM_FIXED) : `${1 + (k % 7)}.${k % 13}.0`;
      affected = {
        package: { ecosystem: eco, name },
        ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }],
      };
    }
    const record = {
      schema_version: "1.6.0",
      id,
      modified: "2026-11-01T00:00:00Z",
      published: "2026-10-01T00:00:00Z",
      aliases: kind === "debian" ? [] : [cve],
      upstream: kind === "debian" ? [cve] : undefined,
      summary: `synthetic ${kind} record ${i}`,
      details: `A synthetic vulnerability record written by the bench (record ${i} of ${count}).`,
      severity: i % 3 === 0 ? [{ type: "CVSS_V3", score: CVSS[k % CVSS.length] }] : undefined,
      affected: [affected],
      references: [{ type: "ADVISORY", url: `https://example.invalid/advisories/${id}` }],
    };
    fs.writeFileSync(path.join(dir, `${id}.json`), JSON.stringify(record));
  }
  const r = spawnSync("zip", ["-q", "-1", "-r", "-D", zipPath, "."], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`zip failed (${r.status}): ${r.stderr || r.error}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

export interface ImportRun {
  ms: number;
  peakMiB: number;
  added: number;
  unchanged: number;
  invalid: number;
}

/** Runs `npm run vulndb -- import ZIP` against a server's database, timed, with its peak RSS. */
export async function runImport(t: Ours, zipPath: string, cwd: string): Promise<ImportRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, "import", zipPath], {
    cwd, // no config.yaml here: the environment alone
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      DATABASE_URL: t.dbUrl,
      REDIS_URL: t.redisUrl,
      REDIS_PREFIX: t.redisPrefix,
      LOG_LEVEL: "warn",
    },
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  let peak = 0;
  // VmHWM is the peak so far; a process already exiting has none (NaN), so keep the last one seen.
  const timer = setInterval(() => {
    const hwm = rss(child.pid!)?.hwmMiB;
    if (hwm !== undefined && Number.isFinite(hwm)) peak = Math.max(peak, hwm);
  }, 50);
  const [code] = (await once(child, "exit")) as [number | null];
  clearInterval(timer);
  const ms = Date.now() - started;
  if (code !== 0) throw new Error(`vulndb import exited ${code}:\n${out.slice(-2000)}`);
  const m =
    /import .*: (\d+) added, (\d+) updated, (\d+) unchanged, (\d+) withdrawn, (\d+) removed, (\d+) invalid/.exec(
      out,
    );
  if (!m) throw new Error(`vulndb import printed no summary:\n${out.slice(-2000)}`);
  return { ms, peakMiB: peak, added: Number(m[1]), unchanged: Number(m[3]), invalid: Number(m[6]) };
}

// ---- the workload -----------------------------------------------------------------------------------------
