// Repository notifications end to end, against real receivers started here: the webhook body with the
// seed's fields and its HMAC signature, Slack/Teams/Flowdock/HipChat formats, retries with backoff, a
// receiver that hangs, disabling after consecutive failures and the reset, the synthetic build,
// vulnerability and mirror events, image expiry ahead of time, the bell, and the REST answers.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { RegistryClient } from "../registry-client.js";
import { RestWorld, assertQuayError, type Rest } from "../rest/client.js";
import { until, WebhookReceiver } from "./receivers.js";

const receiver = new WebhookReceiver();
await receiver.start();
const world = RestWorld.forFile({
  NOTIFICATION_RETRY_DELAY_SECONDS: "0.1",
  NOTIFICATION_DELIVERY_ATTEMPTS: "3",
  NOTIFICATION_HTTP_TIMEOUT_SECONDS: "1",
  NOTIFICATION_FAILURE_LIMIT: "5",
  FLOWDOCK_API_URL: `${receiver.url}/flowdock/`,
  HIPCHAT_API_URL: `${receiver.url}/hipchat/`,
});
after(() => receiver.stop());

let owner: { name: string; password: string; rest: Rest };
let repo = "";
let registry: RegistryClient;
let path = 0;
/** A fresh receiver path per notification, so each test reads only its own requests. */
const hook = () => `/hook${++path}`;

const create = (body: object, r = repo) =>
  owner.rest.expect(201, "POST", `/repository/${r}/notification/`, body);
const deliveries = (uuid: string) =>
  world.sys.db.notificationDelivery.findMany({ where: { notification: { uuid } }, orderBy: { id: "asc" } });

before(async () => {
  await world.start();
  owner = await world.user("notif");
  repo = `${owner.name}/app`;
  registry = new RegistryClient(world.sys, [owner.name, owner.password]);
  await registry.pushImage(repo, "seed");
});

