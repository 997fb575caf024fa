// Ours only: Dockerfile builds (issue 19). The issue's rows: "time from webhook to build start, and overhead
// over running the same `buildah build` by hand".
//
// One fresh server with FEATURE_BUILD_SUPPORT (one build worker, in the server's process).
// 1. Webhook to start: a custom git trigger whose git URL leads nowhere (the builds fail at the clone, which
//    is after the start being measured). N webhooks (the seed's JSON, Basic $token), one after another; each
//    is timed from sending the POST to the build's startedAt (the runner marking it build-scheduled), read
//    from the build's phases. Rows: median and p95.
// 2. Overhead: the same context (FROM scratch, COPY busybox, a RUN, a LABEL) built R rounds each way,
//    alternating: (a) through the server: filedrop upload + startBuild, timed to phase "complete"; (b) by
//    hand: `buildah build` then `buildah push` into the same server with a robot's credentials, in a fresh
//    vfs storage each round as the worker uses one, timed around both commands. Rows: each median and the
//    ratio (a)/(b).
import { execFileSync, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { BenchContext } from "../lib/context.js";
import { median } from "../lib/stats.js";
import { startOurs, type Ours } from "../lib/systems.js";

const F = "builds (ours only)";
const ORG = "benchbuilds";
const TERMINAL = ["complete", "error", "cancelled", "expired", "internalerror"];

export function buildsAvailable(): boolean {
  return spawnSync("buildah", ["--version"]).status === 0 && fs.existsSync("/bin/busybox");
}

const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(ours: Ours, repo: string, id: string, done: (b: Build) => boolean): Promise<Build> {
  for (;;) {
    const { build } = await ours.graphql<{ build: Build }>(
      `query($r: String!, $id: ID!) { build(repository: $r, id: $id) { phase startedAt completedAt error phases { phase at } } }`,
      { r: repo, id },
    );
    if (done(build)) return build;
    await sleep(20);
  }
}
interface Build {
  phase: string;
  startedAt: string | null;
  completedAt: string | null;
  error: string | null;
  phases: { phase: string; at: string }[];
}

function contextTar(dir: string): Buffer {
  const ctx = path.join(dir, "ctx");
  fs.mkdirSync(ctx, { recursive: true });
  fs.copyFileSync("/bin/busybox", path.join(ctx, "busybox"));
  fs.writeFileSync(
    path.join(ctx, "Dockerfile"),
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "echo bench > /bench.txt"]\nLABEL bench=builds\n',
  );
  const out = path.join(dir, "ctx.tar.gz");
  execFileSync("tar", ["-czf", out, "-C", ctx, "Dockerfile", "busybox"]);
  return fs.readFileSync(out);
}

