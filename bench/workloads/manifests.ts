// Manifest PUT (many small images, concurrency 8) and manifest GET by tag under wrk at concurrency 32.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { BenchContext } from "../lib/context.js";
import { MANIFEST_ACCEPT, manifestFor, pushImageParts, putManifest, type ImageParts } from "../lib/oci.js";
import { median, p99, runPool } from "../lib/stats.js";
import type { Target } from "../lib/systems.js";

const REPO = "bench/manifests";
const F = "manifests";

/** A config and a layer in the manifests repository of each target. */
export async function manifestSetup(ctx: BenchContext): Promise<Map<Target["name"], ImageParts>> {
  const parts = new Map<Target["name"], ImageParts>();
  for (const t of ctx.targets) parts.set(t.name, await pushImageParts(await t.client([REPO]), REPO));
  return parts;
}

export async function manifestPuts(ctx: BenchContext, parts: Map<Target["name"], ImageParts>): Promise<void> {
  const n = ctx.profile.manifestPuts;
  await ctx.alternate(ctx.profile.rounds, async (t, round) => {
    ctx.progress(`manifest PUT ×${n}, round ${round + 1}: ${t.name}`);
    const c = await t.client([REPO]);
    const items = Array.from({ length: n }, (_, i) => ({
      tag: `r${round}-${i}`,
      bytes: manifestFor(parts.get(t.name)!, `${round}-${i}-${Math.random()}`),
    }));
    const r = await runPool(items, 8, (m) => putManifest(c, REPO, m.tag, m.bytes));
    ctx.record(
      F,
      { name: "PUT (new image), c=8", unit: "manifests/s", better: "higher" },
      t.name,
      n / (r.wallMs / 1000),
    );
    ctx.record(F, { name: "PUT p50, c=8", unit: "ms", better: "lower" }, t.name, median(r.latencies));
    ctx.record(F, { name: "PUT p99, c=8", unit: "ms", better: "lower" }, t.name, p99(r.latencies));
  });
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

export async function manifestGets(ctx: BenchContext, parts: Map<Target["name"], ImageParts>): Promise<void> {
  if (!wrkAvailable()) {
    ctx.note("wrk is not installed (`apt-get install -y wrk`): manifest GET under load skipped");
    return;
  }
  for (const t of ctx.targets)
    await putManifest(await t.client([REPO]), REPO, "latest", manifestFor(parts.get(t.name)!, "latest"));
  await ctx.alternate(ctx.profile.rounds, async (t, round) => {
    ctx.progress(`manifest GET by tag, wrk c=32 ${ctx.profile.wrkSeconds}s, round ${round + 1}: ${t.name}`);
    const headers = { Accept: MANIFEST_ACCEPT, ...(await t.authHeaders([REPO])) };
    const r = runWrk(ctx.tmpDir, `${t.base}/v2/${REPO}/manifests/latest`, headers, ctx.profile.wrkSeconds);
    if (r.status_errors || r.socket_errors)
      ctx.note(`${t.name}: wrk saw ${r.status_errors} non-2xx answers and ${r.socket_errors} socket errors`);
    const rps = r.requests / (r.duration_us / 1e6);
    ctx.record(F, { name: "GET by tag, wrk c=32", unit: "req/s", better: "higher" }, t.name, rps);
    ctx.record(F, { name: "GET by tag p50, wrk c=32", unit: "ms", better: "lower" }, t.name, r.p50_us / 1000);
    ctx.record(F, { name: "GET by tag p99, wrk c=32", unit: "ms", better: "lower" }, t.name, r.p99_us / 1000);
  });
}
