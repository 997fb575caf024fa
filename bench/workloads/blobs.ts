// Blob push and pull: 64 MiB one and two at a time, 1 GiB once (streamed from a file, with the servers'
// resident memory sampled), and 64 KiB blobs at concurrency 8 and 32.
import { spawn } from "node:child_process";
import path from "node:path";
import type { BenchContext } from "../lib/context.js";
import { pullBlob, pushBlob, randomBlob, randomFileBlob, type Blob } from "../lib/oci.js";
import { rss, type Target } from "../lib/systems.js";
import { msSince, p99, runPool } from "../lib/stats.js";

const MiB = 1024 * 1024;
const REPO = "bench/blobs";
const mibs = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);
const label = (bytes: number) => (bytes >= 1024 * MiB ? `${bytes / 1024 / MiB} GiB` : `${bytes / MiB} MiB`);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return msSince(t);
}

export async function largeBlobs(ctx: BenchContext): Promise<void> {
  const size = ctx.profile.largeBlob;
  const F = "blobs";
  const rate = (name: string) => ({ name, unit: "MiB/s", better: "higher" as const });
  await ctx.alternate(
    ctx.profile.largeBlobRounds,
    async (t, i) => {
      ctx.progress(`${label(size)} blobs, round ${i + 1}: ${t.name}`);
      const c = await t.client([REPO]);
      const one = randomBlob(size);
      ctx.record(
        F,
        rate(`push ${label(size)} ×1`),
        t.name,
        mibs(size, await timed(() => pushBlob(c, REPO, one))),
      );
      ctx.record(
        F,
        rate(`pull ${label(size)} ×1`),
        t.name,
        mibs(size, await timed(() => pullBlob(c, REPO, one))),
      );
      const headers = await t.authHeaders([REPO]);
      ctx.record(
        F,
        rate(`pull ${label(size)} ×1 to curl (no digest check)`),
        t.name,
        await curlPull(`${t.base}/v2/${REPO}/blobs/${one.digest}`, headers, size),
      );
      const two = [randomBlob(size), randomBlob(size)];
      const pushMs = await timed(() => Promise.all(two.map((b) => pushBlob(c, REPO, b))));
      ctx.record(F, rate(`push ${label(size)} ×2 concurrent (total)`), t.name, mibs(2 * size, pushMs));
      const pullMs = await timed(() => Promise.all(two.map((b) => pullBlob(c, REPO, b))));
      ctx.record(F, rate(`pull ${label(size)} ×2 concurrent (total)`), t.name, mibs(2 * size, pullMs));
    },
    { warmup: 1 },
  );
}

/** Runs `fn` while sampling the server's VmRSS every 50 ms; returns the peak in MiB. */
async function peakRss(t: Target, fn: () => Promise<void>): Promise<number> {
  let peak = rss(t.pid)?.rssMiB ?? NaN;
  const timer = setInterval(() => {
    const r = rss(t.pid);
    if (r) peak = Math.max(peak, r.rssMiB);
  }, 50);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rss(t.pid)?.rssMiB ?? NaN);
}

export async function hugeBlob(ctx: BenchContext): Promise<void> {
  const size = ctx.profile.hugeBlob;
  const F = "blobs";
  ctx.progress(`generating a ${label(size)} file`);
  const blob: Blob = randomFileBlob(path.join(ctx.tmpDir, "huge.bin"), size);
  const rssRow = (name: string) => ({
    name,
    unit: "MiB",
    better: "lower" as const,
    limit: { value: 300, text: "ours < 300 MiB" },
  });
  // Pushed once to each registry, then pulled `hugePulls` times (ours and distribution taking turns to go first):
  // one pull of a second or two moves with whatever else the machine does, so the median.
  const op = async (t: Target, what: "push" | "pull") => {
    ctx.progress(`${label(size)} ${what}: ${t.name}`);
    const c = await t.client([REPO]);
    let ms = 0;
    const peak = await peakRss(t, async () => {
      ms = await timed(() => (what === "push" ? pushBlob : pullBlob)(c, REPO, blob));
    });
    ctx.record(
      F,
      { name: `${what} ${label(size)} ×1`, unit: "MiB/s", better: "higher" },
      t.name,
      mibs(size, ms),
    );
    ctx.record(F, rssRow(`server peak RSS during ${label(size)} ${what}`), t.name, peak);
  };
  await ctx.alternate(1, (t) => op(t, "push"));
  await ctx.alternate(ctx.profile.hugePulls, (t) => op(t, "pull"));
  // The same pull to curl, which checks no digest: the hashing client above is the limit on a fast server,
  // so this row is the server's own measure.
  await ctx.alternate(ctx.profile.hugePulls, async (t) => {
    ctx.progress(`${label(size)} pull to curl: ${t.name}`);
    const headers = await t.authHeaders([REPO]);
    const rate = await curlPull(`${t.base}/v2/${REPO}/blobs/${blob.digest}`, headers, size);
    ctx.record(
      F,
      { name: `pull ${label(size)} ×1 to curl (no digest check)`, unit: "MiB/s", better: "higher" },
      t.name,
      rate,
    );
  });
}

/** GETs `url` with curl into /dev/null; returns MiB/s (curl's own average), checking the size. */
function curlPull(url: string, headers: Record<string, string>, size: number): Promise<number> {
  const args = ["-sS", "-o", "/dev/null", "-w", "%{size_download} %{speed_download}", url];
  for (const [k, v] of Object.entries(headers)) args.unshift("-H", `${k}: ${v}`);
  return new Promise((resolve, reject) => {
    const p = spawn("curl", args);
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d));
    p.on("error", reject);
    p.on("exit", (code) => {
      const [bytes, speed] = out.trim().split(" ").map(Number);
      if (code !== 0 || bytes !== size) return reject(new Error(`curl pull: exit ${code}, ${out}`));
      resolve(speed! / MiB);
    });
  });
}

export async function smallBlobs(ctx: BenchContext): Promise<void> {
  const F = "blobs";
  const n = ctx.profile.smallBlobs;
  for (const concurrency of [8, 32]) {
    await ctx.alternate(
      ctx.profile.rounds,
      async (t, i) => {
        ctx.progress(`64 KiB blobs at concurrency ${concurrency}, round ${i + 1}: ${t.name}`);
        const c = await t.client([REPO]);
        const blobs = Array.from({ length: n }, () => randomBlob(64 * 1024));
        const push = await runPool(blobs, concurrency, (b) => pushBlob(c, REPO, b));
        const pull = await runPool(blobs, concurrency, (b) => pullBlob(c, REPO, b));
        const row = (op: string, unit: string, better: "higher" | "lower") => ({
          name: `${op} 64 KiB, c=${concurrency}`,
          unit,
          better,
        });
        ctx.record(F, row("push", "blobs/s", "higher"), t.name, n / (push.wallMs / 1000));
        ctx.record(F, row("push p99", "ms", "lower"), t.name, p99(push.latencies));
        ctx.record(F, row("pull", "blobs/s", "higher"), t.name, n / (pull.wallMs / 1000));
        ctx.record(F, row("pull p99", "ms", "lower"), t.name, p99(pull.latencies));
      },
      { warmup: 1 },
    );
  }
}
