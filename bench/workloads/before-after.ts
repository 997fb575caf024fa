// Ours against ours: this checkout's server beside another checkout's (`--base=DIR`, built), on the push
// path's rows, in alternating rounds on two fresh servers. The guide's rule for a change on the push path
// (no slower than the run-to-run spread) is judged here, where distribution's own drift between runs
// cannot hide or fake a change.
import crypto from "node:crypto";
import type { BenchContext } from "../lib/context.js";
import { manifestFor, pushBlob, pushImageParts, putManifest, randomBlob } from "../lib/oci.js";
import { median, runPool } from "../lib/stats.js";
import { startOurs, type Target } from "../lib/systems.js";

const F = "before/after (ours only)";

type Row = { name: string; unit: string; run: (t: Target, round: number) => Promise<number> };

const ROWS: Row[] = [
  {
    name: "push 64 KiB, c=8",
    unit: "blobs/s",
    async run(t, round) {
      const repo = `bench/ab-blobs-${round + 1}`;
      const c = await t.client([repo]);
      const blobs = Array.from({ length: 256 }, () => randomBlob(64 * 1024));
      return blobs.length / ((await runPool(blobs, 8, (b) => pushBlob(c, repo, b))).wallMs / 1000);
    },
  },
  {
    name: "manifest PUT into 1 repo (shared layer), c=8",
    unit: "manifests/s",
    async run(t, round) {
      const repo = "bench/ab-one";
      const c = await t.client([repo]);
      const parts = await pushImageParts(c, repo);
      const items = Array.from({ length: 300 }, (_, i) => ({
        tag: `r${round}-${i}`,
        bytes: manifestFor(parts, `${round}-${i}-${crypto.randomUUID()}`),
      }));
      return (
        items.length / ((await runPool(items, 8, (m) => putManifest(c, repo, m.tag, m.bytes))).wallMs / 1000)
      );
    },
  },
  {
    name: "manifest PUT, each with its own 64 KiB layer, fresh repo, c=8",
    unit: "manifests/s",
    async run(t, round) {
      const repo = `bench/ab-layers-${round + 1}`;
      const c = await t.client([repo]);
      const { config } = await pushImageParts(c, repo);
      const layers = Array.from({ length: 200 }, () => randomBlob(64 * 1024));
      await runPool(layers, 8, (b) => pushBlob(c, repo, b));
      const items = layers.map((layer, i) => ({
        tag: `v${i}`,
        bytes: manifestFor({ config, layer }, `${round}-${i}-${crypto.randomUUID()}`),
      }));
      return (
        items.length / ((await runPool(items, 8, (m) => putManifest(c, repo, m.tag, m.bytes))).wallMs / 1000)
      );
    },
  },
];

export async function beforeAfter(ctx: BenchContext, baseRoot: string): Promise<void> {
  const base = await startOurs({ root: baseRoot });
  const head = await startOurs();
  try {
    const servers: [string, Target][] = [
      ["before", base],
      ["after", head],
    ];
    const figures = new Map<string, number[]>();
    const rounds = 2 * ctx.profile.rounds;
    for (let round = -1; round < rounds; round++)
      for (const row of ROWS)
        for (const [label, t] of round % 2 === 0 ? servers : [...servers].reverse()) {
          ctx.progress(`before/after, ${row.name}, round ${round + 1}: ${label}`);
          const v = await row.run(t, round);
          if (round < 0) continue; // the warm-up round
          figures.set(`${row.name} ${label}`, [...(figures.get(`${row.name} ${label}`) ?? []), v]);
          ctx.record(F, { name: `${row.name}, ${label}`, unit: row.unit, better: "higher" }, "ours", v);
        }
    for (const row of ROWS)
      ctx.record(
        F,
        { name: `${row.name}: after / before (medians)`, unit: "ratio", better: "higher" },
        "ours",
        median(figures.get(`${row.name} after`)!) / median(figures.get(`${row.name} before`)!),
      );
  } finally {
    await base.stop();
    await head.stop();
  }
}
