// Ours only: repository notifications on the push path. The issue's target: N pushes (1,000 in the full
// profile) with 3 webhook notifications each are all delivered; push throughput stays within 5 % of the same
// run without notifications; the delivery latency p99 from push to receiver is reported.
//
// A webhook receiver runs in a child process (node:http on 127.0.0.1, answers 200 at once, reports each
// request's arrival time and JSON body). Two fresh servers of ours (as the quota workload: the main one's history
// would bias the comparison): on one the repository has 3 webhook notifications (repo_push, /hook1..3 of the
// receiver), on the other none (its pushes still enqueue the event job, which finds nothing to deliver).
// Each round pushes N manifests, each with its own tag, at c=8; rounds alternate between the servers, after
// an unrecorded warm-up round. On the server with notifications the round ends when the receiver has all
// 3 × N requests (or after 300 s), so its deliveries never overlap the next measurement; a request's
// latency is its arrival at the receiver (body read) minus the arrival of its push's 201 at the client.
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import type { BenchContext } from "../lib/context.js";
import { manifestFor, pushImageParts, putManifest, type ImageParts } from "../lib/oci.js";
import { median, p99, runPool } from "../lib/stats.js";
import { ROOT, startOurs, type Ours, type Target } from "../lib/systems.js";

const F = "notifications (ours only)";
const REPO = "bench/notify";
const HOOKS = 3;
const DELIVERY_TIMEOUT_MS = 300_000;

export function notificationsAvailable(): boolean {
  return fs.existsSync(path.join(ROOT, "apps/api/dist/notifications/delivery.js"));
}

interface Received {
  /** When the request's body had arrived (ms since the epoch, the receiver's clock: the same machine's). */
  at: number;
  path: string;
  tag: string | null;
  repository: string | null;
  delivery: string | null;
}

interface Receiver {
  url: string;
  received: Received[];
  /** Requests that were not a JSON body with updated_tags (kept for the report). */
  odd: string[];
  close(): Promise<void>;
}

/** Milliseconds since the epoch, fractional: comparable between this process and the receiver's. */
const now = () => performance.timeOrigin + performance.now();

// The receiver is a process of its own, as a real peer would be: in this process its request handling
// would slow the pushing client's event loop and show up as slower pushes. It reports what it received
// over IPC, in batches.
const RECEIVER = `
  const http = require("node:http");
  const { performance } = require("node:perf_hooks");
  let batch = [];
  setInterval(() => { if (batch.length) { process.send(batch); batch = []; } }, 20);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const at = performance.timeOrigin + performance.now();
      let body = {};
      let odd = null;
      try { body = JSON.parse(Buffer.concat(chunks).toString()); } catch { odd = req.method + " " + req.url + ": not JSON"; }
      const tags = Array.isArray(body.updated_tags) ? body.updated_tags : [];
      if (!odd && tags.length !== 1) odd = req.url + ": updated_tags " + JSON.stringify(body.updated_tags);
      const d = req.headers["x-harbormaster-delivery"];
      batch.push({ at, path: req.url || "", tag: typeof tags[0] === "string" ? tags[0] : null,
        repository: typeof body.repository === "string" ? body.repository : null,
        delivery: typeof d === "string" ? d : null, odd });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    });
  });
  server.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
`;

function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const odd: string[] = [];
  const child = spawn(process.execPath, ["-e", RECEIVER], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the webhook receiver exited (${code})`)));
    child.on("message", (m: { port?: number } | (Received & { odd: string | null })[]) => {
      if (!Array.isArray(m)) {
        resolve({
          url: `http://127.0.0.1:${m.port}`,
          received,
          odd,
          close: () =>
            new Promise<void>((r) => {
              child.removeAllListeners("exit");
              child.once("exit", () => r());
              child.kill();
            }),
        });
        return;
      }
      for (const { odd: o, ...r } of m) {
        received.push(r);
        if (o) odd.push(o);
      }
    });
  });
}

/** The delivery rows' states on a server, for the report when deliveries are missing. */
async function deliveryStates(t: Ours): Promise<string> {
  const db = new pg.Client({ connectionString: t.dbUrl });
  await db.connect();
  try {
    const r = await db.query<{ status: string; n: string; error: string | null }>(
      `SELECT status, count(*) AS n, max("lastError") AS error FROM "NotificationDelivery" GROUP BY status`,
    );
    return r.rows.map((x) => `${x.status} ${x.n}${x.error ? ` (${x.error.slice(0, 120)})` : ""}`).join(", ");
  } finally {
    await db.end();
  }
}

