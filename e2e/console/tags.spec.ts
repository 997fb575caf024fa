// Tags a robot pushed with podman, handled in the browser: move, label, expire, delete, restore, fetch,
// and the logs of all of it.
import { Clients, haveClients } from "../clients.js";
import { screenshot } from "./artifacts.js";
import { expect, registryHost, test, uniqueName } from "./fixtures.js";
import {
  CreateOrganizationDocument,
  CreateRepositoryDocument,
  CreateRobotDocument,
  DeleteOrganizationDocument,
  RobotCredentialsDocument,
  SetRobotPermissionsDocument,
} from "@hm/schema";

test.describe("tags", () => {
  let clients: Clients;
  test.beforeAll(async () => {
    // The clients are required, not optional: a machine without them fails here instead of skipping.
    expect(haveClients(), "skopeo, podman and buildah must be installed (.ci/run installs them)").toBe(true);
    clients = new Clients(registryHost());
    await clients.buildBusybox("amd64", "org.opencontainers.image.title=busybox");
    await clients.buildBusybox("arm64", "org.opencontainers.image.title=busybox");
  });
  test.afterAll(async () => clients?.cleanup());

  test("a robot pushes with podman; the owner moves, labels, expires, deletes and restores tags and copies a pull command", async ({
    page,
    context,
    createUser,
    signIn,
    cleanup,
  }, testInfo) => {
    test.setTimeout(180_000);
    const owner = await createUser("tagowner");
    const org = uniqueName("tags");
    await owner.client.run(CreateOrganizationDocument, { name: org });
    cleanup.add(`delete ${org}`, () =>
      owner.client.run(DeleteOrganizationDocument, { name: org, confirm: org }),
    );
    await owner.client.run(CreateRepositoryDocument, { namespace: org, name: "app", visibility: "private" });
    const robot = (await owner.client.run(CreateRobotDocument, { namespace: org, name: "pusher" }))
      .createRobot;
    await owner.client.run(SetRobotPermissionsDocument, {
      name: robot.name,
      repositories: ["app"],
      role: "write",
    });
    const { credentials } = (await owner.client.run(RobotCredentialsDocument, { name: robot.name })).robot;

    const repo = `${registryHost()}/${org}/app`;
    await clients.login("podman", credentials.username, credentials.token);
    await clients.podman("push", "--tls-verify=false", "localhost/bb:amd64", `docker://${repo}:v1`);
    await clients.podman("push", "--tls-verify=false", "localhost/bb:amd64", `docker://${repo}:latest`);
    await clients.podman("push", "--tls-verify=false", "localhost/bb:arm64", `docker://${repo}:v2`);

    await signIn(owner);
    await page.goto(`/repository/${org}/app`);
    const tags = page.getByRole("grid", { name: "Tags" });
    for (const t of ["v1", "v2", "latest"])
      await expect(tags.getByRole("link", { name: t, exact: true })).toBeVisible();
    await expect(tags.getByRole("row", { name: /v1/ })).toContainText("=busybox");
    await screenshot(page, testInfo, "repository-tags");
    const row = (t: string) =>
      tags.getByRole("row").filter({ has: page.getByRole("link", { name: t, exact: true }) });
    const digestOf = async (t: string) => (await row(t).locator("code").getAttribute("title"))!;
    const arm64 = await digestOf("v2");
    expect(await digestOf("latest")).not.toBe(arm64);

    // Move latest to the manifest of v2
    await row("v2").getByRole("button", { name: "Actions for tag v2" }).click();
    await page.getByRole("menuitem", { name: "Add new tag" }).click();
    await page.getByLabel("New tag").fill("latest");
    await expect(page.getByText("latest already exists")).toBeVisible();
    await page.getByRole("button", { name: "Move tag" }).click();
    await expect.poll(() => digestOf("latest")).toBe(arm64);

    // Label v1
    await row("v1").getByRole("button", { name: "Actions for tag v1" }).click();
    await page.getByRole("menuitem", { name: "Edit labels" }).click();
    await page.getByLabel("New label (key=value)").fill("not a label");
    await page.getByRole("button", { name: "Add label" }).click();
    await expect(page.getByText("Invalid label format, must be key value separated by =")).toBeVisible();
    await page.getByLabel("New label (key=value)").fill("env=prod");
    await page.getByRole("button", { name: "Add label" }).click();
    await expect(page.getByRole("dialog").getByText("env=prod")).toBeVisible();
    await page.getByRole("button", { name: "Done" }).click();
    await expect(row("v1")).toContainText("env=prod");

    // Expire v1 in a week
    await row("v1").getByRole("button", { name: "Actions for tag v1" }).click();
    await page.getByRole("menuitem", { name: "Change expiration" }).click();
    await page.getByLabel("Never expires").uncheck();
    await page.getByRole("button", { name: "Change expiration" }).click();
    await expect(row("v1").getByText("in 7 days").or(row("v1").getByText("next week"))).toBeVisible();

    // Delete v2, then restore it from the history
    await row("v2").getByRole("button", { name: "Actions for tag v2" }).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    await page.getByLabel("Type confirm to confirm").fill("confirm");
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await expect(tags.getByRole("link", { name: "v2", exact: true })).toBeHidden();

    await page.getByRole("tab", { name: "Tag history" }).click();
    const history = page.getByRole("grid", { name: "Tag history" });
    await page.getByLabel("Search tag history").fill("v2");
    await expect(history).toContainText("deleted");
    await screenshot(page, testInfo, "tag-history");
    await history
      .getByRole("button", { name: /^Restore v2/ })
      .first()
      .click();
    await expect(history.getByRole("row", { name: /restored/ })).toBeVisible();
    await page.getByRole("tab", { name: "Tags", exact: true }).click();
    await expect(tags.getByRole("link", { name: "v2", exact: true })).toBeVisible();

    // Tag details and the fetch dialog
    await tags.getByRole("link", { name: "v1", exact: true }).click();
    await expect(page.getByRole("heading", { name: `${org}/app:v1` })).toBeVisible();
    await page.getByRole("button", { name: "Fetch tag" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog.getByRole("textbox", { name: "Pull command" })).toHaveValue(`podman pull ${repo}:v1`);
    await dialog.getByRole("button", { name: "docker" }).click();
    await dialog.getByRole("button", { name: "Digest" }).click();
    await expect(dialog.getByRole("textbox", { name: "Pull command" })).toHaveValue(
      /^docker pull .*@sha256:[0-9a-f]{64}$/,
    );
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await dialog.getByRole("button", { name: "Copy Pull command" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(
      new RegExp(`^docker pull ${repo}@sha256:`),
    );
    await screenshot(page, testInfo, "tag-fetch");
    await dialog.getByRole("button", { name: "Done" }).click();

    // The logs show all of it
    await page.goto(`/repository/${org}/app?tab=logs`);
    const logs = page.getByRole("grid", { name: "Logs" });
    for (const kind of [
      "push repo",
      "move tag",
      "manifest label add",
      "change tag expiration",
      "delete tag",
      "revert tag",
    ]) {
      await expect(logs).toContainText(kind);
    }
    await screenshot(page, testInfo, "repository-logs");
  });

  test("a multi-arch index pushed with buildah shows its child manifests; an API label is edited, image labels are read-only", async ({
    page,
    createUser,
    signIn,
  }, testInfo) => {
    test.setTimeout(180_000);
    const owner = await createUser("indexowner");
    const repo = `${registryHost()}/${owner.username}/multi`;
    const list = `localhost/${uniqueName("bb-list")}:v1`;
    await clients.login("buildah", owner.username, owner.password);
    await clients.buildah("manifest", "create", list);
    await clients.buildah("manifest", "add", list, "containers-storage:localhost/bb:amd64");
    await clients.buildah("manifest", "add", list, "containers-storage:localhost/bb:arm64");
    await clients.buildah("manifest", "push", "--all", "--tls-verify=false", list, `docker://${repo}:index`);
    await clients.podman("push", "--tls-verify=false", "localhost/bb:amd64", `docker://${repo}:single`);

    await signIn(owner);
    await page.goto(`/repository/${owner.username}/multi`);
    const tags = page.getByRole("grid", { name: "Tags" });
    const row = (t: string) =>
      tags.getByRole("row").filter({ has: page.getByRole("link", { name: t, exact: true }) });
    await expect(row("index")).toContainText("index · 2");
    await expect(row("single")).not.toContainText("index ·");
    const children = tags.getByRole("grid", { name: "Manifests of index" });
    await expect(children).toBeHidden();
    await row("index").getByRole("button", { name: "Details" }).click();
    await expect(children).toBeVisible();
    for (const platform of ["linux/amd64", "linux/arm64"])
      await expect(children.getByRole("row").filter({ hasText: platform })).toContainText(/[0-9a-f]{12}/);
    await screenshot(page, testInfo, "tags-index-children");
    await row("index").getByRole("button", { name: "Details" }).click();
    await expect(children).toBeHidden();

    // Labels: the image's are read-only; one added here is edited in place (editLabel)
    await row("single").getByRole("button", { name: "Actions for tag single" }).click();
    await page.getByRole("menuitem", { name: "Edit labels" }).click();
    const dialog = page.getByRole("dialog", { name: "Labels of single" });
    await expect(dialog.getByText("org.opencontainers.image.title=busybox")).toBeVisible();
    await expect(dialog.getByRole("button", { name: /^Remove label org\.opencontainers/ })).toHaveCount(0);
    await dialog.getByLabel("New label (key=value)").fill("stage=dev");
    await dialog.getByRole("button", { name: "Add label" }).click();
    await dialog.getByRole("button", { name: "stage=dev" }).click();
    await expect(dialog.getByLabel("Edit label stage (key=value)")).toHaveValue("stage=dev");
    await dialog.getByLabel("Edit label stage (key=value)").fill("stage=prod");
    await dialog.getByRole("button", { name: "Save label" }).click();
    await expect(dialog.getByRole("button", { name: "stage=prod" })).toBeVisible();
    await expect(dialog.getByText("stage=dev")).toBeHidden();
    await expect(dialog.getByLabel("New label (key=value)")).toHaveValue("");
    await screenshot(page, testInfo, "tag-labels-edit");
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect(row("single")).toContainText("stage=prod");
    await page.goto(`/repository/${owner.username}/multi?tab=logs`);
    await expect(page.getByRole("grid", { name: "Logs" })).toContainText("manifest label delete");
  });
});
