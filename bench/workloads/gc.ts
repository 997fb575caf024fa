// Ours only: online garbage collection of a repository with many expired tags, while pushes to the same
// repository go on. Skipped when the build has no GC job (apps/api/src/operations/gc.ts).
import fs from "node:fs";
import path from "node:path";
import Bull from "bull";
import pg from "pg";
import type { BenchContext } from "../lib/context.js";
import { manifestFor, pushImageParts, putManifest } from "../lib/oci.js";
import { max, msSince, p99, runPool } from "../lib/stats.js";
import { ROOT } from "../lib/systems.js";

const F = "gc (ours only)";
const REPO = "bench/gc";

export function gcAvailable(): boolean {
  const workers = path.join(ROOT, "apps/api/dist/jobs/workers.js");
  return (
    fs.existsSync(path.join(ROOT, "apps/api/dist/operations/gc.js")) &&
    fs.existsSync(workers) &&
    fs.readFileSync(workers, "utf8").includes("gc-repository")
  );
}

export async function gcExpiredTags(ctx: BenchContext): Promise<void> {
  if (!gcAvailable()) {
    ctx.note(
      "GC of expired tags skipped: the build has no gc-repository job (apps/api/src/operations/gc.ts)",
    );
    return;
  }
  const n = ctx.profile.gcTags;
  const c = await ctx.ours.client([REPO]);
  const parts = await pushImageParts(c, REPO);
  ctx.progress(`GC: pushing ${n} images (one tag each)`);
  const tags = Array.from({ length: n }, (_, i) => `old-${i}`);
  await runPool(tags, 16, (tag) => putManifest(c, REPO, tag, manifestFor(parts, tag)));

  // Age them: the tags expired a month ago (past the 14-day time machine) and their manifests are old, as
  // they would be in a registry that has run for a while. Only timestamps change.
  const db = new pg.Client({ connectionString: ctx.ours.dbUrl });
  await db.connect();
  try {
    const repo = await db.query<{ id: string }>(
      `SELECT r.id FROM "Repository" r JOIN "Namespace" n ON n.id = r."namespaceId"
       WHERE n.name = 'bench' AND r.name = 'gc'`,
    );
    const repositoryId = repo.rows[0]!.id;
    await db.query(
      `UPDATE "Tag" SET "lifetimeStart" = now() - interval '60 days', "lifetimeEnd" = now() - interval '30 days',
         expires = true WHERE "repositoryId" = $1`,
      [repositoryId],
    );
    await db.query(
      `UPDATE "Manifest" SET "createdAt" = now() - interval '60 days' WHERE "repositoryId" = $1`,
      [repositoryId],
    );

    // Enqueue one gc-repository job the way JobSystem.enqueue does (record row, then the Bull job).
    const rec = await db.query<{ id: string }>(
      `INSERT INTO "JobRecord" (queue, name, payload) VALUES ('gc', 'gc-repository', $1) RETURNING id`,
      [JSON.stringify({ repositoryId })],
    );
    const recordId = rec.rows[0]!.id;
    const queue = new Bull("gc", ctx.ours.redisUrl, { prefix: `${ctx.ours.redisPrefix}:bull` });
    ctx.progress(`GC: collecting ${n} expired tags while pushing to the same repository`);
    await queue.add("gc-repository", { recordId, payload: { repositoryId } }, { jobId: recordId });
    await queue.close();

    let done = false;
    const pushes: number[] = [];
    const pusher = (async () => {
      for (let i = 0; !done; i++) {
        const start = process.hrtime.bigint();
        await putManifest(c, REPO, `live-${i}`, manifestFor(parts, `live-${i}`));
        pushes.push(msSince(start));
      }
    })();
    const deadline = Date.now() + 15 * 60_000;
    let row: {
      status: string;
      ms: number | null;
      result: Record<string, number> | null;
      error: string | null;
    };
    for (;;) {
      const r = await db.query(
        `SELECT status, result, error,
           EXTRACT(EPOCH FROM ("finishedAt" - "startedAt")) * 1000 AS ms FROM "JobRecord" WHERE id = $1`,
        [recordId],
      );
      row = r.rows[0];
      if (row.status === "completed" || row.status === "failed" || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    done = true;
    await pusher;
    if (row.status !== "completed") throw new Error(`GC job ${row.status}: ${row.error ?? "timed out"}`);
    if ((row.result?.tagHistoryDropped ?? 0) < n)
      ctx.note(
        `GC dropped ${row.result?.tagHistoryDropped} tag rows, expected ${n}: ${JSON.stringify(row.result)}`,
      );
    const fmtN = n.toLocaleString("en-US");
    ctx.record(
      F,
      {
        name: `GC of ${fmtN} expired tags (+ their manifests)`,
        unit: "s",
        better: "lower",
        limit: { value: 60, text: "< 60 s" },
      },
      "ours",
      Number(row.ms) / 1000,
    );
    ctx.record(
      F,
      {
        name: `manifest PUT to the same repo during GC, p99 (n=${pushes.length})`,
        unit: "ms",
        better: "lower",
      },
      "ours",
      p99(pushes),
    );
    ctx.record(
      F,
      { name: "manifest PUT to the same repo during GC, max", unit: "ms", better: "lower" },
      "ours",
      max(pushes),
    );
  } finally {
    await db.end();
  }
}
