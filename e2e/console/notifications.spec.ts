// Repository notifications in the browser: an admin sets up a Quay Notification (the bell) and a signed
// webhook in the repository's settings; a podman push rings the bell without a reload and reaches the
// webhook with a valid signature; "Test notification" sends another; the bell's entry is dismissed.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Clients, haveClients } from "../clients.js";
import { screenshot } from "./artifacts.js";
import { expect, registryHost, test } from "./fixtures.js";
import { CreateRepositoryDocument } from "@hm/schema";

interface Received {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 that answers 200 and records every request. */
async function startReceiver() {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const json = (r: Received) => {
  try {
    return JSON.parse(r.body) as Record<string, unknown>;
  } catch {
    return {};
  }
};

test.describe("notifications", () => {
  let clients: Clients;
  test.beforeAll(async () => {
    expect(haveClients(), "skopeo, podman and buildah must be installed (.ci/run installs them)").toBe(true);
    clients = new Clients(registryHost());
    await clients.buildBusybox("amd64", "org.opencontainers.image.title=notifications");
  });
  test.afterAll(async () => clients?.cleanup());

  test("a push rings the bell and reaches a signed webhook; test, reset and dismiss", async ({
    page,
    createUser,
    signIn,
    cleanup,
  }, testInfo) => {
    test.setTimeout(180_000);
    const receiver = await startReceiver();
    cleanup.add("stop the webhook receiver", receiver.close);
    const owner = await createUser("notify");
    const ns = owner.username;
    const name = "watched";
    await owner.client.run(CreateRepositoryDocument, { namespace: ns, name, visibility: "private" });

    await signIn(owner);
    await page.goto(`/repository/${ns}/${name}?tab=settings`);
    const section = page.getByRole("region", { name: "Events and notifications" });
    await expect(section.getByText("No notifications have been set up")).toBeVisible();
    const bell = page.getByRole("button", { name: "Notifications", exact: true });
    await expect(bell).toHaveText("");

    // A Quay Notification to the owner's bell
    await section.getByRole("button", { name: "Create notification" }).click();
    let dialog = page.getByRole("dialog", { name: "Create notification" });
    await dialog.getByLabel("When this event occurs").selectOption({ label: "Push to Repository" });
    await dialog.getByLabel("Then issue a notification").selectOption({ label: "Quay Notification" });
    await dialog.getByLabel("Recipient kind").selectOption("user");
    await dialog.getByRole("textbox", { name: "Recipient", exact: true }).fill(owner.username);
    await dialog.getByLabel("Title", { exact: true }).fill("To my bell");
    await dialog.getByRole("button", { name: "Create notification" }).click();
    await expect(dialog).toBeHidden();
    const table = section.getByRole("grid", { name: "Repository notifications" });
    const bellRow = table.getByRole("row", { name: /To my bell/ });
    await expect(bellRow).toContainText("Push to Repository");
    await expect(bellRow).toContainText("Quay Notification");
    await expect(bellRow).toContainText(`user ${owner.username}`);

    // A webhook to the receiver; its signing secret is shown once
    await section.getByRole("button", { name: "Create notification" }).click();
    dialog = page.getByRole("dialog", { name: "Create notification" });
    await dialog.getByLabel("When this event occurs").selectOption({ label: "Push to Repository" });
    await dialog.getByLabel("Then issue a notification").selectOption({ label: "Webhook POST" });
    await dialog.getByLabel("Webhook URL").fill(receiver.url);
    await dialog.getByLabel("Title", { exact: true }).fill("To the receiver");
    await dialog.getByRole("button", { name: "Create notification" }).click();
    const secretDialog = page.getByRole("dialog", { name: "Webhook signing secret" });
    await expect(secretDialog).toContainText("X-Harbormaster-Signature: sha256=");
    const secret = await secretDialog.getByLabel("webhook signing secret", { exact: true }).inputValue();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    await screenshot(page, testInfo, "webhook-signing-secret");
    await secretDialog.getByRole("button", { name: "Done" }).click();
    await expect(secretDialog).toBeHidden();
    const hookRow = table.getByRole("row", { name: /To the receiver/ });
    await expect(hookRow).toContainText("Webhook POST");
    await expect(hookRow).toContainText(receiver.url);

    // The push: the bell rises without a reload, the receiver gets a signed POST
    await clients.login("podman", owner.username, owner.password);
    await clients.podman(
      "push",
      "--tls-verify=false",
      "localhost/bb:amd64",
      `docker://${registryHost()}/${ns}/${name}:v1`,
    );
    // The bell polls every 5 s: allow a few polls after the delivery.
    await expect(bell).toHaveText("1", { timeout: 30_000 });
    const pushed = () =>
      receiver.requests.filter((r) => json(r).repository === `${ns}/${name}` && !isTest(r));
    await expect.poll(() => pushed().length).toBeGreaterThanOrEqual(1);
    const push = pushed()[0]!;
    expect(push.method).toBe("POST");
    expect(json(push).updated_tags).toContain("v1");
    expect(push.headers["x-harbormaster-signature"]).toBe(
      `sha256=${crypto.createHmac("sha256", secret).update(push.body).digest("hex")}`,
    );
    expect(push.headers["x-harbormaster-event"]).toBe("repo_push");

    // Test notification: queued, and a second request arrives (a test delivery)
    await hookRow.getByRole("button", { name: "Actions for notification To the receiver" }).click();
    await page.getByRole("menuitem", { name: "Test notification" }).click();
    await expect(section.getByText("Test Notification Queued")).toBeVisible();
    await expect(
      section.getByText("A test version of this notification has been queued and should appear shortly"),
    ).toBeVisible();
    await expect.poll(() => receiver.requests.filter(isTest).length).toBeGreaterThanOrEqual(1);
    const tested = receiver.requests.find(isTest)!;
    expect(tested.headers["x-harbormaster-signature"]).toBe(
      `sha256=${crypto.createHmac("sha256", secret).update(tested.body).digest("hex")}`,
    );

    // Its deliveries list the push and the test
    await hookRow.getByRole("button", { name: "Actions for notification To the receiver" }).click();
    await page.getByRole("menuitem", { name: "View deliveries" }).click();
    const deliveries = page.getByRole("dialog", { name: "Deliveries of To the receiver" });
    const rows = deliveries.getByRole("grid", { name: "Notification deliveries" }).getByRole("row");
    await expect
      .poll(async () => {
        await deliveries.getByRole("button", { name: "Refresh" }).click();
        return rows.filter({ hasText: "delivered" }).count();
      })
      .toBe(2);
    await expect(rows.filter({ hasText: "test" })).toHaveCount(1);
    await deliveries.getByRole("button", { name: "Done" }).click();
    await expect(deliveries).toBeHidden();

    // Reset failures
    await hookRow.getByRole("button", { name: "Actions for notification To the receiver" }).click();
    await page.getByRole("menuitem", { name: "Reset failures" }).click();
    await expect(hookRow.locator('td[data-label="Failures"]')).toHaveText("0");
    await expect(hookRow).not.toContainText("Disabled");

    // The bell: its entry names the repository; dismissing it brings the count to 0
    await bell.click();
    const drawer = page.getByRole("list", { name: "Notification entries" });
    const entry = drawer.getByRole("listitem").filter({ hasText: `${ns}/${name}` });
    await expect(entry).toHaveCount(1);
    await expect(entry.getByRole("link")).toHaveAttribute("href", `/repository/${ns}/${name}`);
    await screenshot(page, testInfo, "notification-drawer");
    await entry.getByRole("button", { name: /^Dismiss/ }).click();
    await expect(entry).toHaveCount(0);
    await expect(bell).toHaveText("");
    await expect(
      page
        .getByRole("region", { name: "Notification drawer" })
        .getByText("No notifications", { exact: true }),
    ).toBeVisible();
    await page.getByRole("button", { name: "Close the notification drawer" }).click();

    // Deleting a notification (confirmed) removes its row
    await bellRow.getByRole("button", { name: "Actions for notification To my bell" }).click();
    await page.getByRole("menuitem", { name: "Delete notification" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete notification" });
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(confirm).toBeHidden();
    await expect(bellRow).toHaveCount(0);
    await expect(hookRow).toBeVisible();
  });
});

const isTest = (r: Received) => String(r.headers["x-harbormaster-event-id"] ?? "").startsWith("test:");
