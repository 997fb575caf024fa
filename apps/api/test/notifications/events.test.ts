// The events' contract as the notifications worker receives them (build, vulnerability, mirror; the
// builds, scanning and mirroring capabilities emit them later), image expiry ahead of time, an event fanned
// out twice, and the bell (a team target, quota crossings).
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, test } from "node:test";
import { assertQuayError } from "../rest/client.js";
import { notificationWorld } from "./fixtures.js";
import { until } from "./receivers.js";

const w = await notificationWorld();
const { receiver, world, hook, create, deliveries } = w;
describe("events", () => {
  // The consumer's contract, as the notifications worker receives an event (the builds, scanning and
  // mirroring capabilities emit these later).
  const fanOut = (event: any, payload: object) =>
    world.sys.services.deliveries.fanOut(event, { ...payload, eventId: crypto.randomUUID() });

  test("a build failure carries the seed's build fields", async () => {
    const p = hook();
    await create({ event: "build_failure", method: "webhook", config: { url: receiver.url + p } });
    await fanOut("build_failure", {
      repository: w.repo,
      namespace: w.owner.name,
      buildId: "5346a21d-3434-4764-85be-5be1296f293c",
      buildName: "6ae9a86",
      dockerTags: ["master", "latest"],
      triggerKind: "github",
      triggerId: "38b6e180-9521-4ff7-9844-acf371340b9e",
      triggerMetadata: { commit: "6ae9a86930fc73dd07b02e4c5bf63ee60be180ad", ref: "refs/heads/master" },
      errorMessage: "Could not find or parse Dockerfile: unknown instruction: GIT",
    });
    const [got] = await until(() => receiver.on(p).length && receiver.on(p), "the build event");
    assert.deepEqual(got!.json, {
      build_id: "5346a21d-3434-4764-85be-5be1296f293c",
      trigger_kind: "github",
      name: "app",
      repository: w.repo,
      namespace: w.owner.name,
      docker_url: `${world.sys.host}/${w.repo}`,
      trigger_id: "38b6e180-9521-4ff7-9844-acf371340b9e",
      docker_tags: ["master", "latest"],
      build_name: "6ae9a86",
      trigger_metadata: { commit: "6ae9a86930fc73dd07b02e4c5bf63ee60be180ad", ref: "refs/heads/master" },
      homepage: `http://${world.sys.host}/repository/${w.repo}/build/5346a21d-3434-4764-85be-5be1296f293c`,
      error_message: "Could not find or parse Dockerfile: unknown instruction: GIT",
    });
  });

  test("a vulnerability filter lets through events at least as severe as its level", async () => {
    const p = hook();
    await create({
      event: "vulnerability_found",
      method: "webhook",
      config: { url: receiver.url + p },
      eventConfig: { level: "High" },
    });
    const vuln = (priority: string, cve: string) =>
      fanOut("vulnerability_found", {
        repository: w.repo,
        namespace: w.owner.name,
        tags: ["latest"],
        vulnerability: { id: cve, description: "d", link: "http://x", priority, has_fix: true },
      });
    // The fan-out's answer says what it delivered, before any request is made.
    assert.equal((await vuln("Medium", "CVE-1")).delivered, 0, "below the level: no delivery");
    assert.equal((await vuln("Critical", "CVE-2")).delivered, 1);
    const [got] = await until(() => receiver.on(p).length && receiver.on(p), "the critical one");
    assert.equal(got!.json.vulnerability.id, "CVE-2");
    assert.equal(receiver.on(p).length, 1);
  });

  test("image expiry: tags expiring within the notification's days are reported once", async () => {
    const p = hook();
    const n = await create({
      event: "repo_image_expiry",
      method: "webhook",
      config: { url: receiver.url + p },
      eventConfig: { days: 2 },
    });
    await w.registry.pushImage(w.repo, "soon", { layer: "expiring" });
    const soon = new Date(Date.now() + 86400_000).toISOString().replace(/\.\d+Z$/, "Z");
    await w.owner.rest.put(`/repository/${w.repo}/tag/soon`, {
      expiration: Math.floor(Date.parse(soon) / 1000),
    });
    const first = await world.sys.services.deliveries.expiryScan();
    assert.ok(first.tagsReported >= 1);
    const [got] = await until(() => receiver.on(p).length && receiver.on(p), "the expiry event");
    assert.deepEqual(got!.json.tags, ["soon"]);
    assert.equal(got!.json.expiring_in, "2 days");
    const again = await world.sys.services.deliveries.expiryScan();
    assert.equal(again.tagsReported, 0, "each tag once");
    assert.equal((await deliveries(n.uuid)).length, 1);
  });

  test("an event fanned out twice is delivered once", async () => {
    const p = hook();
    const n = await create({
      event: "repo_mirror_sync_failed",
      method: "webhook",
      config: { url: receiver.url + p },
    });
    const payload = {
      repository: w.repo,
      namespace: w.owner.name,
      error: "upstream unreachable",
      eventId: crypto.randomUUID(),
    };
    const first = await world.sys.services.deliveries.fanOut("repo_mirror_sync_failed", payload);
    const second = await world.sys.services.deliveries.fanOut("repo_mirror_sync_failed", payload);
    assert.deepEqual([first.delivered, second.delivered], [1, 0], "the second fan-out adds no delivery job");
    await until(() => receiver.on(p).length, "the mirror event");
    const [d] = await deliveries(n.uuid);
    assert.equal((await deliveries(n.uuid)).length, 1);
    const jobs = await world.sys.db.jobRecord.count({
      where: { queue: "deliveries", payload: { path: ["deliveryId"], equals: String(d!.id) } },
    });
    assert.equal(jobs, 1, "one job for the delivery");
    assert.equal(receiver.on(p)[0]!.json.error, "upstream unreachable");
  });
});

