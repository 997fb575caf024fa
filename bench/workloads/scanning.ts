// Ours only: the security scanner (issue 18). The issue's targets: "index a 500 MiB image (peak RSS stays
// flat), scans per minute for 100 images sharing a base layer, and a feed import of 100,000 records; push
// throughput is unchanged while scans run".
//
// Layers are real tar+gzip archives written by this file: this machine's /var/lib/dpkg/status and
// /etc/os-release (so the dpkg parser and the matcher do real work), language packages' metadata, and
// random (incompressible) files. Large layers are generated streaming into a temporary file, never held
// in memory. The vulnerability feed is synthetic but valid OSV (Debian:12, PyPI and npm records with
// ECOSYSTEM ranges, a third with a CVSS_V3 vector), one JSON per record in one zip as OSV publishes it;
// a fifth of the Debian records name source packages of the dpkg status above, some of them with a fixed
// version above the installed one, so scans find vulnerabilities.
//
// 1. Feed import (first, into server A, scanner on): `npm run vulndb -- import` (apps/api/dist/scanning/
//    cli.js) as a child process, timed from spawn to exit; its VmHWM (peak RSS) sampled every 50 ms. Then the
//    same zip again (every record unchanged). The zip is imported once more into server B below (a second
//    sample of the first import).
// 2. A large image (500 MiB, quick 50 MiB) into server A: one gzip layer with the dpkg status, os-release and a
//    few big random files. The blobs are pushed, then the manifest; timed from the manifest PUT's 201 to the
//    ManifestSecurity row's scannedAt (polled in the database every 100 ms). The server's VmRSS is sampled
//    every 50 ms: the peak from the manifest PUT to "scanned" minus the median of the second before the PUT.
// 3. 100 images (quick 20) sharing one base layer (the dpkg status, os-release, tens of MiB of random data),
//    each with its own small top layer (an npm package.json, a Python dist-info METADATA, a unique file), into
//    server A: all blobs first, then the 100 manifests at c=8; timed from the first manifest PUT until every
//    manifest is scanned. Asserts one LayerIndex row for the base layer (and one per top layer), indexed
//    before the first scan ended and not again; notes what the server read (rchar of /proc/<pid>/io) during
//    the scans against the base layer's size times the images.
// 4. Push throughput with the scanner on (server B, the feed imported) against off (server C), two fresh
//    servers, rounds alternating after a warm-up round, as the quota and notifications workloads do. Each
//    round pushes N images (layer, config, manifest) at c=8, each with its own small tar.gz layer holding the
//    dpkg status, so each scan indexes and matches for real. On B a round ends only when every image it pushed
//    is scanned, so scans never overlap the next measurement.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { BenchContext } from "../lib/context.js";
import { pushBlob } from "../lib/oci.js";
import { median, runPool } from "../lib/stats.js";
import { ROOT, cpuMs, startOurs, type Ours } from "../lib/systems.js";
import {
  smallLayer,
  fileLayer,
  type OsFiles,
  readOsFiles,
  osEntries,
  pushManifest,
  waitForScans,
  rssSampler,
  rchar,
  sleep,
  withDb,
  NPM_PKG,
  PY_PKG,
  writeFeed,
  type ImportRun,
  runImport,
} from "./scanning-parts.js";

const F = "scanning (ours only)";
const CLI = path.join(ROOT, "apps/api/dist/scanning/cli.js");
const MiB = 2 ** 20;

interface Sizes {
  /** Random bytes in the large image's layer, split over `bigFiles` files. */
  bigImage: number;
  bigFiles: number;
  sharedImages: number;
  /** Random bytes in the shared base layer. */
  baseRandom: number;
  records: number;
  /** Image pushes per round of the push-throughput comparison, and rounds per server. */
  pushes: number;
  rounds: number;
}

const FULL_SIZES: Sizes = {
  bigImage: 500 * MiB,
  bigFiles: 4,
  sharedImages: 100,
  baseRandom: 32 * MiB,
  records: 100_000,
  pushes: 100,
  rounds: 5,
};
const QUICK_SIZES: Sizes = {
  bigImage: 50 * MiB,
  bigFiles: 2,
  sharedImages: 20,
  baseRandom: 8 * MiB,
  records: 10_000,
  pushes: 30,
  rounds: 2,
};

export function scanningAvailable(): boolean {
  return fs.existsSync(CLI);
}

// ---- tar and gzip -------------------------------------------------------------------------------------

