// The quality bar of every page: empty and error states, a main flow done with the keyboard alone, and
// narrow screens without horizontal overflow.
import { screenshot } from "./artifacts.js";
import { expect, test, uniqueName, type Page } from "./fixtures.js";
import { CreateRepositoryDocument, CreateTeamDocument, RepositoryDocument } from "@hm/schema";
import type { Locator } from "@playwright/test";

/** Presses Tab (at most `max` times) until `target` has the focus; fails when it never does. */
async function tabTo(page: Page, target: Locator, max = 40) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  await expect(target, `reachable with Tab within ${max} presses`).toBeFocused();
}

/** Neither the document nor the page's main area scrolls sideways; names what sticks out when it does. */
async function expectNoHorizontalOverflow(page: Page, what: string) {
  const widths = await page.evaluate(() => {
    const main = document.getElementById("main-content");
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}.${Array.from(el.classList).join(".")} (right ${Math.round(el.getBoundingClientRect().right)})`;
    const outside = Array.from(document.querySelectorAll("body *"))
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter(
        (el) =>
          !el.parentElement || el.parentElement.getBoundingClientRect().right <= window.innerWidth + 0.5,
      )
      .slice(0, 5)
      .map(describe);
    return {
      viewport: window.innerWidth,
      document: document.documentElement.scrollWidth,
      main: main ? main.scrollWidth - main.clientWidth : 0,
      outside,
    };
  });
  const detail = `${what}; sticking out: ${widths.outside.join(", ") || "nothing"}`;
  expect(widths.document, `the page is no wider than the screen (${detail})`).toBeLessThanOrEqual(
    widths.viewport,
  );
  expect(widths.main, `the main area does not scroll sideways (${detail})`).toBeLessThanOrEqual(0);
}

test.describe("loading, empty and error states, keyboard, narrow screens", () => {
  test("an empty repository list and tag list show empty states; a missing repository shows the server's message", async ({
    page,
    createUser,
    signIn,
  }, testInfo) => {
    const user = await createUser("states");
    await signIn(user);
    // Scoped to the user's namespace: "All namespaces" also lists other users' public repositories.
    await page.goto(`/repository?namespace=${user.username}`);
    const empty = page.locator(".pf-v6-c-empty-state");
    await expect(empty).toContainText("No repositories yet");
    await expect(empty.getByRole("button", { name: "Create repository" })).toBeVisible();

    await user.client.run(CreateRepositoryDocument, { namespace: user.username, name: "bare" });
    await page.goto(`/repository/${user.username}/bare`);
    await expect(empty).toContainText("No tags yet");
    await page.getByRole("tab", { name: "Tag history" }).click();
    await expect(empty).toBeVisible();

    const missing = `${user.username}/${uniqueName("missing")}`;
    const serverMessage = await user.client
      .run(RepositoryDocument, { namespace: user.username, name: missing.split("/")[1] })
      .then(
        () => "",
        (e: Error) => e.message.replace(/^NOT_FOUND: /, ""),
      );
    expect(serverMessage).toContain("not found");
    await page.goto(`/repository/${missing}`);
    await expect(empty).toContainText("This repository does not exist");
    await expect(empty).toContainText(serverMessage);
    await expect(empty.getByRole("link", { name: "Go to repositories" })).toBeVisible();
    await screenshot(page, testInfo, "repository-not-found");
  });

  test("a repository is created with the keyboard alone", async ({ page, createUser, signIn }, testInfo) => {
    const user = await createUser("keys");
    await signIn(user);
    await page.goto("/repository");
    await expect(page.getByRole("heading", { name: "Repositories", level: 1 })).toBeVisible();

    await tabTo(page, page.getByRole("button", { name: "Create repository" }).first());
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Create repository" });
    await expect(dialog).toBeVisible();
    await tabTo(page, dialog.getByLabel("Repository name"));
    await page.keyboard.type("typed");
    await tabTo(page, dialog.getByLabel("Description"));
    await page.keyboard.type("Made without a mouse");
    // Tab enters a radio group at its checked radio; the arrow keys move the choice.
    await tabTo(page, dialog.getByRole("radio", { name: /Private/ }));
    await page.keyboard.press("ArrowUp");
    await expect(dialog.getByRole("radio", { name: /Public/ })).toBeChecked();
    await tabTo(page, dialog.getByRole("button", { name: "Create" }));
    await screenshot(page, testInfo, "keyboard-create-repository");
    await page.keyboard.press("Enter");

    await expect(page.getByRole("heading", { name: `${user.username}/typed`, level: 1 })).toBeVisible();
    await expect(page.getByText("public", { exact: true })).toBeVisible();
    // The tabs answer to the keyboard as well
    await tabTo(page, page.getByRole("tab", { name: "Tags", exact: true }));
    await page.keyboard.press("Shift+Tab");
    await tabTo(page, page.getByRole("tab", { name: "Information" }));
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("repo-description")).toHaveText("Made without a mouse");
  });

  test("repository and organization pages fit a 400 px wide screen", async ({
    page,
    createUser,
    signIn,
    createOrganization,
  }, testInfo) => {
    const user = await createUser("narrow");
    const org = await createOrganization(user, "narrow");
    await user.client.run(CreateRepositoryDocument, {
      namespace: org,
      name: "a-repository-with-a-rather-long-name",
      description: "Shown on a phone",
    });
    await user.client.run(CreateTeamDocument, { organization: org, name: "developers" });
    await signIn(user);
    await page.setViewportSize({ width: 400, height: 800 });

    const repo = `/repository/${org}/a-repository-with-a-rather-long-name`;
    for (const tab of ["information", "tags", "history", "logs", "settings"]) {
      await page.goto(`${repo}?tab=${tab}`);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expect(page.getByRole("tab", { selected: true })).toBeVisible();
      await page.waitForLoadState("networkidle");
      await expectNoHorizontalOverflow(page, `repository ${tab}`);
    }
    await page.goto(`${repo}?tab=settings`);
    await screenshot(page, testInfo, "narrow-repository-settings");

    for (const tab of ["repositories", "teams", "robots", "defaultpermissions", "logs", "settings"]) {
      await page.goto(`/organization/${org}?tab=${tab}`);
      await expect(page.getByRole("heading", { name: org, level: 1 })).toBeVisible();
      await page.waitForLoadState("networkidle");
      await expectNoHorizontalOverflow(page, `organization ${tab}`);
    }
    await page.goto(`/organization/${org}?tab=teams`);
    await screenshot(page, testInfo, "narrow-organization-teams");
  });
});
