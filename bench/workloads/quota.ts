// Ours only: what enforcing a quota costs on the push path. A second server of ours runs with
// FEATURE_QUOTA_MANAGEMENT and a quota on the bench namespace (Warning 50 %, Reject 90 % of 1 TiB, never
// reached, so every growing push takes the namespace's lock and checks); a third, started with it, runs
// without (two fresh servers: the main one's history would bias the comparison, as an A/A run showed).
// Rounds alternate between them. Target: each with/without ratio within 5 %.
import crypto from "node:crypto";
import type { BenchContext } from "../lib/context.js";
import { manifestFor, pushBlob, pushImageParts, putManifest, randomBlob } from "../lib/oci.js";
import { median, runPool } from "../lib/stats.js";
import { startOurs, type Target } from "../lib/systems.js";

const F = "quota (ours only)";

export async function quotaCost(ctx: BenchContext): Promise<void> {
  const withQuota = await startOurs({ env: { FEATURE_QUOTA_MANAGEMENT: "true" } });
  const without = await startOurs({ env: { FEATURE_QUOTA_MANAGEMENT: "false" } });
  try {
    const { setQuota } = await withQuota.graphql(
      `mutation { setQuota(namespace: "bench", limitBytes: ${2 ** 40}) { quota { id } } }`,
    );
    for (const [type, percent] of [
      ["Warning", 50],
      ["Reject", 90],
    ] as const)
      await withQuota.graphql(
        `mutation($id: ID!) { addQuotaLimit(namespace: "bench", quotaId: $id, type: "${type}", thresholdPercent: ${percent}) { usageBytes } }`,
        { id: setQuota.quota.id },
      );
    const servers: [string, Target][] = [
      ["without quota", without],
      ["with quota", withQuota],
    ];
    const figures = new Map<string, number[]>();
    const keep = (key: string, v: number) => figures.set(key, [...(figures.get(key) ?? []), v]);
    const rounds = 2 * ctx.profile.rounds;
    for (let round = -1; round < rounds; round++) {
      for (const [label, t] of round % 2 === 0 ? servers : [...servers].reverse()) {
        ctx.progress(`quota cost, round ${round + 1}: ${label}`);
        const repo = `bench/quota-${round + 1}`;
        const c = await t.client([repo]);
        const blobs = Array.from({ length: ctx.profile.smallBlobs }, () => randomBlob(64 * 1024));
        const push = await runPool(blobs, 8, (b) => pushBlob(c, repo, b));
        const { config } = await pushImageParts(c, repo);
        const layers = Array.from({ length: ctx.profile.distinctLayerManifests }, () =>
          randomBlob(64 * 1024),
        );
        await runPool(layers, 8, (b) => pushBlob(c, repo, b));
        const items = layers.map((layer, i) => ({
          tag: `v${i}`,
          bytes: manifestFor({ config, layer }, `${round}-${i}-${crypto.randomUUID()}`),
        }));
        const puts = await runPool(items, 8, (m) => putManifest(c, repo, m.tag, m.bytes));
        if (round < 0) continue; // the warm-up round
        const blobRate = blobs.length / (push.wallMs / 1000);
        const putRate = items.length / (puts.wallMs / 1000);
        keep(`blobs ${label}`, blobRate);
        keep(`puts ${label}`, putRate);
        ctx.record(
          F,
          { name: `push 64 KiB, c=8, ${label}`, unit: "blobs/s", better: "higher" },
          "ours",
          blobRate,
        );
        ctx.record(
          F,
          {
            name: `manifest PUT, each with its own layer, c=8, ${label}`,
            unit: "manifests/s",
            better: "higher",
          },
          "ours",
          putRate,
        );
      }
    }
    for (const [what, name] of [
      ["blobs", "push 64 KiB, c=8"],
      ["puts", "manifest PUT, each with its own layer, c=8"],
    ])
      ctx.record(
        F,
        {
          name: `${name}: with quota / without (medians)`,
          unit: "ratio",
          better: "higher",
          limit: { value: 0.95, text: "≥ 0.95" },
        },
        "ours",
        median(figures.get(`${what} with quota`)!) / median(figures.get(`${what} without quota`)!),
      );
  } finally {
    await withQuota.stop();
    await without.stop();
  }
}
