// kill -9 right after a unit of work commits and before its outbox rows reach Bull (the server's
// TEST_CRASH_AFTER_COMMIT failpoint), for a push, a tag delete, a tag expiry and a GC pass. After a restart
// each event is delivered exactly once (recovery hands the committed rows to Bull) and each audit entry
// exists exactly when its change does.
import assert from "node:assert/strict";
import Bull from "bull";
import { Redis } from "ioredis";
import pg from "pg";
import { after, before, describe, test } from "node:test";
import { ChildServer } from "../child-server.js";
import { WATCH_REPOSITORY_SQL } from "../harness.js";
import { RegistryClient } from "../registry-client.js";

const REDIS_URL = "redis://127.0.0.1:6379";
let server: ChildServer;
let db: pg.Client;
let redis: Redis;
let client: RegistryClient;

before(async () => {
  server = await ChildServer.create({ GC_INTERVAL: "0" });
  await server.start();
  db = new pg.Client({ connectionString: server.env.DATABASE_URL });
  await db.connect();
  redis = new Redis(REDIS_URL);
  client = new RegistryClient({ url: server.url, host: server.env.SERVER_HOSTNAME! }, [
    "admin",
    "admin-password",
  ]);
});
after(async () => {
  await db?.end();
  await server?.destroy();
  redis?.disconnect();
});

const one = async <T>(sql: string, values: unknown[] = []) => (await db.query(sql, values)).rows[0] as T;
/** A notification for the event, so that the event becomes a notifications job at all. */
const watch = (full: string, event: string) => db.query(WATCH_REPOSITORY_SQL, [...full.split("/"), [event]]);
const count = async (sql: string, values: unknown[] = []) =>
  Number((await one<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, values)).n);

/** Restarts the server with the failpoint set, runs `act` (whose request dies with the server), waits for the kill. */
async function crashAfterCommitOf(failpoint: string, act: () => Promise<unknown>) {
  await server.terminate();
  server.env.TEST_CRASH_AFTER_COMMIT = failpoint;
  await server.start();
  const killed = new Promise((resolve) => server.child!.once("exit", (_code, signal) => resolve(signal)));
  await act().catch(() => {});
  assert.equal(await killed, "SIGKILL", `the server was killed after committing ${failpoint}`);
  delete server.env.TEST_CRASH_AFTER_COMMIT;
}

/** The job records of an event: before the restart none is in Bull; after it, each completes once. */
async function deliveriesOf(event: string) {
  return (
    await db.query<{ id: string; queue: string; status: string; attempts: number; eventId: string | null }>(
      `SELECT id::text, queue, status::text, attempts, payload->>'eventId' AS "eventId"
       FROM "JobRecord" WHERE name = $1 ORDER BY id`,
      [event],
    )
  ).rows;
}

async function assertDeliveredOnce(event: string) {
  const before = await deliveriesOf(event);
  assert.equal(before.length, 1, `one outbox row for ${event} (one subscribed queue)`);
  assert.equal(before[0]!.status, "queued");
  assert.ok(before[0]!.eventId, "the event carries its id");
  const bullKey = `${server.env.REDIS_PREFIX}:bull:${before[0]!.queue}:${before[0]!.id}`;
  assert.equal(await redis.exists(bullKey), 0, "the crash came before the hand-over to Bull");
  await server.start();
  let rows = before;
  for (let i = 0; i < 300 && rows.some((r) => r.status !== "completed"); i++) {
    await new Promise((r) => setTimeout(r, 100));
    rows = await deliveriesOf(event);
  }
  assert.deepEqual(
    rows.map((r) => ({ id: r.id, status: r.status, attempts: r.attempts, eventId: r.eventId })),
    [{ id: before[0]!.id, status: "completed", attempts: 1, eventId: before[0]!.eventId }],
  );
}

async function runGcJob(repository: string) {
  const [ns, name] = repository.split("/");
  const { id } = await one<{ id: string }>(
    `SELECT r.id::text FROM "Repository" r JOIN "Namespace" n ON n.id = r."namespaceId" WHERE n.name = $1 AND r.name = $2`,
    [ns, name],
  );
  // As the job system enqueues it: its record first, then the Bull job named by the record's id.
  const payload = { repositoryId: id };
  const rec = await one<{ id: string }>(
    `INSERT INTO "JobRecord" (queue, name, payload) VALUES ('gc', 'gc-repository', $1) RETURNING id::text`,
    [payload],
  );
  const q = new Bull("gc", REDIS_URL, { prefix: `${server.env.REDIS_PREFIX}:bull` });
  await q.add("gc-repository", { recordId: rec.id, payload }, { jobId: rec.id });
  await q.close();
}

