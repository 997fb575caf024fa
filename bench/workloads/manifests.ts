// Manifest PUT (many small images, concurrency 8) and manifest GET by tag under wrk at concurrency 32.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { BenchContext } from "../lib/context.js";
import type { Target } from "../lib/systems.js";
import crypto from "node:crypto";
import {
  MANIFEST_ACCEPT,
  manifestFor,
  pushBlob,
  pushImageParts,
  putManifest,
  randomBlob,
  type ImageParts,
} from "../lib/oci.js";
import { median, p99, runPool } from "../lib/stats.js";

const REPO = "bench/manifests";
const F = "manifests";

const SPREAD = Array.from({ length: 8 }, (_, i) => `bench/manifests-${i}`);

/** A config and a layer in the manifests repositories of each target. */
export async function manifestSetup(ctx: BenchContext): Promise<Map<string, ImageParts>> {
  const parts = new Map<string, ImageParts>();
  for (const t of ctx.targets) {
    const c = await t.client([REPO, ...SPREAD]);
    for (const repo of [REPO, ...SPREAD]) parts.set(`${t.name} ${repo}`, await pushImageParts(c, repo));
  }
  return parts;
}

/** The three rows of a manifest PUT run: throughput, p50 and p99, named "PUT<what><where>". */
function recordPuts(
  ctx: BenchContext,
  target: Target["name"],
  where: string,
  n: number,
  r: { latencies: number[]; wallMs: number },
): void {
  const row = (what: string, unit: string, better: "higher" | "lower") => ({
    name: `PUT${what}${where}`,
    unit,
    better,
  });
  ctx.record(F, row("", "manifests/s", "higher"), target, n / (r.wallMs / 1000));
  ctx.record(F, row(" p50", "ms", "lower"), target, median(r.latencies));
  ctx.record(F, row(" p99", "ms", "lower"), target, p99(r.latencies));
}

/**
 * New images (one manifest each, distinct by an annotation) PUT by tag at concurrency 8: all into one
 * repository (ours serialises tag changes per repository), and spread over 8 repositories.
 */
export async function manifestPuts(ctx: BenchContext, parts: Map<string, ImageParts>): Promise<void> {
  const n = ctx.profile.manifestPuts;
  for (const spread of [false, true]) {
    const where = spread ? "8 repos" : "1 repo";
    await ctx.alternate(
      ctx.profile.rounds,
      async (t, round) => {
        ctx.progress(`manifest PUT ×${n} into ${where}, round ${round + 1}: ${t.name}`);
        const c = await t.client([REPO, ...SPREAD]);
        const items = Array.from({ length: n }, (_, i) => {
          const repo = spread ? SPREAD[i % SPREAD.length]! : REPO;
          return {
            repo,
            tag: `r${round}-${i}`,
            bytes: manifestFor(parts.get(`${t.name} ${repo}`)!, `${round}-${i}-${Math.random()}`),
          };
        });
        const r = await runPool(items, 8, (m) => putManifest(c, m.repo, m.tag, m.bytes));
        recordPuts(ctx, t.name, ` into ${where}, c=8`, n, r);
      },
      { warmup: 1 },
    );
  }
}

/**
 * New images that each bring their own 64 KiB layer (pushed first, untimed), PUT by tag at concurrency 8
 * into a repository that is new in every round: every PUT links a blob the repository has not referenced.
 */
export async function manifestPutsDistinctLayers(ctx: BenchContext): Promise<void> {
  const n = ctx.profile.distinctLayerManifests;
  await ctx.alternate(
    ctx.profile.rounds,
    async (t, round) => {
      const repo = `bench/layers-${round}`;
      ctx.progress(`manifest PUT ×${n}, each with its own layer, round ${round + 1}: ${t.name}`);
      const c = await t.client([repo]);
      const { config } = await pushImageParts(c, repo);
      const layers = Array.from({ length: n }, () => randomBlob(64 * 1024));
      await runPool(layers, 8, (b) => pushBlob(c, repo, b));
      const items = layers.map((layer, i) => ({
        tag: `v${i}`,
        bytes: manifestFor({ config, layer }, `${round}-${i}-${crypto.randomUUID()}`),
      }));
      const r = await runPool(items, 8, (m) => putManifest(c, repo, m.tag, m.bytes));
      recordPuts(ctx, t.name, ", each with its own 64 KiB layer, fresh repo, c=8", n, r);
    },
    { warmup: 1 },
  );
}

interface WrkResult {
  requests: number;
  duration_us: number;
  status_errors: number;
  socket_errors: number;
  p50_us: number;
  p99_us: number;
}

export function wrkAvailable(): boolean {
  return spawnSync("sh", ["-c", "command -v wrk"]).status === 0;
}

/** Runs wrk against `url` with the given headers; its Lua `done` hook prints the figures as JSON. */
export function runWrk(
  tmpDir: string,
  url: string,
  headers: Record<string, string>,
  seconds: number,
  connections = 32,
): WrkResult {
  const lua = path.join(tmpDir, "wrk.lua");
  fs.writeFileSync(
    lua,
    [
      ...Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
      "done = function(summary, latency, requests)",
      "  local e = summary.errors",
      '  io.write(string.format("WRK_JSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"status_errors\\":%d,' +
        '\\"socket_errors\\":%d,\\"p50_us\\":%d,\\"p99_us\\":%d}\\n",',
      "    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,",
      "    latency:percentile(50), latency:percentile(99)))",
      "end",
      "",
    ].join("\n"),
  );
  const r = spawnSync(
    "wrk",
    ["-t2", `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "-s", lua, url],
    { encoding: "utf8" },
  );
  const line = r.stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
  if (!line) throw new Error(`wrk printed no result: ${r.stderr || r.stdout}`);
  return JSON.parse(line.slice("WRK_JSON ".length)) as WrkResult;
}

export async function manifestGets(ctx: BenchContext, parts: Map<string, ImageParts>): Promise<void> {
  if (!wrkAvailable()) {
    ctx.note("wrk is not installed (`apt-get install -y wrk`): manifest GET under load skipped");
    return;
  }
  for (const t of ctx.targets)
    await putManifest(
      await t.client([REPO]),
      REPO,
      "latest",
      manifestFor(parts.get(`${t.name} ${REPO}`)!, "latest"),
    );
  await ctx.alternate(
    ctx.profile.rounds,
    async (t, round) => {
      ctx.progress(`manifest GET by tag, wrk c=32 ${ctx.profile.wrkSeconds}s, round ${round + 1}: ${t.name}`);
      const headers = { Accept: MANIFEST_ACCEPT, ...(await t.authHeaders([REPO])) };
      const r = runWrk(ctx.tmpDir, `${t.base}/v2/${REPO}/manifests/latest`, headers, ctx.profile.wrkSeconds);
      if (r.status_errors || r.socket_errors)
        ctx.note(
          `${t.name}: wrk saw ${r.status_errors} non-2xx answers and ${r.socket_errors} socket errors`,
        );
      const rps = r.requests / (r.duration_us / 1e6);
      ctx.record(F, { name: "GET by tag, wrk c=32", unit: "req/s", better: "higher" }, t.name, rps);
      ctx.record(
        F,
        { name: "GET by tag p50, wrk c=32", unit: "ms", better: "lower" },
        t.name,
        r.p50_us / 1000,
      );
      ctx.record(
        F,
        { name: "GET by tag p99, wrk c=32", unit: "ms", better: "lower" },
        t.name,
        r.p99_us / 1000,
      );
    },
    { warmup: 1 },
  );
}
