// Repository notifications end to end, against real receivers started here: the webhook body with the
// seed's fields and its HMAC signature, Slack/Teams/Flowdock/HipChat formats, retries with backoff, a
// receiver that hangs, disabling after consecutive failures and the reset, and the REST answers.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, test } from "node:test";
import { assertQuayError } from "../rest/client.js";
import { notificationWorld } from "./fixtures.js";
import { until } from "./receivers.js";

const w = await notificationWorld();
const { receiver, world, hook, create, deliveries } = w;
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
    const shown = await w.owner.rest.get(`/repository/${w.repo}/notification/${n.uuid}`);
    assert.equal(shown.signing_secret, undefined, "the secret is not shown again");
    assert.deepEqual(shown.config, { url: receiver.url + p });
    await w.registry.pushImage(w.repo, "v1", { layer: "push-one" });
    const [got] = await until(() => receiver.on(p).length && receiver.on(p), "the push's webhook");
    assert.deepEqual(got!.json, {
      repository: w.repo,
      namespace: w.owner.name,
      name: "app",
      docker_url: `${world.sys.host}/${w.repo}`,
      homepage: `http://${world.sys.host}/repository/${w.repo}`,
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
    await w.registry.pushImage(w.repo, "v2", { layer: "retry" });
    const [d] = await until(async () => {
      const ds = await deliveries(n.uuid);
      return ds[0]?.status === "delivered" && ds;
    }, "the retried delivery");
    receiver.behaviour = prev;
    assert.equal(d!.attempts, 3);
    assert.equal(receiver.on(p).length, 3);
    const after = await w.owner.rest.get(`/repository/${w.repo}/notification/${n.uuid}`);
    assert.equal(after.number_of_failures, 0);
  });

  test("a receiver that hangs fails by the deadline; consecutive failures disable until reset", async () => {
    const p = hook();
    const n = await create({ event: "repo_push", method: "webhook", config: { url: receiver.url + p } });
    const prev = receiver.behaviour;
    receiver.behaviour = (i) => (receiver.requests[i]!.path === p ? "hang" : prev(i));
    await w.registry.pushImage(w.repo, "v3", { layer: "hang" });
    const [d] = await until(async () => {
      const ds = await deliveries(n.uuid);
      return ds[0]?.status === "failed" && ds;
    }, "the failed delivery");
    assert.equal(d!.attempts, 3);
    assert.match(d!.lastError ?? "", /No answer within 1 s/);
    assert.equal(
      (await w.owner.rest.get(`/repository/${w.repo}/notification/${n.uuid}`)).number_of_failures,
      3,
    );
    // Two more failed attempts reach the limit (5): the notification is disabled, mid-delivery.
    await w.registry.pushImage(w.repo, "v4", { layer: "hang-2" });
    const disabled = await until(async () => {
      const v = await w.owner.rest.get(`/repository/${w.repo}/notification/${n.uuid}`);
      return v.disabled && v;
    }, "the notification disabled");
    assert.equal(disabled.number_of_failures, 5);
    const second = (await deliveries(n.uuid))[1]!;
    assert.equal(second.status, "failed");
    assert.equal(second.attempts, 2, "no attempt after the notification was disabled");
    // Disabled: a push writes no delivery for it.
    const before = receiver.on(p).length;
    await w.registry.pushImage(w.repo, "v5", { layer: "while-disabled" });
    assert.equal((await deliveries(n.uuid)).length, 2);
    // Reset: failures 0, enabled, delivered again.
    receiver.behaviour = prev;
    await w.owner.rest.expect(204, "POST", `/repository/${w.repo}/notification/${n.uuid}`);
    const reset = await w.owner.rest.get(`/repository/${w.repo}/notification/${n.uuid}`);
    assert.equal(reset.number_of_failures, 0);
    assert.equal(reset.disabled, false);
    await w.registry.pushImage(w.repo, "v6", { layer: "after-reset" });
    await until(() => receiver.on(p).length > before, "a delivery after the reset");
  });

  test("an answer's body is capped in the record", async () => {
    const p = hook();
    const n = await create({ event: "repo_push", method: "webhook", config: { url: receiver.url + p } });
    const prev = receiver.behaviour;
    receiver.behaviour = (i) =>
      receiver.requests[i]!.path === p ? { status: 200, body: "x".repeat(1 << 20) } : prev(i);
    await w.owner.rest.post(`/repository/${w.repo}/notification/${n.uuid}/test`);
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
    const base = `/repository/${w.repo}/notification/`;
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
      assertQuayError(await w.owner.rest.call("POST", base, { body }), 400, message);
    const stranger = await world.user("stranger");
    const r = await stranger.rest.call("GET", base);
    assert.ok(r.status === 403 || r.status === 404, `a stranger: ${r.status}`);
    assertQuayError(await w.owner.rest.call("GET", `${base}00000000-0000-0000-0000-000000000000`), 404);
    assertQuayError(await w.owner.rest.call("DELETE", `${base}not-a-uuid`), 404);
  });
});