export async function notificationDeliveries(ctx: BenchContext): Promise<void> {
  if (!notificationsAvailable()) {
    ctx.note("Notifications skipped: the build has no apps/api/dist/notifications (run `npm run build`)");
    return;
  }
  const n = ctx.profile.notificationPushes;
  const receiver = await startReceiver();
  const withHooks = await startOurs();
  const without = await startOurs();
  try {
    // The repository first (one image), then its notifications.
    const parts = new Map<Target, ImageParts>();
    for (const t of [withHooks, without]) {
      const c = await t.client([REPO]);
      parts.set(t, await pushImageParts(c, REPO));
      await putManifest(c, REPO, "setup", manifestFor(parts.get(t)!, "setup"));
    }
    for (let h = 1; h <= HOOKS; h++)
      await withHooks.graphql(
        `mutation($config: JSON!) { createRepositoryNotification(repository: "${REPO}", event: "repo_push", method: "webhook", config: $config) { notification { uuid } } }`,
        { config: { url: `${receiver.url}/hook${h}` } },
      );

    const servers: [string, Target][] = [
      ["without notifications", without],
      ["with 3 webhooks", withHooks],
    ];
    const figures = new Map<string, number[]>();
    const keep = (key: string, v: number) => figures.set(key, [...(figures.get(key) ?? []), v]);
    const rounds = ctx.profile.rounds;
    for (let round = -1; round < rounds; round++) {
      for (const [label, t] of round % 2 === 0 ? servers : [...servers].reverse()) {
        ctx.progress(`notifications, round ${round + 1}: ${n} pushes, ${label}`);
        const c = await t.client([REPO]);
        const prefix = `r${round + 1}-`;
        const items = Array.from({ length: n }, (_, i) => ({
          tag: `${prefix}${i}`,
          bytes: manifestFor(parts.get(t)!, `${round}-${i}-${crypto.randomUUID()}`),
        }));
        const answered = new Map<string, number>();
        spawnSync("sync");
        const puts = await runPool(items, 8, async (m) => {
          await putManifest(c, REPO, m.tag, m.bytes);
          answered.set(m.tag, now());
        });
        const putRate = items.length / (puts.wallMs / 1000);
        if (t === withHooks) {
          // Until every (tag, hook) pair has arrived, or the timeout.
          const expected = HOOKS * n;
          const mine = () =>
            receiver.received.filter((r) => r.tag?.startsWith(prefix) && answered.has(r.tag));
          const distinct = (rs: Received[]) => new Set(rs.map((r) => `${r.tag} ${r.path}`)).size;
          const started = performance.now();
          let got: Received[] = [];
          while (distinct((got = mine())) < expected && performance.now() - started < DELIVERY_TIMEOUT_MS)
            await new Promise((r) => setTimeout(r, 50));
          const wait = performance.now() - started;
          const pairs = distinct(got);
          const latencies = got.map((r) => r.at - answered.get(r.tag!)!);
          const wrongRepo = got.filter((r) => r.repository !== REPO).length;
          const wrongPath = got.filter((r) => !/^\/hook[1-3]$/.test(r.path)).length;
          ctx.progress(
            `  ${pairs}/${expected} deliveries (${got.length - pairs} repeated) ${(wait / 1000).toFixed(1)} s after the last push; p99 ${p99(latencies).toFixed(0)} ms`,
          );
          if (pairs < expected)
            ctx.note(
              `notifications round ${round + 1}: ${pairs} of ${expected} deliveries arrived within ${DELIVERY_TIMEOUT_MS / 1000} s after the last push; delivery rows: ${await deliveryStates(withHooks)}`,
            );
          if (round >= 0 && got.length > pairs)
            ctx.note(`notifications round ${round + 1}: ${got.length - pairs} deliveries arrived twice`);
          if (round >= 0 && (wrongRepo || wrongPath))
            ctx.note(
              `notifications round ${round + 1}: ${wrongRepo} with another repository, ${wrongPath} to another path`,
            );
          if (round < 0) continue; // the warm-up round
          ctx.record(
            F,
            {
              name: `deliveries received / expected (${n} pushes × ${HOOKS} webhooks)`,
              unit: "%",
              better: "higher",
              limit: { value: 100, text: "= 100 %" },
            },
            "ours",
            (100 * pairs) / expected,
          );
          for (const [q, v] of [
            ["p50", median(latencies)],
            ["p99", p99(latencies)],
          ] as const)
            ctx.record(
              F,
              {
                name: `delivery latency ${q}, push answer → receiver`,
                unit: "ms",
                better: "lower",
                ...(q === "p99" ? { limit: { value: 5000, text: "< 5000 ms (loose)" } } : {}),
              },
              "ours",
              v,
            );
          ctx.record(
            F,
            { name: "last delivery after the last push answer", unit: "ms", better: "lower" },
            "ours",
            Math.max(...got.map((r) => r.at)) - Math.max(...answered.values()),
          );
        }
        if (round < 0) continue;
        keep(label, putRate);
        ctx.record(
          F,
          { name: `manifest PUT, own tag each, c=8, ${label}`, unit: "manifests/s", better: "higher" },
          "ours",
          putRate,
        );
      }
    }
    ctx.record(
      F,
      {
        name: "manifest PUT: with 3 webhooks / without (medians)",
        unit: "ratio",
        better: "higher",
        limit: { value: 0.95, text: "≥ 0.95" },
      },
      "ours",
      median(figures.get("with 3 webhooks")!) / median(figures.get("without notifications")!),
    );
    if (receiver.odd.length)
      ctx.note(
        `notifications: ${receiver.odd.length} receiver request(s) out of the ordinary: ${receiver.odd.slice(0, 3).join("; ")}`,
      );
  } finally {
    await withHooks.stop();
    await without.stop();
    await receiver.close();
  }
}