describe("webhook", () => {
  test("a push is POSTed with the seed's fields, signed with the secret shown once", async () => {
    const p = hook();
    const n = await create({
      event: "repo_push",
      method: "webhook",
      config: { url: receiver.url + p },
      title: "CI",
    });
    assert.match(n.signing_secret, /^[0-9a-f]{64}$/);
    const shown = await owner.rest.get(`/repository/${repo}/notification/${n.uuid}`);
    assert.equal(shown.signing_secret, undefined, "the secret is not shown again");
    assert.deepEqual(shown.config, { url: receiver.url + p });
    await registry.pushImage(repo, "v1", { layer: "push-one" });
    const [got] = await until(() => receiver.on(p).length && receiver.on(p), "the push's webhook");
    assert.deepEqual(got!.json, {
      repository: repo,
      namespace: owner.name,
      name: "app",
      docker_url: `${world.sys.host}/${repo}`,
      homepage: `http://${world.sys.host}/repository/${repo}`,
      updated_tags: ["v1"],
    });
    const expected = `sha256=${crypto.createHmac("sha256", n.signing_secret).update(got!.raw).digest("hex")}`;
    assert.equal(got!.headers["x-harbormaster-signature"], expected);
    assert.equal(got!.headers["x-harbormaster-event"], "repo_push");
    const [d] = await until(async () => {
      const ds = await deliveries(n.uuid);
      return ds[0]?.status === "delivered" && ds;
    }, "the delivery recorded");
    assert.equal(d!.attempts, 1);
    assert.equal(d!.lastStatusCode, 200);
    assert.equal(String(d!.id), got!.headers["x-harbormaster-delivery"]);
  });

  test("a receiver failing twice gets the event on the third attempt; failures reset on success", async () => {
    const p = hook();
    const n = await create({ event: "repo_push", method: "webhook", config: { url: receiver.url + p } });
    let seen = 0;
    const prev = receiver.behaviour;
    receiver.behaviour = (i) => (receiver.requests[i]!.path === p && seen++ < 2 ? { status: 503 } : prev(i));
    await registry.pushImage(repo, "v2", { layer: "retry" });
    const [d] = await until(async () => {
      const ds = await deliveries(n.uuid);
      return ds[0]?.status === "delivered" && ds;
    }, "the retried delivery");
    receiver.behaviour = prev;
    assert.equal(d!.attempts, 3);
    assert.equal(receiver.on(p).length, 3);
    const after = await owner.rest.get(`/repository/${repo}/notification/${n.uuid}`);
    assert.equal(after.number_of_failures, 0);
  });

  test("a receiver that hangs fails by the deadline; consecutive failures disable until reset", async () => {
    const p = hook();
    const n = await create({ event: "repo_push", method: "webhook", config: { url: receiver.url + p } });
    const prev = receiver.behaviour;
    receiver.behaviour = (i) => (receiver.requests[i]!.path === p ? "hang" : prev(i));
    await registry.pushImage(repo, "v3", { layer: "hang" });
    const [d] = await until(async () => {
      const ds = await deliveries(n.uuid);
      return ds[0]?.status === "failed" && ds;
    }, "the failed delivery");
    assert.equal(d!.attempts, 3);
    assert.match(d!.lastError ?? "", /No answer within 1 s/);
    assert.equal((await owner.rest.get(`/repository/${repo}/notification/${n.uuid}`)).number_of_failures, 3);
    // Two more failed attempts reach the limit (5): the notification is disabled, mid-delivery.
    await registry.pushImage(repo, "v4", { layer: "hang-2" });
    const disabled = await until(async () => {
      const v = await owner.rest.get(`/repository/${repo}/notification/${n.uuid}`);
      return v.disabled && v;
    }, "the notification disabled");
    assert.equal(disabled.number_of_failures, 5);
    const second = (await deliveries(n.uuid))[1]!;
    assert.equal(second.status, "failed");
    assert.equal(second.attempts, 2, "no attempt after the notification was disabled");
    // Disabled: a push writes no delivery for it.
    const before = receiver.on(p).length;
    await registry.pushImage(repo, "v5", { layer: "while-disabled" });
    assert.equal((await deliveries(n.uuid)).length, 2);
    // Reset: failures 0, enabled, delivered again.
    receiver.behaviour = prev;
    await owner.rest.expect(204, "POST", `/repository/${repo}/notification/${n.uuid}`);
    const reset = await owner.rest.get(`/repository/${repo}/notification/${n.uuid}`);
    assert.equal(reset.number_of_failures, 0);
    assert.equal(reset.disabled, false);
    await registry.pushImage(repo, "v6", { layer: "after-reset" });
    await until(() => receiver.on(p).length > before, "a delivery after the reset");
  });

  test("an answer's body is capped in the record", async () => {
    const p = hook();
    const n = await create({ event: "repo_push", method: "webhook", config: { url: receiver.url + p } });
    const prev = receiver.behaviour;
    receiver.behaviour = (i) =>
      receiver.requests[i]!.path === p ? { status: 200, body: "x".repeat(1 << 20) } : prev(i);
    await owner.rest.post(`/repository/${repo}/notification/${n.uuid}/test`);
    const [d] = await until(async () => {
      const ds = await deliveries(n.uuid);
      return ds[0]?.status === "delivered" && ds;
    }, "the test delivery");
    receiver.behaviour = prev;
    assert.ok(d!.responseExcerpt!.length <= 1024, `${d!.responseExcerpt!.length} characters kept`);
    assert.ok(d!.eventId.startsWith("test:"));
    assert.deepEqual(receiver.on(p)[0]!.json.updated_tags, ["latest"], "the test sends the event's sample");
  });

  test("bad targets are refused with Quay's error JSON", async () => {
    const base = `/repository/${repo}/notification/`;
    const cases: [object, RegExp][] = [
      [{ event: "repo_push", method: "webhook", config: {} }, /Missing webhook URL/],
      [
        { event: "repo_push", method: "webhook", config: { url: "ftp://example.com/" } },
        /http:\/\/ or https:\/\//,
      ],
      [
        { event: "repo_push", method: "webhook", config: { url: "http://169.254.169.254/latest" } },
        /may not reach/,
      ],
      [{ event: "repo_push", method: "slack", config: {} }, /Missing Slack Callback URL/],
      [{ event: "repo_push", method: "flowdock", config: {} }, /Missing Flowdock API Token/],
      [
        { event: "repo_push", method: "hipchat", config: { notification_token: "t" } },
        /Missing Hipchat Room ID/,
      ],
      [
        {
          event: "repo_push",
          method: "quay_notification",
          config: { target: { kind: "user", name: "nobody-here" } },
        },
        /Unknown user/,
      ],
      [{ event: "repo_push", method: "email", config: { email: "a@example.com" } }, /Mailing is not enabled/],
      [{ event: "no_such_event", method: "webhook", config: { url: receiver.url } }, /Unknown event/],
      [{ event: "repo_push", method: "carrier_pigeon", config: {} }, /Unknown method/],
      [
        {
          event: "repo_image_expiry",
          method: "webhook",
          config: { url: receiver.url },
          eventConfig: { days: -1 },
        },
        /days must be/,
      ],
      [
        {
          event: "vulnerability_found",
          method: "webhook",
          config: { url: receiver.url },
          eventConfig: { level: "Apocalyptic" },
        },
        /level must be/,
      ],
    ];
    for (const [body, message] of cases)
      assertQuayError(await owner.rest.call("POST", base, { body }), 400, message);
    const stranger = await world.user("stranger");
    const r = await stranger.rest.call("GET", base);
    assert.ok(r.status === 403 || r.status === 404, `a stranger: ${r.status}`);
    assertQuayError(await owner.rest.call("GET", `${base}00000000-0000-0000-0000-000000000000`), 404);
    assertQuayError(await owner.rest.call("DELETE", `${base}not-a-uuid`), 404);
  });
});

