// Single-PUT and single-request blob uploads (what Helm/ORAS, crane and other registry libraries send),
// next to the POST → PATCH → PUT path of blobs.ts: four 64 MiB blobs pushed two at a time.
import type { BenchContext } from "../lib/context.js";
import { pushBlob, pushBlobMonolithic, pushBlobSingleRequest, randomBlob } from "../lib/oci.js";
import crypto from "node:crypto";
import { median, msSince, runPool } from "../lib/stats.js";
import { cpuMs } from "../lib/systems.js";

const MiB = 1024 * 1024;
const REPO = "bench/uploads";
const BLOBS = 4;
const CONCURRENCY = 2;

/**
 * A registry token asked for with the user's password, as every `podman push` or `helm push` does before its
 * first blob (ours only: distribution runs without auth). The server has verified the password before.
 */
async function tokenRequests(ctx: BenchContext): Promise<void> {
  const lat: number[] = [];
  for (let i = 0; i < 20; i++) {
    const start = process.hrtime.bigint();
    await ctx.ours.authHeaders([`bench/token-${crypto.randomUUID()}`]); // a new scope: never a cached token
    lat.push(msSince(start));
  }
  ctx.record(
    "uploads",
    {
      name: "registry token request with a password, p50 of 20",
      unit: "ms",
      better: "lower",
      limit: { value: 50, text: "ours < 50 ms" },
    },
    "ours",
    median(lat),
  );
}

export async function singleRequestUploads(ctx: BenchContext): Promise<void> {
  await tokenRequests(ctx);
  const size = ctx.profile.largeBlob;
  const mib = size / MiB;
  const F = "uploads";
  await ctx.alternate(
    ctx.profile.largeBlobRounds,
    async (t, i) => {
      ctx.progress(`${mib} MiB single-PUT and single-request uploads, round ${i + 1}: ${t.name}`);
      const c = await t.client([REPO]);
      const rate = async (name: string, push: typeof pushBlobMonolithic) => {
        const blobs = Array.from({ length: BLOBS }, () => randomBlob(size));
        const start = process.hrtime.bigint();
        const cpu = cpuMs(t.pid);
        await runPool(blobs, CONCURRENCY, (b) => push(c, REPO, b));
        const mibs = (BLOBS * size) / MiB / (msSince(start) / 1000);
        ctx.record(F, { name, unit: "MiB/s", better: "higher" }, t.name, mibs);
        const cpuName = `server CPU per ${mib} MiB, ${name.split(": ")[1]}`;
        ctx.record(F, { name: cpuName, unit: "ms", better: "lower" }, t.name, (cpuMs(t.pid) - cpu) / BLOBS);
      };
      await rate(`push ${mib} MiB ×${BLOBS}, c=${CONCURRENCY}: POST + PATCH + PUT (chunked)`, pushBlob);
      await rate(
        `push ${mib} MiB ×${BLOBS}, c=${CONCURRENCY}: POST + one PUT (monolithic)`,
        pushBlobMonolithic,
      );
      // Distribution 2.8 answers POST ?digest= with 202 and ignores the body (the spec lets a registry do
      // so), so a client then falls back to POST + PUT: that is what distribution is measured with here.
      await rate(
        `push ${mib} MiB ×${BLOBS}, c=${CONCURRENCY}: one POST ?digest= (distribution: POST + PUT)`,
        t.name === "ours" ? pushBlobSingleRequest : pushBlobMonolithic,
      );
    },
    { warmup: 1 },
  );
}
