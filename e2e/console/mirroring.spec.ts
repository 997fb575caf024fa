// Repository mirroring in the browser, against a real upstream: a CNCF distribution started here with
// images put there by skopeo. A mirror set up through the Mirroring tab (the repository's state becomes
// Mirror) syncs on "Sync now": status and history follow without a reload, the sync's log expands, the
// matching tags appear; a changed tag rule syncs again (copied and skipped); the state goes to Read-only in
// the settings (syncs stop, the tab says why) and back to Mirror. Against an upstream that accepts
// connections and never answers, a running sync is cancelled; against an address that refuses them, the
// sync fails with its error in the status, the history and the log.
import fs from "node:fs";
import net from "node:net";
import { CreateRepositoryDocument, CreateRobotDocument, RepositoryDocument } from "@hm/schema";
import { Content, skopeoCopy } from "../../apps/api/test/remote/content.js";
import {
  DOCKER_REGISTRY,
  startDistribution,
  type Distribution,
} from "../../apps/api/test/remote/upstreams.js";
import type { Locator } from "@playwright/test";
import { screenshot } from "./artifacts.js";
import { expect, test, type GraphQLClient, type Page } from "./fixtures.js";

const pad = (n: number) => String(n).padStart(2, "0");
/** A datetime-local value a day ahead: no scheduled sync gets in the way of the spec's "Sync now". */
function tomorrow(): string {
  const d = new Date(Date.now() + 86400_000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A user with a repository and a robot of their namespace. */
async function arrange(
  createUser: (p?: string) => Promise<{ username: string; password: string; client: GraphQLClient }>,
  name: string,
) {
  const owner = await createUser("mirrorer");
  await owner.client.run(CreateRepositoryDocument, {
    namespace: owner.username,
    name,
    visibility: "private",
  });
  await owner.client.run(CreateRobotDocument, { namespace: owner.username, name: "syncer" });
  return { owner, robot: `${owner.username}+syncer` };
}

const stateOf = async (client: GraphQLClient, namespace: string, name: string) =>
  (await client.run<{ repository: { state: string } }>(RepositoryDocument, { namespace, name })).repository
    .state;

/** The newest sync's row in the history (each sync is a tbody: its row, then its log's row). */
const newestSync = (history: Locator) => history.locator("tbody").first().getByRole("row").first();

/** Marks the page; `sameDocument` is true while no reload or navigation replaced it. */
const mark = (page: Page) =>
  page.evaluate(() => ((window as unknown as { hmMarker: string }).hmMarker = "same"));
const sameDocument = async (page: Page) =>
  (await page.evaluate(() => (window as unknown as { hmMarker?: string }).hmMarker)) === "same";

test.describe("repository mirroring", () => {
  let reg: Distribution;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    expect(fs.existsSync(DOCKER_REGISTRY), "docker-registry must be installed (.ci/run installs it)").toBe(
      true,
    );
    reg = await startDistribution();
    const c = new Content();
    const images = { "1.0": c.image(), "1.1": c.image(), dev: c.image() };
    for (const [tag, built] of Object.entries(images)) {
      const layout = c.writeLayout({ [tag]: built });
      try {
        await skopeoCopy(
          `oci:${layout}:${tag}`,
          `docker://${reg.host}/library/app:${tag}`,
          "--dest-tls-verify=false",
        );
      } finally {
        fs.rmSync(layout, { recursive: true, force: true });
      }
    }
  });
  test.afterAll(async () => reg?.stop());

  test("a mirror set up in the tab syncs; status and history follow without a reload; the state goes Read-only and back", async ({
    page,
    createUser,
    signIn,
  }, testInfo) => {
    test.setTimeout(180_000);
    const { owner, robot } = await arrange(createUser, "app");
    await signIn(owner);
    await page.goto(`/repository/${owner.username}/app?tab=mirroring`);
    await expect(page.getByRole("tab", { name: "Mirroring" })).toHaveAttribute("aria-selected", "true");
    const tab = page.getByRole("region", { name: "Repository mirroring" });
    await expect(tab.getByText("This repository is not a mirror")).toBeVisible();
    await expect(tab).toContainText("state to Mirror");
    await expect(tab).toContainText("only the robot user may write");

    const form = tab.getByRole("form", { name: "Mirror configuration" });
    await expect(form.getByLabel("Enabled")).toBeChecked();
    await form.getByLabel("External registry").fill(`${reg.host}/library/app`);
    await form.getByLabel("Tags").fill("1.*");
    await form.getByLabel("Start date").fill(tomorrow());
    await form.getByRole("spinbutton", { name: "Sync interval" }).fill("12");
    await form.getByLabel("Sync interval unit").selectOption("hours");
    await form.getByLabel("Robot user").selectOption(robot);
    await form.getByRole("button", { name: "Advanced settings" }).click();
    // The upstream speaks plain HTTP: without TLS verification, plain HTTP is tried too.
    await form.getByLabel("Verify TLS").uncheck();
    await form.getByRole("button", { name: "Enable mirror" }).click();

    const status = tab.getByRole("status", { name: "Sync status" });
    await expect(status).toHaveText("Never run");
    await expect(tab.getByText("No syncs yet")).toBeVisible();
    await expect(tab.getByRole("region", { name: "Mirror status" })).toContainText("12 hours");
    expect(await stateOf(owner.client, owner.username, "app")).toBe("mirror");
    await mark(page);

    // Sync now: the status and the history follow the sync without a reload.
    await tab.getByRole("button", { name: "Sync now" }).click();
    await expect(status).toHaveText("Synced", { timeout: 90_000 });
    const history = tab.getByRole("grid", { name: "Sync history" });
    const first = newestSync(history);
    await expect(first.locator('td[data-label="Status"]')).toHaveText("Success");
    await expect(first.locator('td[data-label="Tags copied"]')).toHaveText("2");
    await expect(first.locator('td[data-label="Tags skipped"]')).toHaveText("0");
    await expect(first.locator('td[data-label="Tags deleted"]')).toHaveText("0");
    await first.getByRole("button", { name: "Details" }).click();
    const log = history.getByRole("log");
    await expect(log).toContainText("3 tags upstream, 2 matching '1.*'");
    await expect(log).toContainText("1.0: copied sha256:");
    await expect(log).toContainText("sync finished: 2 copied, 0 unchanged, 0 deleted");
    await expect(tab.getByRole("region", { name: "Mirror status" })).not.toContainText("Never");
    await screenshot(page, testInfo, "mirroring-synced");

    // A wider rule: the next sync copies the new tag and skips the others.
    await form.getByLabel("Tags").fill("1.*, dev");
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByText("Mirror configuration saved")).toBeVisible();
    await expect(tab.getByRole("region", { name: "Mirror status" })).toContainText("1.*, dev");
    await tab.getByRole("button", { name: "Sync now" }).click();
    await expect(history.locator("tbody")).toHaveCount(2, { timeout: 90_000 });
    await expect(status).toHaveText("Synced", { timeout: 90_000 });
    const second = newestSync(history);
    await expect(second.locator('td[data-label="Status"]')).toHaveText("Success");
    await expect(second.locator('td[data-label="Tags copied"]')).toHaveText("1");
    await expect(second.locator('td[data-label="Tags skipped"]')).toHaveText("2");
    expect(await sameDocument(page), "status and history came without a reload").toBe(true);

    await page.getByRole("tab", { name: "Tags", exact: true }).click();
    const tags = page.getByRole("grid", { name: "Tags" });
    for (const t of ["1.0", "1.1", "dev"])
      await expect(tags.getByRole("link", { name: t, exact: true })).toBeVisible();

    // The state: Read-only in the settings stops the syncs (the tab says why), then back to Mirror.
    await page.getByRole("tab", { name: "Settings" }).click();
    const state = page.getByRole("region", { name: "Repository state" });
    const select = state.getByLabel("Repository state");
    await expect(select).toHaveValue("MIRROR");
    await select.selectOption("READ_ONLY");
    await expect(state.getByText("The repository's state is now Read-only")).toBeVisible();
    await expect(select).toHaveValue("READ_ONLY");
    expect(await stateOf(owner.client, owner.username, "app")).toBe("read_only");
    await page.getByRole("tab", { name: "Mirroring" }).click();
    await expect(tab.getByText("The repository's state is Read-only")).toBeVisible();
    await expect(tab.getByRole("button", { name: "Sync now" })).toBeDisabled();
    await page.getByRole("tab", { name: "Settings" }).click();
    await select.selectOption("MIRROR");
    await expect(state.getByText("The repository's state is now Mirror")).toBeVisible();
    expect(await stateOf(owner.client, owner.username, "app")).toBe("mirror");
    await page.getByRole("tab", { name: "Mirroring" }).click();
    await expect(tab.getByText("The repository's state is Read-only")).toHaveCount(0);
    await expect(tab.getByRole("button", { name: "Sync now" })).toBeEnabled();
  });

  test("a sync of an upstream that never answers is cancelled; a refused address fails with its error in the log", async ({
    page,
    createUser,
    signIn,
  }) => {
    test.setTimeout(180_000);
    // Accepts connections and never answers: the sync hangs until it is cancelled.
    const held: net.Socket[] = [];
    const silent = net.createServer((s) => void held.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const silentPort = (silent.address() as net.AddressInfo).port;
    // A port nobody listens on: connections are refused.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const refusedPort = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    try {
      const { owner, robot } = await arrange(createUser, "stuck");
      await owner.client.run(
        `mutation ($repository: String!, $input: RepositoryMirrorInput!) {
          createRepositoryMirror(repository: $repository, input: $input) { syncStatus }
        }`,
        {
          repository: `${owner.username}/stuck`,
          input: {
            externalReference: `127.0.0.1:${silentPort}/library/app`,
            tagGlobs: ["*"],
            robot,
            syncInterval: 86400,
            syncStartDate: new Date(Date.now() + 86400_000).toISOString(),
            verifyTls: false,
          },
        },
      );
      await signIn(owner);
      await page.goto(`/repository/${owner.username}/stuck?tab=mirroring`);
      const tab = page.getByRole("region", { name: "Repository mirroring" });
      const status = tab.getByRole("status", { name: "Sync status" });
      await expect(status).toHaveText("Never run");
      await expect(tab.getByRole("button", { name: "Cancel sync" })).toBeDisabled();

      await tab.getByRole("button", { name: "Sync now" }).click();
      await expect(status).toHaveText("Syncing", { timeout: 30_000 });
      await expect(tab.getByRole("button", { name: "Sync now" })).toBeDisabled();
      const history = tab.getByRole("grid", { name: "Sync history" });
      await expect(newestSync(history).locator('td[data-label="Status"]')).toHaveText("Running");
      await tab.getByRole("button", { name: "Cancel sync" }).click();
      await expect(status).toHaveText("Sync cancelled", { timeout: 30_000 });
      const cancelled = newestSync(history);
      await expect(cancelled.locator('td[data-label="Status"]')).toHaveText(/^Cancelled/);
      await cancelled.getByRole("button", { name: "Details" }).click();
      await expect(history.getByRole("log")).toContainText("sync cancelled");
      await cancelled.getByRole("button", { name: "Details" }).click();

      // An address that refuses connections: the sync fails, its error in the status, the row and the log.
      const form = tab.getByRole("form", { name: "Mirror configuration" });
      await form.getByLabel("External registry").fill(`127.0.0.1:${refusedPort}/library/app`);
      await form.getByRole("button", { name: "Save" }).click();
      await expect(form.getByText("Mirror configuration saved")).toBeVisible();
      await tab.getByRole("button", { name: "Sync now" }).click();
      await expect(status).toHaveText("Sync failed", { timeout: 90_000 });
      const failed = newestSync(history);
      await expect(failed.locator('td[data-label="Status"]')).toContainText("Failed");
      const error = (await failed.locator('td[data-label="Status"] small').textContent())!.trim();
      expect(error.length).toBeGreaterThan(0);
      const statusRegion = tab.getByRole("region", { name: "Mirror status" });
      await expect(statusRegion).toContainText("Last error");
      await expect(statusRegion).toContainText(error);
      await failed.getByRole("button", { name: "Details" }).click();
      const log = history.getByRole("log").first();
      await expect(log.locator('[data-level="error"]')).toContainText(error);
    } finally {
      for (const s of held) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
