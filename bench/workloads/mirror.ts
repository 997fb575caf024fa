// Ours only: repository mirroring (issue 20), "a mirror sync of 100 tags" (quick: 20).
//
// The upstream is the run's CNCF distribution (no auth). Each round pushes N new images there (its own
// repository: a 64 KiB layer and a config each, nothing shared, so nothing can be mounted), then on a fresh
// server with FEATURE_REPO_MIRROR: a mirror of that repository (rule "*") is synced now, timed from the
// sync-now mutation to the sync's end as GraphQL reports it; then synced again with nothing changed upstream
// (every tag is one HEAD and is skipped). For reference, `skopeo sync` copies the same tags from distribution
// into a plain repository of the same server, as one would without mirroring. Rows: medians of each.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import { performance } from "node:perf_hooks";
import type { BenchContext } from "../lib/context.js";
import { expectStatus } from "../lib/http.js";
import { manifestFor, OCI_MANIFEST, putSmallBlob } from "../lib/oci.js";
import { median } from "../lib/stats.js";
import { startOurs, type Ours } from "../lib/systems.js";

const F = "repository mirroring (ours only)";
const ORG = "benchmirror";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sync {
  status: string;
  startedAt: string;
  finishedAt: string | null;
  tagsCopied: number;
  tagsSkipped: number;
  error: string | null;
}

/** Pushes `n` images tagged t0..t(n-1) into `repo` on the upstream, each with a layer of its own. */
async function fillUpstream(ctx: BenchContext, repo: string, n: number): Promise<void> {
  const c = await ctx.dist.client([repo]);
  for (let i = 0; i < n; i++) {
    const layer = await putSmallBlob(c, repo, crypto.randomBytes(64 * 1024));
    const config = await putSmallBlob(
      c,
      repo,
      Buffer.from(
        JSON.stringify({
          architecture: "amd64",
          os: "linux",
          rootfs: { type: "layers", diff_ids: [layer.digest] },
        }),
      ),
    );
    const r = await c.request("PUT", `/v2/${repo}/manifests/t${i}`, {
      headers: { "content-type": OCI_MANIFEST },
      body: manifestFor({ config, layer }, `t${i}`),
    });
    expectStatus(r, 201, `manifest t${i}`);
  }
}

async function latestSync(ours: Ours, name: string): Promise<Sync | null> {
  const { repository } = await ours.graphql<{ repository: { mirror: { syncs: Sync[] } } }>(
    `query($ns: String!, $n: String!) { repository(namespace: $ns, name: $n) { mirror { syncs(limit: 1) { status startedAt finishedAt tagsCopied tagsSkipped error } } } }`,
    { ns: ORG, n: name },
  );
  return repository.mirror.syncs[0] ?? null;
}

/** sync-now, then waits for a sync started after it to end; wall milliseconds and the sync. */
async function timedSync(ours: Ours, name: string): Promise<{ ms: number; sync: Sync }> {
  const t0 = performance.now();
  const asked = Date.now();
  await ours.graphql(`mutation($r: String!) { syncMirrorNow(repository: $r) { syncStatus } }`, {
    r: `${ORG}/${name}`,
  });
  for (;;) {
    const s = await latestSync(ours, name);
    if (s && s.finishedAt && new Date(s.startedAt).getTime() >= asked - 1000) {
      if (s.status !== "success") throw new Error(`mirror sync ${name}: ${s.status} ${s.error}`);
      return { ms: performance.now() - t0, sync: s };
    }
    await sleep(20);
  }
}

/** `skopeo sync` of every tag of `from` into `to`/<its last path component>. */
function skopeoSync(token: string, from: string, to: string): number {
  const t0 = performance.now();
  const r = spawnSync(
    "skopeo",
    [
      "--insecure-policy",
      "sync",
      "--src",
      "docker",
      "--dest",
      "docker",
      "--src-tls-verify=false",
      "--dest-tls-verify=false",
    ].concat(["--dest-creds", `${ORG}+syncer:${token}`, from, to]),
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`skopeo sync: ${r.stderr}`);
  return performance.now() - t0;
}