describe("crash after commit, before dispatch", () => {
  test("a push: manifest, tag, push_repo entry and one repo_push delivery", async () => {
    const manifest = await client.imageManifest("admin/pushed");
    await watch("admin/pushed", "repo_push");
    await crashAfterCommitOf("repo_push", () => client.putManifest("admin/pushed", "v1", manifest));
    assert.equal(await count(`"Tag" WHERE name = 'v1' AND "lifetimeEnd" IS NULL`), 1);
    assert.equal(await count(`"AuditLog" WHERE kind = 'push_repo' AND metadata->>'repo' = 'pushed'`), 1);
    await assertDeliveredOnce("repo_push");
  });

  test("a tag delete: the tag ended, one delete_tag entry and one tag_deleted delivery", async () => {
    await client.pushImage("admin/deleted", "v1");
    await watch("admin/deleted", "tag_deleted");
    await crashAfterCommitOf("tag_deleted", () => client.req("DELETE", "admin/deleted", "/manifests/v1"));
    const alive = `"Tag" t JOIN "Repository" r ON r.id = t."repositoryId"
      WHERE r.name = 'deleted' AND t.name = 'v1' AND (t."lifetimeEnd" IS NULL OR t."lifetimeEnd" > now())`;
    assert.equal(await count(alive), 0);
    assert.equal(await count(`"AuditLog" WHERE kind = 'delete_tag' AND metadata->>'repo' = 'deleted'`), 1);
    await assertDeliveredOnce("tag_deleted");
  });

  test("a tag expiry: announced once by the GC pass that marked it", async () => {
    await client.pushImage("admin/expiring", "v1");
    await watch("admin/expiring", "repo_image_expiry");
    await db.query(`UPDATE "Tag" SET expires = true, "lifetimeStart" = now() - interval '1 minute',
      "lifetimeEnd" = now() - interval '1 second'
      WHERE "repositoryId" = (SELECT id FROM "Repository" WHERE name = 'expiring')`);
    await crashAfterCommitOf("repo_image_expiry", () => runGcJob("admin/expiring"));
    assert.equal(
      await count(
        `"Tag" WHERE "expiryNotified" AND "repositoryId" = (SELECT id FROM "Repository" WHERE name = 'expiring')`,
      ),
      1,
    );
    await assertDeliveredOnce("repo_image_expiry");
  });

  test("a GC pass: its deletions all committed, and the interrupted run completes after the restart", async () => {
    await client.pushImage("admin/collected", "v1");
    await client.req("DELETE", "admin/collected", "/manifests/v1");
    const repo = `(SELECT id FROM "Repository" WHERE name = 'collected')`;
    await db.query(`UPDATE "Namespace" SET "timeMachineSeconds" = 0 WHERE name = 'admin'`);
    await db.query(
      `UPDATE "Manifest" SET "createdAt" = now() - interval '30 days' WHERE "repositoryId" = ${repo}`,
    );
    await crashAfterCommitOf("gc_pass", () => runGcJob("admin/collected"));
    // The pass is one transaction: the ended tag row and the manifest it pointed at went together.
    assert.equal(await count(`"Tag" WHERE "repositoryId" = ${repo}`), 0);
    assert.equal(await count(`"Manifest" WHERE "repositoryId" = ${repo}`), 0);
    const run = await one<{ id: string; status: string }>(
      `SELECT id::text, status::text FROM "JobRecord" WHERE name = 'gc-repository' ORDER BY id DESC LIMIT 1`,
    );
    assert.equal(run.status, "running", "the killed run is still open");
    await server.start();
    let status = run.status;
    // The run was active in Bull when its worker died: Bull hands a stalled job out again only once its lock
    // has expired (30 s) and its stall check (every 30 s) has seen it, so this waits up to three minutes.
    for (let i = 0; i < 1800 && status !== "completed"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await one<{ status: string }>(`SELECT status::text FROM "JobRecord" WHERE id = $1`, [run.id]))
        .status;
    }
    assert.equal(status, "completed", "recovery re-ran the interrupted GC job");
  });
});