describe("chat formats", () => {
  const post = async (method: string, config: object) => {
    const n = await create({ event: "repo_push", method, config, title: "Chat" });
    await w.owner.rest.post(`/repository/${w.repo}/notification/${n.uuid}/test`);
    return n;
  };

  test("Slack gets text and an attachment; the URL is sealed and shown masked", async () => {
    const p = hook();
    const n = await post("slack", { url: receiver.url + p });
    const [got] = await until(() => receiver.on(p).length && receiver.on(p), "the Slack message");
    assert.equal(got!.json.text, `Repository ${w.repo} updated`);
    assert.equal(got!.json.attachments[0].color, "#0066ff");
    assert.equal(got!.json.attachments[0].title_link, `http://${world.sys.host}/repository/${w.repo}`);
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
    assert.equal(got!.json.summary, `Repository ${w.repo} updated`);
    assert.deepEqual(got!.json.sections[0].facts[0], { name: "Repository", value: w.repo });
    assert.equal(
      got!.json.potentialAction[0].targets[0].uri,
      `http://${world.sys.host}/repository/${w.repo}`,
    );
  });

  test("Flowdock's team inbox and HipChat's room notification", async () => {
    await post("flowdock", { flow_api_token: "flowtoken" });
    const [f] = await until(
      () => receiver.on("/flowdock/flowtoken").length && receiver.on("/flowdock/flowtoken"),
      "Flowdock",
    );
    assert.equal(f!.json.subject, `Repository ${w.repo} updated`);
    assert.deepEqual(f!.json.tags, ["#repo_push"]);
    assert.equal(f!.json.link, `http://${world.sys.host}/repository/${w.repo}`);
    await post("hipchat", { room_id: "42", notification_token: "hiptoken" });
    const path = "/hipchat/42/notification?auth_token=hiptoken";
    const [h] = await until(() => receiver.on(path).length && receiver.on(path), "HipChat");
    assert.equal(h!.json.color, "purple");
    assert.equal(h!.json.message_format, "html");
    assert.equal(h!.json.notify, false);
  });
});

test("deleting a notification answers 204 and it is gone", async () => {
  const n = await create({ event: "repo_push", method: "webhook", config: { url: receiver.url + hook() } });
  await w.owner.rest.del(`/repository/${w.repo}/notification/${n.uuid}`);
  const list = await w.owner.rest.get(`/repository/${w.repo}/notification/`);
  assert.ok(!list.notifications.some((x: any) => x.uuid === n.uuid));
  const logs = await world.sys.db.auditLog.findMany({
    where: { kind: { in: ["add_repo_notification", "delete_repo_notification"] } },
  });
  assert.ok(
    logs.some((l) => l.kind === "delete_repo_notification" && (l.metadata as any).notification_id === n.uuid),
  );
});