export async function mirrorSyncs(ctx: BenchContext): Promise<void> {
  const tags = ctx.profile.quick ? 20 : 100;
  const rounds = ctx.profile.quick ? 1 : 3;
  const haveSkopeo = spawnSync("skopeo", ["--version"]).status === 0;
  const ours = await startOurs({ env: { FEATURE_REPO_MIRROR: "true", REPO_MIRROR_INTERVAL: "3600" } });
  try {
    await ours.graphql(`mutation($n: String!) { createOrganization(name: $n) { name } }`, { n: ORG });
    const { createRobot } = await ours.graphql<{ createRobot: { credentials: { token: string } } }>(
      `mutation($ns: String!) { createRobot(namespace: $ns, name: "syncer") { credentials { token } } }`,
      { ns: ORG },
    );
    const upstream = new URL(ctx.dist.base).host;
    const ourHost = new URL(ours.base).host;
    const first: number[] = [];
    const again: number[] = [];
    const bySkopeo: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const src = `bench/mirror${r}`;
      await fillUpstream(ctx, src, tags);
      for (const name of [`m${r}`, `mirror${r}`])
        await ours.graphql(
          `mutation($ns: String!, $n: String!) { createRepository(namespace: $ns, name: $n, visibility: private) { name } }`,
          { ns: ORG, n: name },
        );
      await ours.graphql(
        `mutation($r: String!, $i: RepositoryMirrorInput!) { createRepositoryMirror(repository: $r, input: $i) { syncStatus } }`,
        {
          r: `${ORG}/m${r}`,
          i: {
            externalReference: `${upstream}/${src}`,
            tagGlobs: ["*"],
            robot: `${ORG}+syncer`,
            syncInterval: 86400,
            syncStartDate: "2099-01-01T00:00:00Z",
            verifyTls: false,
          },
        },
      );
      spawnSync("sync");
      const a = await timedSync(ours, `m${r}`);
      if (a.sync.tagsCopied !== tags) throw new Error(`first sync copied ${a.sync.tagsCopied} of ${tags}`);
      first.push(a.ms);
      const b = await timedSync(ours, `m${r}`);
      if (b.sync.tagsSkipped !== tags) throw new Error(`re-sync skipped ${b.sync.tagsSkipped} of ${tags}`);
      again.push(b.ms);
      if (haveSkopeo) {
        await ours.graphql(
          `mutation($ns: String!, $e: String!) { setRepositoryPermission(namespace: $ns, name: "mirror${r}", kind: robot, entity: $e, role: write) { role } }`,
          { ns: ORG, e: `${ORG}+syncer` },
        );
        spawnSync("sync");
        bySkopeo.push(skopeoSync(createRobot.credentials.token, `${upstream}/${src}`, `${ourHost}/${ORG}`));
      }
      ctx.progress(
        `mirror round ${r}: first sync ${(a.ms / 1000).toFixed(2)} s, re-sync ${(b.ms / 1000).toFixed(2)} s`,
      );
    }
    const def = (what: string) => ({
      name: `mirror sync of ${tags} tags, ${what}`,
      unit: "s",
      better: "lower" as const,
    });
    ctx.record(F, def("first sync"), "ours", median(first) / 1000);
    ctx.record(F, def("re-sync, nothing changed"), "ours", median(again) / 1000);
    ctx.record(
      F,
      { name: "first sync, tags per second", unit: "tags/s", better: "higher" },
      "ours",
      tags / (median(first) / 1000),
    );
    if (bySkopeo.length) {
      ctx.record(F, def("skopeo sync into a plain repository (reference)"), "ours", median(bySkopeo) / 1000);
      ctx.record(
        F,
        { name: "first sync / skopeo sync", unit: "×", better: "lower" },
        "ours",
        median(first) / median(bySkopeo),
      );
    } else ctx.note("mirror: skopeo is missing, no skopeo sync reference row");
    ctx.note(
      `mirror: ${rounds} round(s) of ${tags} tags (a 64 KiB layer and a config each) from distribution; first syncs ${first.map((x) => (x / 1000).toFixed(2)).join(", ")} s, re-syncs ${again.map((x) => (x / 1000).toFixed(2)).join(", ")} s${bySkopeo.length ? `, skopeo sync ${bySkopeo.map((x) => (x / 1000).toFixed(2)).join(", ")} s` : ""}; timed from the sync-now mutation to the sync's end as GraphQL shows it (20 ms polls).`,
    );
  } finally {
    await ours.stop();
  }
}
