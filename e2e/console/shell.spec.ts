import { screenshot } from "./artifacts.js";
import { ADMIN, expect, registryHost, test } from "./fixtures.js";

test.describe("console shell", () => {
  test("the console is served by the API; anonymous visitors are sent to sign in", async ({
    page,
  }, testInfo) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/signin/);
    await expect(page.getByRole("heading", { name: "Sign in to Harbormaster" })).toBeVisible();
    await expect(page.getByText(registryHost())).toBeVisible();
    await screenshot(page, testInfo, "sign-in");
  });

  test("masthead and navigation; the superuser sees the superuser panel; narrow screens get a menu toggle", async ({
    page,
    signIn,
  }, testInfo) => {
    await signIn(ADMIN);
    await page.goto("/");
    await expect(page).toHaveURL(/\/repository$/);
    const nav = page.getByRole("navigation", { name: "Main navigation" });
    for (const item of ["Repositories", "Organizations", "Explore", "Account settings", "Superuser panel"]) {
      await expect(nav.getByRole("link", { name: item })).toBeVisible();
    }
    await expect(page.getByRole("button", { name: "Pending invitations (0)" })).toBeVisible();
    await nav.getByRole("link", { name: "Explore" }).click();
    await expect(page.getByRole("heading", { name: "Explore public repositories" })).toBeVisible();
    await page.goto("/no/such/page");
    await expect(page.getByText("This page does not exist")).toBeVisible();

    await page.setViewportSize({ width: 400, height: 800 });
    await page.goto("/organization");
    await expect(page.getByRole("heading", { name: "Organizations" })).toBeVisible();
    await page.getByRole("button", { name: "Global navigation" }).click();
    await expect(nav.getByRole("link", { name: "Repositories" })).toBeVisible();
    await screenshot(page, testInfo, "narrow-navigation");
  });
});