export async function dockerfileBuilds(ctx: BenchContext): Promise<void> {
  if (!buildsAvailable()) {
    ctx.note(
      "Builds skipped: buildah or /bin/busybox is missing (apt-get install -y buildah busybox-static)",
    );
    return;
  }
  const hooks = ctx.profile.quick ? 8 : 30;
  const rounds = ctx.profile.quick ? 2 : 4;
  const dir = fs.mkdtempSync(path.join(ctx.tmpDir, "builds-"));
  const ours = await startOurs({ env: { FEATURE_BUILD_SUPPORT: "true", BUILD_WORKERS: "1" } });
  try {
    await ours.graphql(`mutation($n: String!) { createOrganization(name: $n) { name } }`, { n: ORG });
    for (const name of ["hooked", "built"])
      await ours.graphql(
        `mutation($ns: String!, $n: String!) { createRepository(namespace: $ns, name: $n, visibility: private) { name } }`,
        { ns: ORG, n: name },
      );

    // 1. webhook → build start
    const { createBuildTrigger: t } = await ours.graphql<{ createBuildTrigger: { webhookUrl: string } }>(
      `mutation($r: String!) { createBuildTrigger(repository: $r, service: "custom-git", config: { buildSource: "ssh://git@127.0.0.1:9/none.git" }) { webhookUrl } }`,
      { r: `${ORG}/hooked` },
    );
    const hook = new URL(t.webhookUrl);
    const auth = `Basic ${Buffer.from(`$token:${decodeURIComponent(hook.password)}`).toString("base64")}`;
    const toStart: number[] = [];
    for (let i = 0; i < hooks; i++) {
      const commit = crypto.randomBytes(20).toString("hex");
      const sent = Date.now();
      const res = await fetch(`${ours.base}${hook.pathname}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: auth },
        body: JSON.stringify({ commit, ref: "refs/heads/main", default_branch: "main" }),
      });
      const { build } = (await res.json()) as { build?: string };
      if (!build) throw new Error(`webhook ${i}: no build started (${res.status})`);
      const b = await waitFor(ours, `${ORG}/hooked`, build, (x) => TERMINAL.includes(x.phase));
      const scheduled = b.phases.find((p) => p.phase === "build-scheduled");
      if (!scheduled) throw new Error(`build ${build} never started: ${b.phase} ${b.error}`);
      toStart.push(new Date(scheduled.at).getTime() - sent);
    }
    const startDef = (what: string) => ({
      name: `webhook → build start, ${what}`,
      unit: "ms",
      better: "lower" as const,
    });
    ctx.record(F, startDef("median"), "ours", median(toStart));
    ctx.record(F, startDef("p95"), "ours", p95(toStart));
    ctx.progress(
      `builds: webhook → start median ${median(toStart)} ms, p95 ${p95(toStart)} ms (${hooks} webhooks)`,
    );

    // 2. through the server against by hand
    const tarball = contextTar(dir);
    const { createRobot } = await ours.graphql<{ createRobot: { credentials: { token: string } } }>(
      `mutation($ns: String!) { createRobot(namespace: $ns, name: "pusher") { credentials { token } } }`,
      { ns: ORG },
    );
    await ours.graphql(
      `mutation($ns: String!, $e: String!) { setRepositoryPermission(namespace: $ns, name: "built", kind: robot, entity: $e, role: write) { role } }`,
      { ns: ORG, e: `${ORG}+pusher` },
    );
    const host = new URL(ours.base).host;
    const viaServer: number[] = [];
    const parts: string[] = [];
    const byHand: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const way of r % 2 === 0 ? ["server", "hand"] : ["hand", "server"]) {
        spawnSync("sync");
        if (way === "server") {
          const r = await throughServer(ours, tarball);
          viaServer.push(r.ms);
          parts.push(r.parts);
        } else byHand.push(await manually(dir, host, `${ORG}+pusher`, createRobot.credentials.token, r));
      }
    }
    const def = (what: string) => ({
      name: `build+push of a small context, ${what}`,
      unit: "s",
      better: "lower" as const,
    });
    ctx.record(F, def("through the server (upload → complete)"), "ours", median(viaServer) / 1000);
    ctx.record(F, def("buildah by hand"), "ours", median(byHand) / 1000);
    ctx.record(
      F,
      { name: "build overhead: through the server / by hand", unit: "×", better: "lower" },
      "ours",
      median(viaServer) / median(byHand),
    );
    ctx.note(
      `builds: ${rounds} rounds each way, alternating; through the server ${viaServer.map((x) => (x / 1000).toFixed(2)).join(", ")} s, by hand ${byHand.map((x) => (x / 1000).toFixed(2)).join(", ")} s; phases entered, ms after the upload began: ${parts.join(" | ")}`,
    );
  } finally {
    await ours.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function throughServer(ours: Ours, tarball: Buffer): Promise<{ ms: number; parts: string }> {
  const t0 = performance.now();
  const { createFileDrop: slot } = await ours.graphql<{ createFileDrop: { fileId: string; url: string } }>(
    `mutation { createFileDrop(mimeType: "application/gzip") { fileId url } }`,
  );
  const put = await fetch(slot.url, { method: "PUT", body: new Uint8Array(tarball) });
  if (put.status !== 200) throw new Error(`upload: ${put.status}`);
  const { startBuild } = await ours.graphql<{ startBuild: { id: string } }>(
    `mutation($r: String!, $f: String!) { startBuild(repository: $r, fileId: $f, tags: ["bench"]) { id } }`,
    { r: `${ORG}/built`, f: slot.fileId },
  );
  const b = await waitFor(ours, `${ORG}/built`, startBuild.id, (x) => TERMINAL.includes(x.phase));
  if (b.phase !== "complete") throw new Error(`build: ${b.phase} ${b.error}`);
  const ms = performance.now() - t0;
  const origin = Date.now() - ms;
  return {
    ms,
    parts: b.phases.map((p) => `${p.phase} ${Math.round(new Date(p.at).getTime() - origin)}`).join(", "),
  };
}

/** buildah build + push as a user would, with a storage of its own (as each server build has). */
async function manually(
  dir: string,
  host: string,
  user: string,
  token: string,
  round: number,
): Promise<number> {
  const root = path.join(dir, `hand-${round}`);
  const ctx = path.join(dir, "ctx");
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(
    path.join(root, "storage.conf"),
    `[storage]\ndriver = "vfs"\ngraphroot = "${root}/g"\nrunroot = "${root}/r"\n`,
  );
  fs.writeFileSync(path.join(root, "policy.json"), '{"default":[{"type":"insecureAcceptAnything"}]}');
  const env = {
    ...process.env,
    CONTAINERS_STORAGE_CONF: path.join(root, "storage.conf"),
    BUILDAH_ISOLATION: "chroot",
  };
  const img = `${host}/${ORG}/built:hand`;
  const t0 = performance.now();
  execFileSync(
    "buildah",
    ["build", "--signature-policy", path.join(root, "policy.json"), "--layers=false", "-q", "-t", img, ctx],
    { env, stdio: "ignore" },
  );
  execFileSync(
    "buildah",
    ["push", "--tls-verify=false", "--creds", `${user}:${token}`, img, `docker://${img}`],
    { env, stdio: "ignore" },
  );
  const ms = performance.now() - t0;
  spawnSync("buildah", ["rmi", "--all", "--force"], { env });
  fs.rmSync(root, { recursive: true, force: true });
  return ms;
}
