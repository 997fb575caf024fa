// `npm run bench`: our registry (production build) side by side with CNCF distribution (Debian's
// docker-registry 2.8), the same workloads in alternating rounds, medians with min–max and the ratio.
//
//   npm run build && npm run bench                 full run (about 20 minutes on 2 cores)
//   npm run bench -- --quick                       small sizes, to check the runner
//   npm run bench -- --write                       also write BENCHMARKS.md
//   npm run bench -- --only=blobs,manifests        a subset: blobs, huge, uploads, small, manifests (or
//                                                  manifest-put, manifest-get, manifest-layers), listing (or
//                                                  small-tags), graphql, gc, quota (with quota against without),
//                                                  notifications (3 webhooks per push against none),
//                                                  scanning (the security scanner: indexing, feed import,
//                                                  pushes with scanning on against off), builds (webhook to
//                                                  build start; a build through the server against buildah
//                                                  by hand), mirror (a mirror sync of 100 tags from
//                                                  distribution, and a re-sync with nothing changed),
//                                                  proxy (pull-through on first pull against the upstream
//                                                  directly; cached pulls against an ordinary repository)
//   npm run bench -- --only=none --base=DIR         the push path's rows, this checkout's server against
//                                                  DIR's (another checkout, built): before and after a change
//   npm run bench -- --profile=DIR                 run our server with --cpu-prof (profiles in DIR at exit)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BenchContext, FULL, QUICK } from "./lib/context.js";
import { resets } from "./lib/http.js";
import { machine, renderTable } from "./lib/report.js";
import {
  ROOT,
  distributionBinary,
  startDistribution,
  startOurs,
  type Ours,
  type Target,
} from "./lib/systems.js";
import { hugeBlob, largeBlobs, smallBlobs } from "./workloads/blobs.js";
import { gcExpiredTags } from "./workloads/gc.js";
import { graphqlLists } from "./workloads/graphql.js";
import { notificationDeliveries } from "./workloads/notifications.js";
import { quotaCost } from "./workloads/quota.js";
import { securityScanning } from "./workloads/scanning.js";
import { dockerfileBuilds } from "./workloads/builds.js";
import { mirrorSyncs } from "./workloads/mirror.js";
import { proxyCache } from "./workloads/proxy.js";
import { beforeAfter } from "./workloads/before-after.js";
import { catalog, smallTagList, tagList } from "./workloads/listing.js";
import {
  manifestGets,
  manifestPuts,
  manifestPutsDistinctLayers,
  manifestSetup,
  wrkAvailable,
} from "./workloads/manifests.js";
import { singleRequestUploads } from "./workloads/uploads.js";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const profile = flag("quick") ? QUICK : FULL;
const only = option("only")?.split(",");
const enabled = (family: string) => !only || only.includes(family);

if (!distributionBinary()) {
  console.error("CNCF distribution is missing. Install it with: apt-get install -y docker-registry wrk");
  process.exit(2);
}
if (!wrkAvailable())
  console.error("wrk is missing (apt-get install -y wrk): manifest GET under load will be skipped");
if (!fs.existsSync(path.join(ROOT, "apps/api/dist/main.js"))) {
  console.error(
    "No production build: run `npm run build` first (the benchmark starts apps/api/dist/main.js).",
  );
  process.exit(2);
}

const command = `npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}`;
const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-bench-"));
const profileDir = option("profile") ? path.resolve(option("profile")!) : undefined;
let ours: Ours | undefined;
let dist: Target | undefined;
const stopAll = async (failed = false) => {
  await ours?.stop(failed).catch((e) => console.error(`stopping ours: ${e}`));
  await dist?.stop().catch((e) => console.error(`stopping distribution: ${e}`));
  fs.rmSync(tmpDir, { recursive: true, force: true });
};
process.on("SIGINT", () => void stopAll().then(() => process.exit(130)));