export async function securityScanning(ctx: BenchContext): Promise<void> {
  if (!scanningAvailable()) {
    ctx.note("Scanning skipped: the build has no apps/api/dist/scanning (run `npm run build`)");
    return;
  }
  if (spawnSync("sh", ["-c", "command -v zip"]).status !== 0) {
    ctx.note("Scanning skipped: the `zip` CLI is missing (apt-get install -y zip) for the feed import");
    return;
  }
  if (!fs.existsSync("/var/lib/dpkg/status") || !fs.existsSync("/etc/os-release")) {
    ctx.note("Scanning skipped: the layers use this machine's /var/lib/dpkg/status and /etc/os-release");
    return;
  }
  const sizes = ctx.profile.quick ? QUICK_SIZES : FULL_SIZES;
  const os = readOsFiles();
  const dir = fs.mkdtempSync(path.join(ctx.tmpDir, "scanning-"));
  const env = { FEATURE_SECURITY_SCANNER: "true" };
  const a = await startOurs({ env });
  const servers: Ours[] = [a];
  try {
    // ---- 1. the feed import
    const zip = path.join(dir, "all.zip");
    ctx.progress(`scanning: writing ${sizes.records} OSV records into a zip`);
    writeFeed(path.join(dir, "feed"), zip, sizes.records, os);
    const zipMiB = fs.statSync(zip).size / MiB;
    ctx.note(
      `scanning, feed: ${sizes.records} synthetic OSV records in one ${zipMiB.toFixed(0)} MiB zip (one JSON each): 40 % Debian:12, 30 % PyPI, 30 % npm, ECOSYSTEM ranges, a third with a CVSS_V3 vector; ${sizes.records * 0.08} Debian records name source packages of this machine's dpkg status (${os.sources.length} source packages), ${sizes.records * 0.004} of them fixed above the installed version, so images with that status have vulnerabilities. Imported with \`npm run vulndb -- import\` as a child process (its start-up included in the time); peak RSS is its VmHWM, sampled every 50 ms.`,
    );
    const n = sizes.records.toLocaleString("en-US");
    const importRows = (label: string, r: ImportRun, expect: "added" | "unchanged") => {
      if (r[expect] !== sizes.records || r.invalid)
        throw new Error(
          `vulndb import (${label}): ${JSON.stringify(r)}, expected ${sizes.records} ${expect}`,
        );
      ctx.progress(`  ${label}: ${(r.ms / 1000).toFixed(1)} s, peak RSS ${r.peakMiB.toFixed(0)} MiB`);
      ctx.record(
        F,
        { name: `feed import of ${n} records, ${label}: time`, unit: "s", better: "lower" },
        "ours",
        r.ms / 1000,
      );
      ctx.record(
        F,
        { name: `feed import of ${n} records, ${label}: rate`, unit: "records/s", better: "higher" },
        "ours",
        sizes.records / (r.ms / 1000),
      );
      ctx.record(
        F,
        { name: `feed import of ${n} records, ${label}: importer peak RSS`, unit: "MiB", better: "lower" },
        "ours",
        r.peakMiB,
      );
    };
    spawnSync("sync");
    ctx.progress(`scanning: importing the feed (${zipMiB.toFixed(0)} MiB zip) into server A`);
    importRows("first (all new)", await runImport(a, zip, dir), "added");
    spawnSync("sync");
    importRows("again (all unchanged)", await runImport(a, zip, dir), "unchanged");
    const stored = await withDb(
      a,
      async (db) =>
        (
          await db.query<{ n: string; a: string }>(
            `SELECT (SELECT count(*) FROM "Vulnerability") AS n, (SELECT count(*) FROM "VulnerabilityAffected") AS a`,
          )
        ).rows[0]!,
    );
    if (Number(stored.n) !== sizes.records || Number(stored.a) !== sizes.records)
      throw new Error(`after the imports: ${stored.n} records, ${stored.a} affected rows`);
    await sleep(1000); // the re-match the first import queued (no scanned image yet: nothing to do)

    // ---- 2. one large image
    await bigImage(ctx, a, sizes, os, dir);

    // ---- 3. many images sharing a base layer
    await sharedBase(ctx, a, sizes, os, dir);
    await a.stop();
    servers.length = 0;

    // ---- 4. push throughput, scanner on against off
    const on = await startOurs({ env });
    servers.push(on);
    const off = await startOurs({ env: { FEATURE_SECURITY_SCANNER: "false" } });
    servers.push(off);
    ctx.progress("scanning: importing the feed into server B (scanner on) for the push comparison");
    spawnSync("sync");
    importRows("first (all new)", await runImport(on, zip, dir), "added");
    fs.rmSync(zip, { force: true });
    await pushThroughput(ctx, on, off, sizes, os);
  } finally {
    for (const s of servers) await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function bigImage(ctx: BenchContext, t: Ours, sizes: Sizes, os: OsFiles, dir: string): Promise<void> {
  const label = `${(sizes.bigImage / MiB).toFixed(0)} MiB image`;
  const repo = "bench/scan-big";
  const file = path.join(dir, "big.tar.gz");
  ctx.progress(`scanning: writing the ${label}'s layer`);
  const per = Math.floor(sizes.bigImage / sizes.bigFiles);
  const layer = await fileLayer(file, [
    ...osEntries(os),
    ...Array.from({ length: sizes.bigFiles }, (_, i) => ({
      name: `opt/data/blob-${i}.bin`,
      random: i === sizes.bigFiles - 1 ? sizes.bigImage - per * i : per,
    })),
  ]);
  const c = await t.client([repo]);
  const sampler = rssSampler(t.pid);
  try {
    await sleep(1000);
    const idle = sampler.median(Date.now() - 1000, Date.now());
    ctx.progress(`scanning: pushing the ${label} (${(layer.size / MiB).toFixed(0)} MiB gzip)`);
    spawnSync("sync");
    const pushStart = Date.now();
    await pushBlob(c, repo, layer);
    const pushEnd = Date.now();
    await sleep(1500);
    const before = sampler.median(Date.now() - 1000, Date.now());
    const cpu0 = cpuMs(t.pid);
    const put = Date.now();
    const { digest, answeredAt } = await pushManifest(c, repo, "big", [layer]);
    const done = await withDb(t, (db) => waitForScans(db, [digest]));
    const scannedAt = done.get(digest)!.scannedAt;
    const end = Math.max(scannedAt, Date.now());
    sampler.stop();
    const cpu = cpuMs(t.pid) - cpu0;
    const seconds = (scannedAt - answeredAt) / 1000;
    const peak = sampler.peak(put, end);
    const growth = peak - before;
    ctx.progress(
      `  scanned ${seconds.toFixed(1)} s after the 201; RSS ${before.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB (${sampler.count(put, end)} samples); server CPU ${(cpu / 1000).toFixed(1)} s`,
    );
    ctx.record(
      F,
      { name: `index a ${label}: push answer → scanned`, unit: "s", better: "lower" },
      "ours",
      seconds,
    );
    ctx.record(
      F,
      { name: `index a ${label}: layer indexed per second`, unit: "MiB/s", better: "higher" },
      "ours",
      layer.size / MiB / seconds,
    );
    ctx.record(
      F,
      {
        name: `index a ${label}: server peak RSS during the scan − RSS before`,
        unit: "MiB",
        better: "lower",
        limit: { value: 100, text: "< 100 MiB (flat)" },
      },
      "ours",
      growth,
    );
    ctx.record(
      F,
      { name: `index a ${label}: server CPU time of the scan`, unit: "s", better: "lower" },
      "ours",
      cpu / 1000,
    );
    // The report through the REST door (what the console reads): the first request, then 5 more.
    const reportPath = `/repository/${repo}/manifest/${digest}/security?vulnerabilities=true`;
    let t0 = Date.now();
    const report = await t.rest(reportPath);
    const firstMs = Date.now() - t0;
    const again: number[] = [];
    for (let i = 0; i < 5; i++) {
      t0 = Date.now();
      await t.rest(reportPath);
      again.push(Date.now() - t0);
    }
    const features = (report?.data?.Layer?.Features ?? []) as { Vulnerabilities?: unknown[] }[];
    const vulns = features.reduce((s, f) => s + (f.Vulnerabilities?.length ?? 0), 0);
    if (report.status !== "scanned" || !features.length)
      throw new Error(`REST security report: ${JSON.stringify(report).slice(0, 300)}`);
    for (const ms of again)
      ctx.record(
        F,
        {
          name: `security report GET ?vulnerabilities=true (${features.length} packages, after the first)`,
          unit: "ms",
          better: "lower",
        },
        "ours",
        ms,
      );
    ctx.note(
      `scanning, ${label}: the layer is ${(layer.size / MiB).toFixed(0)} MiB gzip (level 1, random data: about its tar size) holding this machine's dpkg status (${os.installed} installed packages), os-release and ${sizes.bigFiles} random files. Pushed in ${((pushEnd - pushStart) / 1000).toFixed(1)} s; server RSS idle ${idle.toFixed(0)} MiB, ${before.toFixed(0)} MiB 1.5 s after the blob push, peak ${peak.toFixed(0)} MiB during the scan (VmHWM at the end ${sampler.samples.at(-1)?.hwm.toFixed(0)} MiB, the push included). The REST report lists ${features.length} packages and ${vulns} vulnerabilities; its first GET took ${firstMs} ms.`,
    );
  } finally {
    sampler.stop();
    fs.rmSync(file, { force: true });
  }
}

async function sharedBase(ctx: BenchContext, t: Ours, sizes: Sizes, os: OsFiles, dir: string): Promise<void> {
  const n = sizes.sharedImages;
  const repo = "bench/scan-shared";
  const file = path.join(dir, "base.tar.gz");
  ctx.progress(`scanning: ${n} images sharing a ${(sizes.baseRandom / MiB).toFixed(0)} MiB base layer`);
  const base = await fileLayer(file, [
    ...osEntries(os),
    { name: "opt/base/assets-0.bin", random: Math.floor(sizes.baseRandom / 2) },
    { name: "opt/base/assets-1.bin", random: sizes.baseRandom - Math.floor(sizes.baseRandom / 2) },
  ]);
  const tops = Array.from({ length: n }, (_, i) =>
    smallLayer([
      {
        name: `app/node_modules/${NPM_PKG}/package.json`,
        data: Buffer.from(JSON.stringify({ name: NPM_PKG, version: `4.17.${i % 22}` })),
      },
      {
        name: `usr/lib/python3/dist-packages/${PY_PKG}-2.${i % 32}.0.dist-info/METADATA`,
        data: Buffer.from(`Metadata-Version: 2.1\nName: ${PY_PKG}\nVersion: 2.${i % 32}.0\n\nbench\n`),
      },
      { name: `app/build-${i}.txt`, data: Buffer.from(`${i} ${crypto.randomUUID()}\n`) },
    ]),
  );
  const c = await t.client([repo]);
  await pushBlob(c, repo, base);
  fs.rmSync(file, { force: true });
  await runPool(tops, 8, (l) => pushBlob(c, repo, l));
  await sleep(500);
  spawnSync("sync");
  const read0 = rchar(t.pid);
  const cpu0 = cpuMs(t.pid);
  const start = Date.now();
  const digests: { digest: string; answeredAt: number }[] = [];
  const puts = await runPool(
    tops.map((top, i) => ({ top, i })),
    8,
    async ({ top, i }) => void digests.push(await pushManifest(c, repo, `v${i}`, [base, top])),
  );
  const done = await withDb(t, (db) =>
    waitForScans(
      db,
      digests.map((d) => d.digest),
    ),
  );
  const read = rchar(t.pid) - read0;
  const cpu = cpuMs(t.pid) - cpu0;
  const times = [...done.values()].map((d) => d.scannedAt).sort((x, y) => x - y);
  const last = times.at(-1)!;
  const minutes = (last - start) / 60_000;
  const rows = await withDb(t, async (db) => {
    const r = await db.query<{ base: string; indexedAt: Date | null; tops: string; matches: string }>(
      `SELECT (SELECT count(*) FROM "LayerIndex" WHERE digest = $1) AS base,
              (SELECT max("indexedAt") FROM "LayerIndex" WHERE digest = $1) AS "indexedAt",
              (SELECT count(*) FROM "LayerIndex" WHERE digest = ANY($2::text[])) AS tops,
              (SELECT count(*) FROM "ManifestVulnerability" WHERE digest = ANY($3::text[])) AS matches`,
      [base.digest, tops.map((l) => l.digest), digests.map((d) => d.digest)],
    );
    return r.rows[0]!;
  });
  if (Number(rows.base) !== 1 || Number(rows.tops) !== n)
    throw new Error(`LayerIndex: ${rows.base} row(s) for the base layer, ${rows.tops} for ${n} top layers`);
  // Indexing again would have updated indexedAt (the upsert's update sets it): it must predate the first
  // scan's end, i.e. the base was indexed by the first scan and never again.
  if (!rows.indexedAt || rows.indexedAt.getTime() > times[0]!)
    throw new Error(
      `the base layer was indexed at ${rows.indexedAt?.toISOString()}, after the first scan ended`,
    );
  ctx.progress(
    `  ${n} scanned ${((last - start) / 1000).toFixed(1)} s after the first manifest PUT (PUTs took ${(puts.wallMs / 1000).toFixed(1)} s); server read ${(read / MiB).toFixed(0)} MiB; base layer ${(base.size / MiB).toFixed(0)} MiB; ${rows.matches} matches`,
  );
  const label = `${n} images sharing a base layer`;
  ctx.record(
    F,
    { name: `${label}: scans per minute`, unit: "scans/min", better: "higher" },
    "ours",
    n / minutes,
  );
  ctx.record(
    F,
    { name: `${label}: first manifest PUT → all scanned`, unit: "s", better: "lower" },
    "ours",
    (last - start) / 1000,
  );
  ctx.record(
    F,
    {
      name: `${label}: LayerIndex rows for the base layer`,
      unit: "rows",
      better: "lower",
      limit: { value: 1.5, text: "= 1" },
    },
    "ours",
    Number(rows.base),
  );
  ctx.record(F, { name: `${label}: server CPU time per scan`, unit: "ms", better: "lower" }, "ours", cpu / n);
  ctx.note(
    `scanning, ${label}: base ${(base.size / MiB).toFixed(1)} MiB (dpkg status, os-release, random files), each top layer an npm package.json, a Python METADATA and a unique file; the first scan (which indexes the base) ended ${((times[0]! - start) / 1000).toFixed(1)} s after the first PUT, the rest every ${((last - times[0]!) / Math.max(1, n - 1)).toFixed(0)} ms on average; server CPU ${(cpu / n).toFixed(0)} ms per scan; ${rows.matches} vulnerability matches stored for the ${n} images; the server read ${(read / MiB).toFixed(1)} MiB while scanning (rchar: files and its PostgreSQL and Redis sockets; reading the base layer once per image would be ${((n * base.size) / MiB).toFixed(0)} MiB), and the base layer's LayerIndex row (one) predates the first scan's end.`,
  );
}

async function pushThroughput(ctx: BenchContext, on: Ours, off: Ours, sizes: Sizes, os: OsFiles) {
  const n = sizes.pushes;
  const servers: [string, Ours][] = [
    ["scanner off", off],
    ["scanner on", on],
  ];
  const figures = new Map<string, number[]>();
  const keep = (key: string, v: number) => figures.set(key, [...(figures.get(key) ?? []), v]);
  for (let round = -1; round < sizes.rounds; round++) {
    for (const [label, t] of round % 2 === 0 ? servers : [...servers].reverse()) {
      const repo = `bench/scan-push-${round + 1}`;
      const c = await t.client([repo]);
      const layers = Array.from({ length: n }, (_, i) =>
        smallLayer([
          ...osEntries(os),
          { name: `app/build-${round}-${i}.txt`, data: Buffer.from(`${crypto.randomUUID()}\n`) },
        ]),
      );
      ctx.progress(`scanning, push round ${round + 1}: ${n} images, ${label}`);
      spawnSync("sync");
      const digests: string[] = [];
      const push = await runPool(
        layers.map((layer, i) => ({ layer, i })),
        8,
        async ({ layer, i }) => {
          await pushBlob(c, repo, layer);
          digests.push((await pushManifest(c, repo, `v${i}`, [layer])).digest);
        },
      );
      const pushEnd = Date.now();
      const rate = n / (push.wallMs / 1000);
      if (t === on) {
        const done = await withDb(t, (db) => waitForScans(db, digests));
        const last = Math.max(...[...done.values()].map((d) => d.scannedAt));
        ctx.progress(
          `  ${rate.toFixed(1)} images/s; all ${n} scanned ${((last - pushEnd) / 1000).toFixed(1)} s after the last push`,
        );
        if (round >= 0)
          ctx.record(
            F,
            { name: `push rounds: last scan after the last push (${n} images)`, unit: "s", better: "lower" },
            "ours",
            (last - pushEnd) / 1000,
          );
      } else ctx.progress(`  ${rate.toFixed(1)} images/s`);
      if (round < 0) continue; // the warm-up round
      keep(label, rate);
      ctx.record(
        F,
        {
          name: `image push (layer with dpkg status, config, manifest), c=8, ${label}`,
          unit: "images/s",
          better: "higher",
        },
        "ours",
        rate,
      );
    }
  }
  ctx.record(
    F,
    {
      name: "image push: scanner on / off (medians)",
      unit: "ratio",
      better: "higher",
      limit: { value: 0.95, text: "≥ 0.95" },
    },
    "ours",
    median(figures.get("scanner on")!) / median(figures.get("scanner off")!),
  );
}