describe("the bell", () => {
  test("a team target rings each member once; the user reads and dismisses it", async () => {
    const admin = await world.as("admin", "admin-password");
    const org = `bellorg${Math.random().toString(16).slice(2, 8)}`;
    await admin.post("/organization/", { name: org, email: `${org}@example.com` });
    const member = await world.user("member");
    await admin.put(`/organization/${org}/team/ops`, { role: "member" });
    await admin.put(`/organization/${org}/team/ops/members/${member.name}`);
    // A user joins a team by accepting the invitation.
    const me = await world.principal(member.name, member.password);
    const [invite] = await world.sys.services.teams.invitationsFor(me);
    await world.sys.services.teams.acceptInvite(me, invite!.id);
    await admin.post("/repository", {
      namespace: org,
      repository: "svc",
      visibility: "private",
      description: "",
    });
    const n = await admin.expect(201, "POST", `/repository/${org}/svc/notification/`, {
      event: "repo_push",
      method: "quay_notification",
      config: { target: { kind: "team", name: "ops" } },
    });
    await admin.post(`/repository/${org}/svc/notification/${n.uuid}/test`);
    const list = await until(async () => {
      const l = await member.rest.get("/user/notifications");
      return l.notifications.length && l;
    }, "the member's bell");
    assert.equal(list.unread, 1);
    assert.equal(list.notifications[0].kind, "repo_push");
    assert.equal(list.notifications[0].metadata.summary, `Repository ${org}/svc updated`);
    const id = list.notifications[0].id;
    const put = await member.rest.put(`/user/notifications/${id}`, { dismissed: true });
    assert.equal(put.dismissed, true);
    assert.equal((await member.rest.get("/user/notifications")).notifications.length, 0);
    assertQuayError(await w.owner.rest.call("GET", `/user/notifications/${id}`), 404);
  });

  test("a quota crossing rings the namespace's admins", async () => {
    await world.sys.services.deliveries.fanOut("quota_error", {
      namespace: w.owner.name,
      usedBytes: 10,
      limitBytes: 5,
      eventId: crypto.randomUUID(),
    });
    const list = await w.owner.rest.get("/user/notifications");
    assert.ok(
      list.notifications.some((x: any) => x.metadata.summary === `${w.owner.name} quota has been exceeded`),
    );
  });
});
