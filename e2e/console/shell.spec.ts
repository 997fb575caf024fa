import { screenshot } from "./artifacts.js";
import { expect, registryHost, test } from "./fixtures.js";

test.describe("console shell", () => {
  test("the console is served by the API and shows the registry host", async ({ page }, testInfo) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByText(registryHost()).first()).toBeVisible();
    await screenshot(page, testInfo, "home");
  });
});
