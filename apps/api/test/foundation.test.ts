import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildSchema, parse, validate } from "graphql";
import fs from "node:fs";
import { ALL_DOCUMENTS, SystemDocument } from "@hm/schema";
import { ConfigError, loadConfig, parseDuration } from "../src/config/config.js";
import { applyMigrations } from "../src/infra/migrate.js";
import { SCHEMA_FILE, printCurrentSchema } from "../src/graphql/emit-schema.js";
import { createTestDatabase, startTestSystem, type TestSystem } from "./harness.js";
import { GqlSession } from "./gql-client.js";
import { print } from "graphql";
import { JobRecords } from "../src/jobs/job-records.js";

describe("configuration", () => {
  test("defaults need no settings", () => {
    const c = loadConfig({});
    assert.equal(c.PORT, 8080);
    assert.equal(c.SERVER_HOSTNAME, "localhost:8080");
    assert.equal(c.FEATURE_USER_CREATION, true);
    assert.match(c.STORAGE_PATH, /\.data\/blobs$/);
  });
  test("environment overrides with type conversion", () => {
    const c = loadConfig({
      PORT: "9000",
      FEATURE_USER_CREATION: "false",
      SUPER_USERS: "a, b",
      ALLOWED_OCI_ARTIFACT_TYPES: '{"application/x":["application/y"]}',
    });
    assert.equal(c.PORT, 9000);
    assert.equal(c.FEATURE_USER_CREATION, false);
    assert.deepEqual(c.SUPER_USERS, ["a", "b"]);
    assert.deepEqual(c.ALLOWED_OCI_ARTIFACT_TYPES, { "application/x": ["application/y"] });
  });
  test("invalid values stop start-up with a one-line message naming the key", () => {
    for (const [env, key] of [
      [{ PORT: "eighty" }, "PORT"],
      [{ FEATURE_USER_CREATION: "maybe" }, "FEATURE_USER_CREATION"],
      [{ SERVER_HOSTNAME: "bad host/x" }, "SERVER_HOSTNAME"],
      [{ ALLOWED_OCI_ARTIFACT_TYPES: "{nope" }, "ALLOWED_OCI_ARTIFACT_TYPES"],
    ] as const) {
      assert.throws(
        () => loadConfig(env),
        (e: Error) => e instanceof ConfigError && e.message.includes(key) && !e.message.includes("\n"),
      );
    }
  });
  test("config.yaml uses Quay's key names; the environment wins", () => {
    const file = `/tmp/hm-config-${process.pid}.yaml`;
    fs.writeFileSync(
      file,
      "SERVER_HOSTNAME: quay.example.com\nFEATURE_GENERAL_OCI_SUPPORT: false\nSUPER_USERS: [root1]\n",
    );
    const c = loadConfig({ CONFIG_FILE: file, SUPER_USERS: "root2" });
    assert.equal(c.SERVER_HOSTNAME, "quay.example.com");
    assert.equal(c.FEATURE_GENERAL_OCI_SUPPORT, false);
    assert.deepEqual(c.SUPER_USERS, ["root2"]);
    fs.rmSync(file);
  });
  test("durations", () => {
    assert.equal(parseDuration("2w"), 1209600);
    assert.equal(parseDuration("3h"), 10800);
    assert.equal(parseDuration("3x"), null);
  });
});

describe("migrations", () => {
  test("several processes starting at once migrate exactly once", async () => {
    const db = await createTestDatabase();
    try {
      const results = await Promise.all([
        applyMigrations(db.url),
        applyMigrations(db.url),
        applyMigrations(db.url),
      ]);
      const all = fs.readdirSync("prisma/migrations").filter((d) => /^\d+_/.test(d));
      assert.ok(all.length >= 1);
      // Each migration is applied by exactly one starter: together they applied each name once.
      assert.deepEqual(results.flat().sort(), all.sort());
      assert.deepEqual(await applyMigrations(db.url), []);
    } finally {
      await db.drop();
    }
  });
});

describe("GraphQL schema package", () => {
  test("packages/schema/schema.graphql matches the resolvers", async () => {
    assert.equal(
      fs.readFileSync(SCHEMA_FILE, "utf8"),
      await printCurrentSchema(),
      "run: npm run emit-schema -w @hm/api",
    );
  });
  test("every typed document is valid against the schema", () => {
    const schema = buildSchema(fs.readFileSync(SCHEMA_FILE, "utf8"));
    for (const [name, d] of Object.entries(ALL_DOCUMENTS)) {
      assert.deepEqual(
        validate(schema, parse(print(d as Parameters<typeof print>[0]))).map((e) => e.message),
        [],
        name,
      );
    }
  });
});