describe("chat formats", () => {
  const post = async (method: string, config: object) => {
    const n = await create({ event: "repo_push", method, config, title: "Chat" });
    await owner.rest.post(`/repository/${repo}/notification/${n.uuid}/test`);
    return n;
  };

  test("Slack gets text and an attachment; the URL is sealed and shown masked", async () => {
    const p = hook();
    const n = await post("slack", { url: receiver.url + p });
    const [got] = await until(() => receiver.on(p).length && receiver.on(p), "the Slack message");
    assert.equal(got!.json.text, `Repository ${repo} updated`);
    assert.equal(got!.json.attachments[0].color, "#0066ff");
    assert.equal(got!.json.attachments[0].title_link, `http://${world.sys.host}/repository/${repo}`);
    assert.deepEqual(n.config, { url: `${receiver.url}/…` });
    const row = await world.sys.db.repositoryNotification.findUniqueOrThrow({ where: { uuid: n.uuid } });
    assert.ok(
      !JSON.stringify(row.config).includes(p) && !row.sealed!.includes(p),
      "the URL is not stored in clear",
    );
  });

  test("Microsoft Teams gets a MessageCard", async () => {
    const p = hook();
    await post("msteams", { url: receiver.url + p });
    const [got] = await until(() => receiver.on(p).length && receiver.on(p), "the Teams card");
    assert.equal(got!.json["@type"], "MessageCard");
    assert.equal(got!.json["@context"], "https://schema.org/extensions");
    assert.equal(got!.json.summary, `Repository ${repo} updated`);
    assert.deepEqual(got!.json.sections[0].facts[0], { name: "Repository", value: repo });
    assert.equal(got!.json.potentialAction[0].targets[0].uri, `http://${world.sys.host}/repository/${repo}`);
  });

  test("Flowdock's team inbox and HipChat's room notification", async () => {
    await post("flowdock", { flow_api_token: "flowtoken" });
    const [f] = await until(
      () => receiver.on("/flowdock/flowtoken").length && receiver.on("/flowdock/flowtoken"),
      "Flowdock",
    );
    assert.equal(f!.json.subject, `Repository ${repo} updated`);
    assert.deepEqual(f!.json.tags, ["#repo_push"]);
    assert.equal(f!.json.link, `http://${world.sys.host}/repository/${repo}`);
    await post("hipchat", { room_id: "42", notification_token: "hiptoken" });
    const path = "/hipchat/42/notification?auth_token=hiptoken";
    const [h] = await until(() => receiver.on(path).length && receiver.on(path), "HipChat");
    assert.equal(h!.json.color, "purple");
    assert.equal(h!.json.message_format, "html");
    assert.equal(h!.json.notify, false);
  });
});

