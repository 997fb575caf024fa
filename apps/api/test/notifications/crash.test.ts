// kill -9 of the process running the delivery while the receiver holds its request: the restarted process
// takes the delivery up again (Bull's stalled-job check) and the receiver, counting what it acknowledged,
// gets the event exactly once; both requests name the same delivery (X-Harbormaster-Delivery), so a
// receiver that saw the first can tell the second is the same event.
import assert from "node:assert/strict";
import pg from "pg";
import { after, before, test } from "node:test";
import { ChildServer } from "../child-server.js";
import { RegistryClient } from "../registry-client.js";
import { until, WebhookReceiver } from "./receivers.js";

let server: ChildServer;
let db: pg.Client;
const receiver = new WebhookReceiver();

before(async () => {
  await receiver.start();
  server = await ChildServer.create({ GC_INTERVAL: "0", NOTIFICATION_HTTP_TIMEOUT_SECONDS: "120" });
  await server.start();
  db = new pg.Client({ connectionString: server.env.DATABASE_URL });
  await db.connect();
});
after(async () => {
  await db?.end();
  await server?.destroy();
  await receiver.stop();
});

test("a delivery cut by kill -9 is acknowledged exactly once after the restart", async () => {
  const client = new RegistryClient({ url: server.url, host: server.env.SERVER_HOSTNAME! }, [
    "admin",
    "admin-password",
  ]);
  await client.pushImage("admin/crash", "first");
  await db.query(
    `INSERT INTO "RepositoryNotification" ("repositoryId", event, method, config)
     SELECT r.id, 'repo_push', 'webhook', jsonb_build_object('url', $1::text)
     FROM "Repository" r JOIN "Namespace" n ON n.id = r."namespaceId" WHERE n.name = 'admin' AND r.name = 'crash'`,
    [`${receiver.url}/count`],
  );
  const acknowledged: string[] = [];
  receiver.behaviour = (i) => {
    if (i === 0) return "hang"; // held until the sender dies
    acknowledged.push(String(receiver.requests[i]!.headers["x-harbormaster-delivery"]));
    return { status: 200 };
  };
  await client.pushImage("admin/crash", "second", { layer: "crash" });
  await until(() => receiver.requests.length === 1, "the first request, held");
  await server.kill9();
  await server.start();
  await until(() => receiver.requests.length === 2, "the delivery taken up again", 60_000);
  const delivery = await until(async () => {
    const r = await db.query(`SELECT id::text, status, attempts FROM "NotificationDelivery"`);
    return r.rows[0]?.status === "delivered" && r.rows[0];
  }, "the delivery recorded");
  const record = await until(async () => {
    const r = await db.query(`SELECT status::text FROM "JobRecord" WHERE queue = 'deliveries'`);
    return r.rows[0]?.status === "completed" && r.rows[0];
  }, "the delivery job completed");
  assert.ok(record);
  assert.deepEqual(acknowledged, [delivery.id], "acknowledged once");
  assert.equal(
    receiver.requests[0]!.headers["x-harbormaster-delivery"],
    delivery.id,
    "the same delivery both times",
  );
  assert.equal(delivery.attempts, 2, "the cut attempt is on record");
  assert.equal((await db.query(`SELECT count(*)::int AS n FROM "NotificationDelivery"`)).rows[0].n, 1);
  assert.equal(receiver.requests.length, 2, "nothing more was sent");
});
