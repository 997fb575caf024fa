// Builds run by a separate worker process (`npm run worker`'s entry point): killed with SIGKILL mid-RUN, its
// build ends failed with "internal error" (the server's watchdog sees the heartbeat stop) and nothing of it
// keeps running; a build past BUILD_TIMEOUT is stopped and failed.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { after, before, test } from "node:test";
import { startTestSystem, watchRepository, type TestSystem } from "../apps/api/test/harness.js";
import { until } from "../apps/api/test/notifications/receivers.js";
import { processesMentioning, tarGz } from "./builds-fixtures.js";

let sys: TestSystem;
const children: ChildProcess[] = [];

before(async () => {
  // The server itself runs no builds; its watchdog looks every second (a quarter of the timeout).
  sys = await startTestSystem({
    FEATURE_BUILD_SUPPORT: "true",
    BUILD_WORKERS: "0",
    BUILD_HEARTBEAT_TIMEOUT: "4",
  });
  const admin = await sys.services.accounts.verifyPassword("admin", "admin-password");
  await sys.services.repos.create(admin!, { namespace: "admin", name: "crash" });
  await watchRepository(sys, "admin/crash", ["build_failure"]);
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await sys?.stop();
});

/** A worker process on the same database, Redis prefix and storage. */
function worker(extra: Record<string, string> = {}): ChildProcess {
  const env = {
    ...process.env,
    DATABASE_URL: sys.dbUrl,
    REDIS_PREFIX: sys.config.REDIS_PREFIX,
    DATA_DIR: sys.dataDir,
    SERVER_HOSTNAME: sys.host,
    LOG_LEVEL: "silent",
    FEATURE_BUILD_SUPPORT: "true",
    BUILD_WORKERS: "1",
    BUILD_HEARTBEAT_TIMEOUT: "4",
    ...extra,
  };
  const child = spawn(process.execPath, ["--import", "tsx", "apps/api/src/worker.ts"], {
    env,
    stdio: "ignore",
  });
  children.push(child);
  return child;
}

async function startSlowBuild(): Promise<string> {
  const admin = await sys.services.accounts.verifyPassword("admin", "admin-password");
  const slot = await sys.services.fileDrops.create(admin!, "application/gzip");
  const body = await tarGz({
    Dockerfile:
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "echo sleeping; /bin/busybox sleep 300"]\n',
    busybox: "@busybox",
  });
  const put = await fetch(slot.url, { method: "PUT", body: new Uint8Array(body) });
  assert.equal(put.status, 200);
  const b = await sys.services.builds.start(admin!, "admin/crash", { fileId: slot.fileId });
  return b.uuid;
}

const row = (uuid: string) => sys.db.build.findUniqueOrThrow({ where: { uuid } });
const sleeping = (uuid: string) =>
  until(
    async () =>
      (await sys.db.buildLog.count({ where: { build: { uuid }, message: { contains: "sleeping" } } })) > 0,
    "the RUN step to start",
    120_000,
  );

test("kill -9 of the worker mid-build: the build fails with an internal error and leaves no process", async () => {
  const w = worker();
  const uuid = await startSlowBuild();
  await sleeping(uuid);
  assert.ok(processesMentioning(uuid).length > 0, "buildah runs for the build");
  w.kill("SIGKILL");
  const done = await until(
    async () => {
      const b = await row(uuid);
      return b.phase === "internalerror" && b;
    },
    "the watchdog to fail the build",
    60_000,
  );
  assert.match(done.error ?? "", /internal error/);
  assert.ok(done.completedAt);
  await until(() => processesMentioning(uuid).length === 0, "the dead worker's processes to be gone", 30_000);
  const failure = await sys.db.jobRecord.findFirst({ where: { name: "build_failure" } });
  const payload = failure?.payload as { buildId?: string; errorMessage?: string } | undefined;
  assert.equal(payload?.buildId, uuid, "build_failure is emitted");
  assert.match(payload?.errorMessage ?? "", /internal error/);
});

test("BUILD_TIMEOUT: a build running too long is stopped and ends in error", async () => {
  worker({ BUILD_TIMEOUT: "20" });
  const uuid = await startSlowBuild();
  const done = await until(
    async () => {
      const b = await row(uuid);
      return ["error", "internalerror", "complete"].includes(b.phase) && b;
    },
    "the build to time out",
    180_000,
  );
  assert.equal(done.phase, "error");
  assert.match(done.error ?? "", /timed out after 20 seconds/i);
  await until(() => processesMentioning(uuid).length === 0, "the build's processes to be gone", 30_000);
});
