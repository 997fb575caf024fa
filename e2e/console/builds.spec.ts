// Dockerfile builds in the browser, against the server's real workers (buildah): a build context (a
// Dockerfile and a static busybox, as a .tar.gz made here) uploaded from "Start new build" goes through the
// filedrop, the build page shows its log as it arrives over graphql-ws, each line once, and its phase
// turning into Complete without a reload; the log downloads as text and the pushed tags appear in the Tags
// tab. Then a custom git trigger is set up through the wizard: its last step shows the deploy key and the
// webhook URL, and the trigger is listed with its options in the seed's columns; "Run trigger now" on a
// commit starts a build that names the trigger and commit and fails (no git server here) with its error in
// red; Disable shows why it is disabled, and Delete removes it.
import fs from "node:fs";
import zlib from "node:zlib";
import tar from "tar-stream";
import { CreateRepositoryDocument, CreateRobotDocument } from "@hm/schema";
import { screenshot } from "./artifacts.js";
import { expect, test, type Page } from "./fixtures.js";

const BUSYBOX = "/bin/busybox";
const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
LABEL org.opencontainers.image.title="harbormaster e2e build"
`;

/** A gzip tar holding these files. */
async function targz(files: { name: string; content: Buffer; mode?: number }[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on("data", (c) => chunks.push(c as Buffer));
    pack.on("end", () => resolve());
    pack.on("error", reject);
  });
  for (const f of files) pack.entry({ name: f.name, mode: f.mode ?? 0o644 }, f.content);
  pack.finalize();
  await done;
  return zlib.gzipSync(Buffer.concat(chunks));
}

/** What the page's graphql-ws socket received for buildEvents, parsed. */
function watchBuildEvents(page: Page) {
  const events: { phase: string | null; lines: { seq: number; message: string }[] }[] = [];
  page.on("websocket", (ws) => {
    if (!ws.url().endsWith("/graphql")) return;
    ws.on("framereceived", ({ payload }) => {
      const msg = JSON.parse(String(payload)) as {
        type: string;
        payload?: { data?: { buildEvents?: (typeof events)[number] } };
      };
      const ev = msg.type === "next" ? msg.payload?.data?.buildEvents : undefined;
      if (ev) events.push(ev);
    });
  });
  return events;
}

test.describe("builds", () => {
  test("a build started by uploading a context shows its log live and completes; its tags appear", async ({
    page,
    createUser,
    signIn,
  }, testInfo) => {
    test.setTimeout(240_000);
    expect(
      fs.existsSync(BUSYBOX),
      "a static busybox for the build context (.ci/run installs busybox-static)",
    ).toBe(true);
    const owner = await createUser("builder");
    await owner.client.run(CreateRepositoryDocument, {
      namespace: owner.username,
      name: "built",
      visibility: "private",
    });
    const context = await targz([
      { name: "Dockerfile", content: Buffer.from(DOCKERFILE) },
      { name: "busybox", content: fs.readFileSync(BUSYBOX), mode: 0o755 },
    ]);
    const events = watchBuildEvents(page);

    await signIn(owner);
    await page.goto(`/repository/${owner.username}/built?tab=builds`);
    await expect(page.getByRole("tab", { name: "Builds" })).toHaveAttribute("aria-selected", "true");
    await expect(page.getByText("No builds have been run for this repository yet.")).toBeVisible();

    await page.getByRole("button", { name: "Start new build" }).click();
    const dialog = page.getByRole("dialog", { name: "Start new build" });
    await dialog.getByLabel("Dockerfile or archive").setInputFiles({
      name: "context.tar.gz",
      mimeType: "application/gzip",
      buffer: context,
    });
    await dialog.getByLabel("Tags").fill("latest v1");
    await dialog.getByRole("button", { name: "Start build" }).click();

    // The build page: the log arrives while the build runs, without a reload.
    await expect(page).toHaveURL(/\/repository\/[^/]+\/built\/-\/build\/[0-9a-f-]{36}$/);
    const buildId = page.url().split("/-/build/")[1]!;
    await expect(page.getByRole("heading", { name: `Build ${buildId.slice(0, 8)}`, level: 1 })).toBeVisible();
    await page.evaluate(() => ((window as unknown as { hmMarker: string }).hmMarker = "same page"));
    const log = page.getByRole("log", { name: "Build log lines" });
    const phase = page.getByRole("status", { name: "Build phase" });
    await expect(log).toContainText("STEP 1/3: FROM scratch", { timeout: 120_000 });
    await expect(log).toContainText("STEP 2/3: COPY busybox /bin/busybox");
    await expect(phase).toHaveText("Complete", { timeout: 180_000 });
    expect(
      await page.evaluate(() => (window as unknown as { hmMarker?: string }).hmMarker),
      "the log and the phase came without a reload",
    ).toBe("same page");
    // The socket carried the build's events: at least its last phase, live.
    expect(events.some((e) => e.phase === "complete")).toBe(true);
    // The phases as badges in the log (the final one closes it), and in the timings.
    for (const p of ["unpacking", "pulling", "building", "pushing"])
      await expect(log.locator(`div[data-phase="${p}"]`).first()).toBeVisible();
    await expect(log.locator("[data-final-phase]")).toHaveText("Complete");
    await expect(page.getByRole("grid", { name: "Phase timings" })).toContainText("Complete");
    await expect(page.getByText("Manifest digest")).toBeVisible();

    // Each line once: the rendered lines (phase badges and lines) against the stored log.
    const stored = await owner.client.run<{ buildLogs: { total: number; lines: { seq: number }[] } }>(
      `query ($repository: String!, $id: ID!) { buildLogs(repository: $repository, id: $id) { total lines { seq } } }`,
      { repository: `${owner.username}/built`, id: buildId },
    );
    const shownLines = await log.locator("[data-type]").count();
    const shownPhases = await log.locator("div[data-phase]").count();
    expect(shownLines + shownPhases).toBe(stored.buildLogs.total);
    await log.scrollIntoViewIfNeeded();
    await screenshot(page, testInfo, "build-page-complete");

    // Download: the log as a text file.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download log" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`build-${buildId}.log`);
    const text = fs.readFileSync((await download.path())!, "utf8");
    expect(text).toContain("STEP 2/3: COPY busybox /bin/busybox");
    expect(text).toContain("=== Complete ===");

    // The builds list shows it complete, and the Tags tab has the pushed tags.
    await page.getByRole("link", { name: `${owner.username}/built` }).click();
    const builds = page.getByRole("grid", { name: "Builds" });
    const row = builds.getByRole("row").filter({ has: page.getByRole("link", { name: `Build ${buildId}` }) });
    await expect(row.locator('td[data-label="Status"]')).toHaveText("Complete");
    await expect(row.locator('td[data-label="Triggered by"]')).toHaveText(
      `Manually started by ${owner.username}`,
    );
    await expect(row.locator('td[data-label="Tags"]')).toContainText("latest");
    await expect(row.locator('td[data-label="Tags"]')).toContainText("v1");
    await screenshot(page, testInfo, "builds-tab");
    await page.getByRole("tab", { name: "Tags", exact: true }).click();
    const tags = page.getByRole("grid", { name: "Tags" });
    await expect(tags.getByRole("link", { name: "latest", exact: true })).toBeVisible();
    await expect(tags.getByRole("link", { name: "v1", exact: true })).toBeVisible();
  });

  test("a custom git trigger set up through the wizard shows its deploy key and webhook URL, is listed, runs, is disabled and deleted", async ({
    page,
    createUser,
    signIn,
  }, testInfo) => {
    test.setTimeout(150_000);
    const owner = await createUser("triggerer");
    await owner.client.run(CreateRepositoryDocument, { namespace: owner.username, name: "app" });
    await owner.client.run(CreateRobotDocument, { namespace: owner.username, name: "puller" });
    const robot = `${owner.username}+puller`;
    const source = "ssh://git@git.example.com:2222/team/app.git";

    await signIn(owner);
    await page.goto(`/repository/${owner.username}/app?tab=builds`);
    await expect(page.getByText("No build triggers have been set up for this repository.")).toBeVisible();
    await page.getByRole("button", { name: "Create build trigger" }).click();
    const wizard = page.getByRole("dialog", { name: "Set up build trigger" });
    const next = wizard.getByRole("button", { name: "Next", exact: true });

    // 1. The source: a custom git repository's URL (a file path is no git URL here).
    await expect(wizard.getByRole("radio", { name: /Custom Git Repository Push/ })).toBeChecked();
    await wizard.getByLabel("Repository URL").fill("/srv/git/app");
    await expect(wizard.getByText(/Use an ssh:\/\/, git:\/\/, https:\/\/ URL/)).toBeVisible();
    await expect(next).toBeDisabled();
    await wizard.getByLabel("Repository URL").fill(source);
    await next.click();
    // 2. Branches and tags: only main.
    await wizard.getByRole("radio", { name: /matching a regular expression/ }).check();
    await wizard.getByLabel("Branch and tag regular expression").fill("heads/main");
    await next.click();
    // 3. Tagging: no latest, plus the commit's short SHA.
    await expect(wizard.getByLabel("Tag manifest with the branch or tag name")).toBeChecked();
    await wizard.getByLabel("Add latest tag if on default branch").uncheck();
    await wizard.getByLabel("Enter a tag template").fill("${commit_info.short_sha}");
    await wizard.getByLabel("Enter a tag template").press("Enter");
    await expect(wizard.getByRole("list", { name: "Tag templates" })).toContainText(
      "${commit_info.short_sha}",
    );
    await next.click();
    // 4. Dockerfile and context: the defaults.
    await expect(wizard.getByLabel("Dockerfile path")).toHaveValue("/Dockerfile");
    await expect(wizard.getByLabel("Context")).toHaveValue("/");
    await next.click();
    // 5. The pull robot, then the trigger is created.
    await wizard.getByLabel("Pull robot").selectOption(robot);
    await wizard.getByRole("button", { name: "Create trigger" }).click();

    // 6. The credentials: what the git server needs.
    await expect(
      wizard.getByText("In order to use this trigger, the following first requires action:"),
    ).toBeVisible({ timeout: 60_000 });
    await expect(
      wizard.getByText("You must give the following public key read access to the git repository."),
    ).toBeVisible();
    await expect(
      wizard.getByText("You must set your repository to POST to the following URL to trigger a build."),
    ).toBeVisible();
    await expect(wizard.getByRole("textbox", { name: "SSH public key" })).toHaveValue(/^ssh-rsa AAAA\S+/);
    const webhook = wizard.getByRole("textbox", { name: "Webhook endpoint URL" });
    await expect(webhook).toHaveValue(
      /^http:\/\/%24token:[A-Z0-9]+@.+\/webhooks\/push\/trigger\/[0-9a-f-]{36}$/,
    );
    const webhookUrl = await webhook.inputValue();
    await screenshot(page, testInfo, "trigger-credentials");
    await wizard.getByRole("button", { name: "Done" }).click();
    await expect(wizard).toBeHidden();

    // Listed with the seed's columns.
    const triggers = page.getByRole("grid", { name: "Build triggers" });
    const row = triggers.getByRole("row").filter({ hasText: `Push to repository ${source}` });
    await expect(row).toHaveCount(1);
    const cells = await row
      .locator("td[data-label]")
      .evaluateAll((tds) => tds.map((td) => `${td.getAttribute("data-label")}: ${td.textContent?.trim()}`));
    expect(cells).toEqual([
      `Trigger name: Push to repository ${source}`,
      "Dockerfile location: /Dockerfile",
      "Context location: /",
      "Branches/tags: heads/main",
      `Pull robot: ${robot}`,
      "Tagging options: Branch/tag name${commit_info.short_sha}",
    ]);
    await row.scrollIntoViewIfNeeded();
    await screenshot(page, testInfo, "build-triggers");

    // The credentials again from the row.
    const actions = row.getByRole("button", { name: `Actions for trigger Push to repository ${source}` });
    await actions.click();
    await page.getByRole("menuitem", { name: "View credentials" }).click();
    const creds = page.getByRole("dialog", { name: "Trigger Credentials" });
    await expect(creds.getByRole("textbox", { name: "Webhook endpoint URL" })).toHaveValue(webhookUrl);
    await expect(creds.getByRole("textbox", { name: "SSH public key" })).toHaveValue(/^ssh-rsa /);
    await creds.getByRole("button", { name: "Done" }).click();

    // Run trigger now: a commit of the branch main; the build page shows what started it and the commit.
    await actions.click();
    await page.getByRole("menuitem", { name: "Run trigger now" }).click();
    const runDialog = page.getByRole("dialog", { name: "Run trigger now" });
    await runDialog.getByLabel("Commit SHA").fill("not-a-sha");
    await expect(runDialog.getByRole("button", { name: "Start build" })).toBeDisabled();
    await runDialog.getByLabel("Commit SHA").fill("1c002dd4b536e7479fe34593e72e6c6c1819e53b");
    await runDialog.getByLabel("Branch name").fill("main");
    await runDialog.getByRole("button", { name: "Start build" }).click();
    await expect(page).toHaveURL(/\/repository\/[^/]+\/app\/-\/build\/[0-9a-f-]{36}$/);
    const details = page.getByRole("region", { name: "Build details" });
    await expect(details).toContainText(`Push to repository ${source} (run by ${owner.username})`);
    await expect(details).toContainText("1c002dd");
    await expect(details).toContainText("heads/main");
    // Its tags follow the trigger's options: the branch name and the short SHA, no latest.
    await expect(details).toContainText("main");
    await expect(details).not.toContainText("latest");
    // The source cannot be cloned here: the build fails, its error line in the log.
    await expect(page.getByRole("status", { name: "Build phase" })).toHaveText("Error", { timeout: 90_000 });
    const failed = page.getByRole("log", { name: "Build log lines" }).locator('[data-type="error"]');
    await expect(failed.first()).toBeVisible();
    await expect(failed.first()).toContainText("Could not read from remote repository.");
    // Errors in red.
    await expect(failed.first()).toHaveAttribute("style", /status--danger/);
    await expect(page.getByText("The build failed")).toBeVisible();
    await page.goBack();

    // Disable: the warning label says why; then Delete.
    await actions.click();
    await page.getByRole("menuitem", { name: "Disable trigger" }).click();
    await expect(row).toContainText("Disabled by a repository administrator");
    await actions.click();
    await page.getByRole("menuitem", { name: "Delete trigger" }).click();
    await page
      .getByRole("dialog", { name: "Delete build trigger" })
      .getByRole("button", { name: "Delete" })
      .click();
    await expect(page.getByText("No build triggers have been set up for this repository.")).toBeVisible();
  });
  test("a GitHub trigger through the wizard: owner/name as the source, the webhook secret among its credentials", async ({
    page,
    createUser,
    signIn,
  }) => {
    test.setTimeout(150_000);
    const owner = await createUser("hubber");
    await owner.client.run(CreateRepositoryDocument, { namespace: owner.username, name: "app" });
    await signIn(owner);
    await page.goto(`/repository/${owner.username}/app?tab=builds`);
    await page.getByRole("button", { name: "Create build trigger" }).click();
    const wizard = page.getByRole("dialog", { name: "Set up build trigger" });
    const next = wizard.getByRole("button", { name: "Next", exact: true });
    await wizard.getByRole("radio", { name: /GitHub Repository Push/ }).check();
    await wizard.getByLabel("Repository", { exact: true }).fill("not a repo");
    await expect(next).toBeDisabled();
    await wizard.getByLabel("Repository", { exact: true }).fill("octocat/hello-world");
    for (let i = 0; i < 4; i++) await next.click();
    await wizard.getByRole("button", { name: "Create trigger" }).click();
    // Creating the trigger makes an RSA deploy key: seconds on a loaded machine.
    await expect(wizard.getByRole("textbox", { name: "Webhook Secret" })).toHaveValue(/^[A-Z0-9]{20,}$/, {
      timeout: 60_000,
    });
    await expect(wizard.getByRole("textbox", { name: "SSH public key" })).toHaveValue(/^ssh-rsa /);
    await wizard.getByRole("button", { name: "Done" }).click();
    await expect(
      page
        .getByRole("grid", { name: "Build triggers" })
        .getByRole("row")
        .filter({ hasText: "Push to GitHub repository octocat/hello-world" }),
    ).toBeVisible();
  });
});