const started = Date.now();
const loadAtStart = os.loadavg();
let ctx: BenchContext | undefined;
try {
  ours = await startOurs({ profileDir, keepLogs: flag("keep-logs") });
  dist = await startDistribution();
  ctx = new BenchContext(ours, dist, profile, tmpDir);
  console.error(`ours at ${ours.base} (pid ${ours.pid}), distribution at ${dist.base} (pid ${dist.pid})`);
  if (enabled("blobs")) await largeBlobs(ctx);
  if (enabled("huge")) await hugeBlob(ctx);
  if (enabled("uploads")) await singleRequestUploads(ctx);
  if (enabled("small")) await smallBlobs(ctx);
  const puts = enabled("manifests") || enabled("manifest-put");
  const gets = enabled("manifests") || enabled("manifest-get");
  if (puts || gets) {
    const parts = await manifestSetup(ctx);
    if (puts) await manifestPuts(ctx, parts);
    if (gets) await manifestGets(ctx, parts);
  }
  if (enabled("manifests") || enabled("manifest-layers")) await manifestPutsDistinctLayers(ctx);
  if (enabled("listing") || enabled("small-tags")) await smallTagList(ctx);
  if (enabled("listing")) {
    await tagList(ctx);
    await catalog(ctx);
  }
  if (enabled("graphql")) {
    // The repositories list pages through the namespace the catalog workload filled.
    const available = enabled("listing") ? profile.catalogRepos : 0;
    if (available >= profile.graphqlItems) await graphqlLists(ctx, available);
    else ctx.note("GraphQL lists need the listing workload's repositories (run with listing)");
  }
  if (enabled("gc")) await gcExpiredTags(ctx);
  if (enabled("quota")) await quotaCost(ctx);
  if (enabled("notifications")) await notificationDeliveries(ctx);
  if (enabled("scanning")) await securityScanning(ctx);
  if (enabled("builds")) await dockerfileBuilds(ctx);
  if (enabled("mirror")) await mirrorSyncs(ctx);
  if (enabled("proxy")) await proxyCache(ctx);
  if (option("base")) await beforeAfter(ctx, path.resolve(option("base")!));
} catch (e) {
  console.error(e);
  if (ctx?.rows.length) console.log(`Figures measured before the failure:\n${renderTable(ctx.rows)}`);
  await stopAll(true);
  process.exit(1);
}
await stopAll();

const minutes = ((Date.now() - started) / 60_000).toFixed(1);
const table = renderTable(ctx!.rows);
const notes = [
  "Distribution runs without auth; ours verifies a Bearer token (obtained once from /v2/auth) on every /v2 request.",
  "Both run as separate processes on 127.0.0.1 with their own temporary filesystem storage; ours on its own PostgreSQL database and Redis prefix, LOG_LEVEL=warn; distribution with access logs off.",
  `Load average (1, 5, 15 min) at the start: ${loadAtStart.map((l) => l.toFixed(2)).join(" ")}; at the end: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} (on ${os.cpus().length} cores; other work on the machine moves the figures).`,
  `Each round runs both registries, taking turns to go first: ${profile.rounds} rounds per workload (${profile.largeBlobRounds} for the ${(profile.largeBlob / 2 ** 20).toFixed(0)} MiB blobs), the ${(profile.hugeBlob / 2 ** 20).toFixed(0)} MiB blob pushed once and pulled ${profile.hugePulls} time(s). Before each run the page cache is written back (\`sync\`); the blob and manifest workloads start with one unrecorded warm-up round.`,
  ...ctx!.notes,
  ...(resets.length
    ? [
        `${resets.length} request(s) were reset on a reused keep-alive connection and resent once on a new one: ${[
          ...new Set(resets),
        ]
          .slice(0, 5)
          .join("; ")}`,
      ]
    : []),
];
console.log(
  `\n${table}\n\n${notes.map((n) => `- ${n}`).join("\n")}\n\n${machine()}\n- duration: ${minutes} min\n- command: \`${command}\``,
);

if (flag("write")) {
  const doc = `# Benchmarks

Ours (this repository, production build) against CNCF distribution 2.8 (Debian's \`docker-registry\`), measured by
\`bench/run.ts\`. Reproduce with \`npm run build && ${command}\`. Medians over the rounds, with the spread
(min–max) in brackets; the ratio is ours/distribution of the medians. For throughput (MiB/s, blobs/s, req/s)
higher is better and the target is ≥ 1.00×; for latencies (ms) lower is better and the target is ≤ 1.00×.

${table}

Notes:
${notes.map((n) => `- ${n}`).join("\n")}

Machine and run:
${machine()}
- duration: ${minutes} min
- command: \`${command}\`
`;
  fs.writeFileSync(path.join(ROOT, "BENCHMARKS.md"), doc);
  console.error("wrote BENCHMARKS.md");
}
