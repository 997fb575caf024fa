// The unit of work: a change, its audit entries and its events commit together or not at all, and committed
// events reach their queue with the event id their consumers act on once.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { UnitOfWork } from "../src/events/unit-of-work.js";
import { startTestSystem, watchRepository, type TestSystem } from "./harness.js";
import { RegistryClient } from "./registry-client.js";

let sys: TestSystem;
before(async () => {
  sys = await startTestSystem({ GC_INTERVAL: "0" });
});
after(async () => sys?.stop());

const admin = async () =>
  sys.services.accounts.toPrincipal(await sys.db.user.findUniqueOrThrow({ where: { username: "admin" } }));

async function waitFor<T>(probe: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("timed out");
}

describe("unit of work", () => {
  test("a unit whose transaction fails leaves neither its change, nor its audit entry, nor its event", async () => {
    const uow = new UnitOfWork(sys.db, sys.jobs);
    const p = await admin();
    await assert.rejects(
      uow.run(async (w) => {
        await w.tx.systemSetting.create({ data: { key: "uow-probe", value: "x" } });
        w.audit("org_create", { principal: p }, { namespace: "uow-probe" });
        w.emit(
          "tag_deleted",
          { repository: "uow/probe", namespace: "uow", tags: ["x"], performer: null },
          null,
        );
        throw new Error("the change fails after its writes");
      }),
      /the change fails/,
    );
    assert.equal(await sys.db.systemSetting.count({ where: { key: "uow-probe" } }), 0);
    assert.equal(
      await sys.db.auditLog.count({
        where: { kind: "org_create", metadata: { path: ["namespace"], equals: "uow-probe" } },
      }),
      0,
    );
    assert.equal(
      await sys.db.jobRecord.count({
        where: { name: "tag_deleted", payload: { path: ["repository"], equals: "uow/probe" } },
      }),
      0,
    );
  });

  test("a domain rule broken inside the transaction rolls back the change and its entry", async () => {
    const p = await admin();
    await sys.services.orgs.create(p, { name: "uoworg" });
    // The creator's `owners` team is the organization's only admin team: demoting it breaks the rule.
    await assert.rejects(sys.services.teams.update(p, "uoworg", "owners", { role: "member" }), /admin/i);
    const owners = await sys.db.team.findFirstOrThrow({
      where: { name: "owners", namespace: { name: "uoworg" } },
    });
    assert.equal(owners.role, "admin");
    assert.equal(await sys.db.auditLog.count({ where: { kind: "org_set_team_role" } }), 0);
  });

  test("a committed unit's event reaches its queue once, carrying one event id", async () => {
    const uow = new UnitOfWork(sys.db, sys.jobs);
    await uow.run(async (w) => {
      w.emit("tag_deleted", { repository: "uow/sent", namespace: "uow", tags: ["a"], performer: null }, null);
    });
    const rows = await waitFor(async () => {
      const r = await sys.db.jobRecord.findMany({
        where: { name: "tag_deleted", payload: { path: ["repository"], equals: "uow/sent" } },
      });
      return r.length && r.every((x) => x.status === "completed") ? r : null;
    });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.attempts, 1);
    assert.match(String((rows[0]!.payload as { eventId?: string }).eventId), /^[0-9a-f-]{36}$/);
  });
  test("an event about a repository becomes a notifications job only when the repository has a notification for it", async () => {
    const uow = new UnitOfWork(sys.db, sys.jobs);
    const repo = await sys.services.repos.create(await admin(), { namespace: "admin", name: "watched" });
    const emit = (tag: string) =>
      uow.run(async (w) => {
        w.emit(
          "tag_deleted",
          { repository: "admin/watched", namespace: "admin", tags: [tag], performer: null },
          repo.id,
        );
      });
    const jobsFor = (tag: string) =>
      sys.db.jobRecord.count({
        where: { name: "tag_deleted", payload: { path: ["tags"], array_contains: [tag] } },
      });
    await emit("unwatched");
    assert.equal(await jobsFor("unwatched"), 0, "nobody watches the repository: no job");
    await watchRepository(sys, "admin/watched", ["repo_image_expiry"]);
    await emit("other-event");
    assert.equal(await jobsFor("other-event"), 0, "a notification for another event does not count");
    await watchRepository(sys, "admin/watched", ["tag_deleted"]);
    await emit("watched");
    assert.equal(await jobsFor("watched"), 1);
    // Pushes go through the same rule inside hm_push_manifest.
    const reg = new RegistryClient(sys, ["admin", "admin-password"]);
    await reg.pushImage("admin/watched", "pushed-unwatched");
    const pushJobs = (tag: string) =>
      sys.db.jobRecord.count({
        where: { name: "repo_push", payload: { path: ["tags"], array_contains: [tag] } },
      });
    assert.equal(await pushJobs("pushed-unwatched"), 0);
    await watchRepository(sys, "admin/watched", ["repo_push"]);
    await reg.pushImage("admin/watched", "pushed-watched");
    assert.equal(await pushJobs("pushed-watched"), 1);
  });
});
