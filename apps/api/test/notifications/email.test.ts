// E-mail through a real SMTP server (smtp-server): an address is confirmed once per repository by the link
// it is sent, then receives the repository's notifications; and the safe POST's checks of where it may go.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { deniedNetworks, post } from "../../src/notifications/http-post.js";
import { RegistryClient } from "../registry-client.js";
import { RestWorld, assertQuayError, type Rest } from "../rest/client.js";
import { SmtpReceiver, until, WebhookReceiver } from "./receivers.js";

const smtp = await new SmtpReceiver().start();
const world = RestWorld.forFile({
  FEATURE_MAILING: "true",
  MAIL_SERVER: "127.0.0.1",
  MAIL_PORT: String(smtp.port),
  MAIL_USE_TLS: "false",
  MAIL_DEFAULT_SENDER: "registry@example.com",
});
after(() => smtp.stop());

let owner: { name: string; password: string; rest: Rest };
let repo = "";

before(async () => {
  await world.start();
  owner = await world.user("mailer");
  repo = `${owner.name}/app`;
  await new RegistryClient(world.sys, [owner.name, owner.password]).pushImage(repo, "latest");
});

test("an address is confirmed by its link once per repository, then receives the notifications", async () => {
  const email = "ops@example.com";
  const body = { event: "repo_push", method: "email", config: { email }, title: "Pushes" };
  assertQuayError(
    await owner.rest.call("POST", `/repository/${repo}/notification/`, { body }),
    400,
    /not authorized to receive notifications for this repository/,
  );
  assertQuayError(await owner.rest.call("GET", `/repository/${repo}/authorizedemail/${email}`), 404);
  const asked = await owner.rest.post(`/repository/${repo}/authorizedemail/${email}`);
  assert.deepEqual(asked, { email, repository: "app", namespace: owner.name, confirmed: false });
  const confirmation = await until(
    () => smtp.mails.find((m) => m.to.includes(email)),
    "the confirmation e-mail",
  );
  assert.equal(confirmation.from, "registry@example.com");
  const link = /(http:\/\/\S+\/confirm\/repository-email\?code=[\w-]+)/.exec(
    confirmation.raw.replace(/=\r?\n/g, "").replace(/=3D/g, "="),
  )?.[1];
  assert.ok(link, "the mail carries the link");
  const page = await fetch(link.replace(`http://${world.sys.host}`, world.sys.url));
  assert.equal(page.status, 200);
  assert.match(await page.text(), /E-mail address confirmed/);
  assert.equal((await owner.rest.get(`/repository/${repo}/authorizedemail/${email}`)).confirmed, true);
  // Confirmed for this repository only.
  const other = `${owner.name}/other`;
  await new RegistryClient(world.sys, [owner.name, owner.password]).pushImage(other, "latest");
  assertQuayError(await owner.rest.call("POST", `/repository/${other}/notification/`, { body }), 400);

  const n = await owner.rest.expect(201, "POST", `/repository/${repo}/notification/`, body);
  const before = smtp.mails.length;
  await owner.rest.post(`/repository/${repo}/notification/${n.uuid}/test`);
  const mail = await until(
    () => smtp.mails.length > before && smtp.mails[smtp.mails.length - 1],
    "the notification e-mail",
  );
  assert.deepEqual(mail.to, [email]);
  assert.match(mail.raw, new RegExp(`Subject: Pushes: Repository ${repo} updated`));
  await until(async () => {
    const [d] = await world.sys.db.notificationDelivery.findMany({
      where: { notification: { uuid: n.uuid } },
    });
    return d?.status === "delivered";
  }, "the delivery recorded as delivered");
});

test("a bad confirmation link is a 404 page, not an error", async () => {
  const r = await fetch(`${world.sys.url}/confirm/repository-email?code=nosuchcodeatall`);
  assert.equal(r.status, 404);
  assert.match(await r.text(), /not valid/);
});

test("the safe POST refuses denied networks after DNS resolution, and URLs that are not http(s)", async () => {
  const receiver = await new WebhookReceiver().start();
  try {
    const port = new URL(receiver.url).port;
    const loopback = deniedNetworks(["127.0.0.0/8", "::1/128"]);
    // localhost is a name: only its resolved address can be refused.
    await assert.rejects(
      post(`http://localhost:${port}/`, "{}", {}, { timeoutMs: 2000, denied: loopback }),
      /resolves to .* may not reach/,
    );
    await assert.rejects(
      post(`http://127.0.0.1:${port}/`, "{}", {}, { timeoutMs: 2000, denied: loopback }),
      /may not reach/,
    );
    await assert.rejects(
      post("file:///etc/passwd", "{}", {}, { timeoutMs: 2000, denied: loopback }),
      /http:\/\/ or https:\/\//,
    );
    assert.equal(receiver.requests.length, 0, "nothing reached the receiver");
    const ok = await post(
      `http://localhost:${port}/`,
      "{}",
      {},
      { timeoutMs: 2000, denied: deniedNetworks(["169.254.0.0/16"]) },
    );
    assert.equal(ok.statusCode, 200);
    assert.equal(receiver.requests.length, 1);
    receiver.behaviour = () => ({ status: 302, body: "moved" });
    await assert.rejects(
      post(`${receiver.url}/`, "{}", {}, { timeoutMs: 2000, denied: deniedNetworks([]) }),
      /answered 302/,
    );
  } finally {
    await receiver.stop();
  }
});

/** The link of the last mail to `to` that matches `path`, with quoted-printable soft breaks undone. */
const linkIn = (to: string, path: string) => {
  const mail = smtp.mails.filter((m) => m.to.includes(to)).pop();
  const raw = mail?.raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=") ?? "";
  return new RegExp(`(http://\\S+${path}\\?code=[\\w-]+)`).exec(raw)?.[1];
};

test("a new account's address waits for the link mailed to it", async () => {
  const u = await world.user("confirmme");
  const email = `${u.name}@example.com`;
  assert.equal((await u.rest.get("/user/")).verified, false);
  const link = await until(() => linkIn(email, "/confirm/email"), "the confirmation e-mail");
  const r = await fetch(link.replace(`http://${world.sys.host}`, world.sys.url));
  assert.equal(r.status, 200);
  assert.match(await r.text(), new RegExp(`confirmed as the address of ${u.name}`));
  assert.equal((await u.rest.get("/user/")).verified, true);
  assert.equal(
    (await fetch(link.replace(`http://${world.sys.host}`, world.sys.url))).status,
    404,
    "used once",
  );
});

test("a team invitation by e-mail is mailed to the address", async () => {
  const admin = await world.as("admin", "admin-password");
  const org = `mailorg${Math.random().toString(16).slice(2, 8)}`;
  await admin.post("/organization/", { name: org, email: `${org}@example.com` });
  await admin.put(`/organization/${org}/team/devs`, { role: "member" });
  await admin.put(`/organization/${org}/team/devs/invite/newcomer@example.org`);
  const mail = await until(
    () => smtp.mails.find((m) => m.to.includes("newcomer@example.org")),
    "the invitation",
  );
  assert.match(mail.raw, new RegExp(`Subject: Invitation to join team devs of ${org}`));
  assert.match(mail.raw, /admin invited you/);
});