describe("events", () => {
  // The consumer's contract, as the notifications worker receives an event (the builds, scanning and
  // mirroring capabilities emit these later).
  const fanOut = (event: any, payload: object) =>
    world.sys.services.deliveries.fanOut(event, { ...payload, eventId: crypto.randomUUID() });

  test("a build failure carries the seed's build fields", async () => {
    const p = hook();
    await create({ event: "build_failure", method: "webhook", config: { url: receiver.url + p } });
    await fanOut("build_failure", {
      repository: repo,
      namespace: owner.name,
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
      repository: repo,
      namespace: owner.name,
      docker_url: `${world.sys.host}/${repo}`,
      trigger_id: "38b6e180-9521-4ff7-9844-acf371340b9e",
      docker_tags: ["master", "latest"],
      build_name: "6ae9a86",
      trigger_metadata: { commit: "6ae9a86930fc73dd07b02e4c5bf63ee60be180ad", ref: "refs/heads/master" },
      homepage: `http://${world.sys.host}/repository/${repo}/build/5346a21d-3434-4764-85be-5be1296f293c`,
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
        repository: repo,
        namespace: owner.name,
        tags: ["latest"],
        vulnerability: { id: cve, description: "d", link: "http://x", priority, has_fix: true },
      });
    await vuln("Medium", "CVE-1");
    await vuln("Critical", "CVE-2");
    const [got] = await until(() => receiver.on(p).length && receiver.on(p), "the critical one");
    assert.equal(got!.json.vulnerability.id, "CVE-2");
    // The Medium event was fanned out before the Critical one: had it passed, it would have arrived first.
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
    await registry.pushImage(repo, "soon", { layer: "expiring" });
    const soon = new Date(Date.now() + 86400_000).toISOString().replace(/\.\d+Z$/, "Z");
    await owner.rest.put(`/repository/${repo}/tag/soon`, { expiration: Math.floor(Date.parse(soon) / 1000) });
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
      repository: repo,
      namespace: owner.name,
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
    assertQuayError(await owner.rest.call("GET", `/user/notifications/${id}`), 404);
  });

  test("a quota crossing rings the namespace's admins", async () => {
    await world.sys.services.deliveries.fanOut("quota_error", {
      namespace: owner.name,
      usedBytes: 10,
      limitBytes: 5,
      eventId: crypto.randomUUID(),
    });
    const list = await owner.rest.get("/user/notifications");
    assert.ok(
      list.notifications.some((x: any) => x.metadata.summary === `${owner.name} quota has been exceeded`),
    );
  });
});

test("deleting a notification answers 204 and it is gone", async () => {
  const n = await create({ event: "repo_push", method: "webhook", config: { url: receiver.url + hook() } });
  await owner.rest.del(`/repository/${repo}/notification/${n.uuid}`);
  const list = await owner.rest.get(`/repository/${repo}/notification/`);
  assert.ok(!list.notifications.some((x: any) => x.uuid === n.uuid));
  const logs = await world.sys.db.auditLog.findMany({
    where: { kind: { in: ["add_repo_notification", "delete_repo_notification"] } },
  });
  assert.ok(
    logs.some((l) => l.kind === "delete_repo_notification" && (l.metadata as any).notification_id === n.uuid),
  );
});
