// Redis restarts (losing everything: no persistence) while jobs are queued and running, and is down while
// new work arrives. Pushes keep working, and every job completes once Redis is back: the JobRecord rows
// in PostgreSQL are the truth and the job system re-enqueues from them.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import { freePort } from "../../src/infra/embedded-postgres.js";
import { startTestSystem, watchRepository, type TestSystem } from "../harness.js";
import { RegistryClient } from "../registry-client.js";

let sys: TestSystem;
let redis: ChildProcess | null = null;
let redisPort: number;

async function startRedis() {
  redis = spawn(
    "redis-server",
    ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(redisPort, "127.0.0.1");
      s.on("connect", () => (s.destroy(), resolve(true)));
      s.on("error", () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("redis-server did not start");
}

function stopRedis(): Promise<void> {
  return new Promise((resolve) => {
    if (!redis || redis.exitCode !== null) return resolve();
    redis.once("exit", () => resolve());
    redis.kill("SIGKILL");
  });
}

async function waitFor(what: string, fn: () => Promise<boolean>, ms = 60_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  redisPort = await freePort();
  await startRedis();
  // Errors are logged (not silenced) so a failure under load says what went wrong.
  sys = await startTestSystem({ REDIS_URL: `redis://127.0.0.1:${redisPort}`, LOG_LEVEL: "error" });
  await sys.services.accounts.createUser({
    username: "alice",
    email: "alice@example.com",
    password: "password-123",
  });
  // The repository exists and has a notification for pushes, so that each push event becomes a job.
  await new RegistryClient(sys, ["alice", "password-123"]).imageManifest("alice/app");
  await watchRepository(sys, "alice/app", ["repo_push"]);
});
after(async () => {
  await sys?.stop();
  await stopRedis();
});

describe("Redis restart", { concurrency: false }, () => {
  test("a Redis that stops answering does not hold up pushes; their events run once it answers", async () => {
    const { db } = sys;
    const reg = new RegistryClient(sys, ["alice", "password-123"]);
    await reg.token("alice/app");
    // The Redis process is stopped (SIGSTOP): its connections stay open and nothing answers, as with a
    // stalled server, for as long as the test wants — it is resumed only once the push has been answered,
    // so no race between a pause's length and the machine's speed decides the outcome. A push that waited
    // for its event's enqueue would never be answered: the watchdog resumes Redis and fails the test.
    redis!.kill("SIGSTOP");
    let stopped = true;
    const watchdog = setTimeout(() => {
      stopped = false;
      redis?.kill("SIGCONT");
    }, 120_000);
    try {
      await reg.pushImage("alice/app", "while-stopped");
      assert.ok(stopped, "the push was answered only after Redis answered again");
    } finally {
      clearTimeout(watchdog);
      redis?.kill("SIGCONT");
    }
    await waitFor("the push's event to complete", async () => {
      const r = await db.jobRecord.findFirst({
        where: { name: "repo_push", payload: { path: ["tags"], array_contains: ["while-stopped"] } },
      });
      return r?.status === "completed";
    });
  });

  test("jobs queued before, during and after an outage all complete", async () => {
    const { db, jobs } = sys;
    const reg = new RegistryClient(sys, ["alice", "password-123"]);
    await reg.token("alice/app"); // tokens are signed locally: no Redis involved
    // Before: a burst of jobs, then Redis dies with some of them queued or running.
    const before = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        jobs.enqueue("notifications", "repo_push", {
          repository: "x",
          namespace: "y",
          tags: [`b${i}`],
          digest: "d",
          pusher: null,
        }),
      ),
    );
    await stopRedis();
    // During: pushes still succeed (their repo_push events are recorded, not lost).
    const started = Date.now();
    for (let i = 0; i < 5; i++) await reg.pushImage("alice/app", `during-${i}`);
    const during = await db.jobRecord.count({
      where: { name: "repo_push", payload: { path: ["tags"], array_contains: ["during-0"] } },
    });
    assert.equal(during, 1, "the push's event is recorded while Redis is down");
    console.log(`redis-restart: 5 pushes during the outage took ${Date.now() - started} ms`);
    // After: an empty Redis comes back.
    await startRedis();
    await reg.pushImage("alice/app", "after");
    await waitFor(
      "every job record to complete",
      async () => (await db.jobRecord.count({ where: { status: { in: ["queued", "running"] } } })) === 0,
    );
    const total = await db.jobRecord.count({ where: { queue: "notifications" } });
    const done = await db.jobRecord.count({ where: { queue: "notifications", status: "completed" } });
    assert.equal(done, total);
    assert.ok(total >= before.length + 6);
    console.log(`redis-restart: ${done}/${total} notification jobs completed after the restart`);
    // Every push of the outage reached the notification: one delivery each, delivered (the admin's bell).
    const delivered = await db.notificationDelivery.findMany({ where: { event: "repo_push" } });
    for (const tag of ["during-0", "during-4", "after"])
      assert.equal(
        delivered.filter(
          (d) =>
            (d.payload as { updated_tags: string[] }).updated_tags.includes(tag) && d.status === "delivered",
        ).length,
        1,
        `the push of ${tag} delivered once`,
      );
    const admin = await db.user.findUniqueOrThrow({ where: { username: "admin" } });
    assert.ok((await db.userNotification.count({ where: { userId: admin.id, kind: "repo_push" } })) >= 7);
  });
});
