import { screenshot } from "./artifacts.js";
import { expect, test, uniqueName } from "./fixtures.js";
import { DeleteUserDocument } from "@hm/schema";

test.describe("sign-up, sign-in and sign-out", () => {
  test("a new user signs up in the browser, lands on an empty repository list, and signs out", async ({
    page,
    admin,
    cleanup,
  }, testInfo) => {
    const username = uniqueName("signup");
    cleanup.add(`delete ${username}`, () => admin.run(DeleteUserDocument, { username }));
    await page.goto("/repository");
    await expect(page).toHaveURL(/\/signin\?next=/);
    await page.getByRole("link", { name: "Create one" }).click();
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("E-mail").fill(`${username}@example.com`);
    await page.getByLabel(/^Password/).fill("a-good-password");
    await page.getByLabel("Repeat password").fill("a-good-password");
    await screenshot(page, testInfo, "sign-up");
    await page.getByRole("button", { name: "Create account" }).click();

    await expect(page.getByRole("heading", { name: "Repositories", level: 1 })).toBeVisible();
    await expect(page.getByText("No repositories yet")).toBeVisible();
    await expect(page.getByRole("button", { name: "User menu" })).toContainText(username);
    await expect(page.getByRole("button", { name: "Notifications" })).toBeVisible();
    await screenshot(page, testInfo, "repositories-empty");

    await page.getByRole("button", { name: "User menu" }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    await page.goto("/organization");
    await expect(page).toHaveURL(/\/signin/);
  });

  test("a wrong password shows the server's message; the right one signs in", async ({
    page,
    createUser,
  }, testInfo) => {
    const user = await createUser("login");
    await page.goto("/signin");
    await page.getByLabel("Username").fill(user.username);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText(/invalid|incorrect|wrong/i)).toBeVisible();
    await screenshot(page, testInfo, "sign-in-error");
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Repositories", level: 1 })).toBeVisible();
  });
});
