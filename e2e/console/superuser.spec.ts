import { screenshot } from "./artifacts.js";
import { ADMIN, anonymousClient, expect, test, uniqueName } from "./fixtures.js";
import { DeleteUserDocument, LoginDocument } from "@hm/schema";

test.describe("superuser panel", () => {
  test("a superuser creates a user (password shown once), changes the password, disables, enables and deletes", async ({
    page,
    signIn,
    admin,
    cleanup,
  }, testInfo) => {
    const username = uniqueName("managed");
    cleanup.add(`delete ${username}`, () => admin.run(DeleteUserDocument, { username }));
    await signIn(ADMIN);
    await page.goto("/repository");
    await page.getByRole("link", { name: "Superuser panel" }).click();
    await expect(page.getByRole("heading", { name: "Superuser panel" })).toBeVisible();

    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("E-mail").fill(`${username}@example.com`);
    await page.getByRole("dialog").getByRole("button", { name: "Create user" }).click();
    await expect(page.getByText("This password is shown only once")).toBeVisible();
    const generated = await page.getByRole("textbox", { name: "Generated password" }).inputValue();
    expect(generated.length).toBeGreaterThan(8);
    await screenshot(page, testInfo, "superuser-created-user");
    await page.getByRole("button", { name: "Done" }).click();

    const anon = await anonymousClient();
    await anon.run(LoginDocument, { username, password: generated });

    await page.getByLabel("Filter users").fill(username);
    const row = page.getByRole("row", { name: new RegExp(username) });
    await expect(row).toBeVisible();
    await row.getByRole("button", { name: `Actions for ${username}` }).click();
    await page.getByRole("menuitem", { name: "Change password" }).click();
    await page.getByLabel("New password").fill("changed-by-admin");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByRole("dialog")).toBeHidden();
    await anon.run(LoginDocument, { username, password: "changed-by-admin" });

    await row.getByRole("button", { name: `Actions for ${username}` }).click();
    await page.getByRole("menuitem", { name: "Disable user" }).click();
    await expect(row.getByText("disabled")).toBeVisible();
    await expect(anon.run(LoginDocument, { username, password: "changed-by-admin" })).rejects.toThrow();
    await screenshot(page, testInfo, "superuser-users");
    await row.getByRole("button", { name: `Actions for ${username}` }).click();
    await page.getByRole("menuitem", { name: "Enable user" }).click();
    await expect(row.getByText("enabled")).toBeVisible();

    await row.getByRole("button", { name: `Actions for ${username}` }).click();
    await page.getByRole("menuitem", { name: "Delete user" }).click();
    await page.getByLabel(`Type ${username} to confirm`).fill(username);
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await expect(page.getByText("No user matches")).toBeVisible();
    await anon.dispose();

    await page.getByRole("tab", { name: "System logs" }).click();
    await page.getByLabel("Filter logs").fill(username);
    await expect(page.getByRole("grid", { name: "Logs" })).toContainText(username);
    await screenshot(page, testInfo, "superuser-logs");
  });
});