describe("running system", () => {
  let sys: TestSystem;
  before(async () => {
    sys = await startTestSystem();
  });
  after(async () => sys?.stop());

  test("health endpoints", async () => {
    assert.equal((await fetch(`${sys.url}/health/live`)).status, 200);
    const ready = await fetch(`${sys.url}/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual((await ready.json()).checks, { database: true, redis: true, storage: true });
  });

  test("GraphQL answers and refuses CSRF-prone requests", async () => {
    const { status, body } = await new GqlSession(sys).raw(SystemDocument);
    assert.equal(status, 200);
    assert.equal(body.errors, undefined);
    assert.equal(body.data?.system.serverHostname, sys.host);
    const csrf = await fetch(`${sys.url}/graphql?query=${encodeURIComponent("{__typename}")}`);
    assert.equal(csrf.status, 400, "a simple GET without a preflight header is refused");
    const bad = await fetch(`${sys.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    assert.equal(bad.status, 400);
  });

  test("metrics in Prometheus format", async () => {
    const text = await (await fetch(`${sys.url}/metrics`)).text();
    assert.match(text, /# TYPE hm_http_requests_total counter/);
    assert.match(text, /process_resident_memory_bytes/);
  });

  test("the web console is served at / with SPA fallback", async (t) => {
    const index = await fetch(`${sys.url}/`, { headers: { accept: "text/html" } });
    if (!fs.existsSync(new URL("../../web/dist/index.html", import.meta.url))) {
      assert.fail("apps/web is not built: run npm run build first");
    }
    assert.equal(index.status, 200);
    assert.match(await index.text(), /<div id="root">/);
    const deep = await fetch(`${sys.url}/organization/acme/teams`, { headers: { accept: "text/html" } });
    assert.equal(deep.status, 200);
    assert.match(await deep.text(), /<div id="root">/);
    const apiMiss = await fetch(`${sys.url}/v2/nope`);
    assert.notEqual(apiMiss.headers.get("content-type")?.includes("text/html"), true);
    t.diagnostic("console served");
  });

  test("the initial superuser exists", async () => {
    const u = await sys.db.user.findUnique({ where: { username: "admin" } });
    assert.equal(u?.superuser, true);
  });

  test("a job goes through Bull and its record in the database completes", async () => {
    const id = await sys.jobs.enqueue("maintenance", "heartbeat", {});
    const rec = await waitFor(async () => {
      const r = await sys.db.jobRecord.findUnique({ where: { id } });
      return r?.status === "completed" ? r : null;
    });
    assert.ok(rec.startedAt && rec.finishedAt);
  });

  test("jobs lost with Redis are re-enqueued from their records", async () => {
    // A record whose Bull job vanished (as after a Redis loss) ...
    const rec = await sys.db.jobRecord.create({
      data: { queue: "maintenance", name: "upload-cleanup", payload: { manual: true } },
    });
    // upload-cleanup is periodic and must not be replayed; an event job must be.
    const ev = await sys.db.jobRecord.create({
      data: { queue: "notifications", name: "repo_push", payload: { repository: "x/y" } },
    });
    const n = await sys.jobs.recover();
    assert.ok(n >= 1);
    const done = await waitFor(async () => {
      const r = await sys.db.jobRecord.findUnique({ where: { id: ev.id } });
      return r?.status === "completed" ? r : null;
    });
    assert.equal((done.result as { event: string }).event, "repo_push");
    assert.equal((await sys.db.jobRecord.findUnique({ where: { id: rec.id } }))?.status, "queued");
  });

  test("a failed run goes back to queued while attempts remain, then ends failed", async () => {
    const records = new JobRecords(sys.pool);
    const id = await records.createRunning("maintenance", "probe");
    const read = () => sys.db.jobRecord.findUniqueOrThrow({ where: { id } });
    assert.equal((await read()).attempts, 1);
    await records.fail(id, false, "first try broke");
    let r = await read();
    assert.deepEqual([r.status, r.error, r.finishedAt], ["queued", "first try broke", null]);
    await records.start(id);
    assert.deepEqual([(await read()).status, (await read()).attempts], ["running", 2]);
    await records.fail(id, true, "gave up");
    r = await read();
    assert.deepEqual([r.status, r.error], ["failed", "gave up"]);
    assert.ok(r.finishedAt, "a final failure has an end time");
    // A short job's run is recorded with its outcome: start time and attempt in the same write.
    const queued = await sys.db.jobRecord.create({ data: { queue: "notifications", name: "x" } });
    const startedAt = new Date(Date.now() - 1500);
    await records.complete(queued.id, { delivered: 0 }, startedAt);
    const done = await sys.db.jobRecord.findUniqueOrThrow({ where: { id: queued.id } });
    assert.deepEqual(
      [done.status, done.attempts, done.startedAt?.getTime(), done.result],
      ["completed", 1, startedAt.getTime(), { delivered: 0 }],
    );
  });

  test("expired upload sessions are cleaned by the maintenance worker", async () => {
    const admin = await sys.db.user.findUniqueOrThrow({ where: { username: "admin" } });
    const repo = await sys.services.repos.create(sys.services.accounts.toPrincipal(admin), {
      namespace: "admin",
      name: "cleanup",
    });
    const u = await sys.services.blobs.startUpload(repo);
    const twoDaysAgo = new Date(Date.now() - 2 * 86400_000);
    await sys.db.upload.update({ where: { id: u.id }, data: { createdAt: twoDaysAgo } });
    // A session started long ago but still receiving chunks is not stale: its scratch file's mtime is now.
    const live = await sys.services.blobs.startUpload(repo);
    await sys.db.upload.update({ where: { id: live.id }, data: { createdAt: twoDaysAgo } });
    fs.utimesSync(`${sys.config.STORAGE_PATH}/uploads/${u.id}`, twoDaysAgo, twoDaysAgo);
    const id = await sys.jobs.enqueue("maintenance", "upload-cleanup", {});
    const rec = await waitFor(async () => {
      const r = await sys.db.jobRecord.findUnique({ where: { id } });
      return r?.status === "completed" ? r : null;
    });
    assert.equal((rec.result as { sessions: number }).sessions, 1);
    assert.equal(await sys.db.upload.count({ where: { id: u.id } }), 0);
    assert.equal(fs.existsSync(`${sys.config.STORAGE_PATH}/uploads/${u.id}`), false);
    assert.equal(await sys.db.upload.count({ where: { id: live.id } }), 1, "the active one stays");
  });
});

async function waitFor<T>(fn: () => Promise<T | null>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timed out waiting");
}
