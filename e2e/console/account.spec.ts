import { screenshot } from "./artifacts.js";
import { expect, test, uniqueName } from "./fixtures.js";
import { AccountSettingsDocument, DeleteOrganizationDocument, DeleteUserDocument } from "@hm/schema";

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
    // The sign-in form also has a "Username" field: a fill before the route change renders lands there and is lost.
    await expect(page.getByRole("heading", { name: "Create an account" })).toBeVisible();
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("E-mail").fill(`${username}@example.com`);
    await page.getByLabel(/^Password/).fill("a-good-password");
    await page.getByLabel("Repeat password").fill("a-good-password");
    await screenshot(page, testInfo, "sign-up");
    await page.getByRole("button", { name: "Create account" }).click();

    await expect(page.getByRole("heading", { name: "Repositories", level: 1 })).toBeVisible();
    // Their own namespace is empty ("All namespaces" also lists other users' public repositories).
    await page.getByLabel("Filter by namespace").selectOption(username);
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

  test("account settings: the time-machine window; deleting the account is refused while the last admin of an organization, then done", async ({
    page,
    createUser,
    signIn,
    createOrganization,
  }, testInfo) => {
    const user = await createUser("leaver");
    const org = await createOrganization(user, "leaverorg");
    await signIn(user);
    await page.goto("/settings");
    await page.getByLabel("Time machine").selectOption("1w");
    await page.getByRole("button", { name: "Save time machine" }).click();
    await expect(page.getByText("Saved")).toBeVisible();
    expect((await user.client.run(AccountSettingsDocument)).viewer.timeMachine).toBe("1w");
    await page.reload();
    await expect(page.getByLabel("Time machine")).toHaveValue("1w");

    // Refused while the last admin of the organization: the server's message in the dialog
    await page.getByRole("button", { name: "Delete account" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete your account?" });
    await expect(confirm.getByRole("button", { name: "Delete" })).toBeDisabled();
    await confirm.getByLabel(`Type ${user.username} to confirm`).fill(user.username);
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(confirm.getByRole("alert")).toContainText(`they are the last admin of ${org}`);
    await screenshot(page, testInfo, "delete-account-refused");
    await confirm.getByRole("button", { name: "Cancel" }).click();

    // Without the organization the account goes, and the session with it
    await user.client.run(DeleteOrganizationDocument, { name: org, confirm: org });
    await page.getByRole("button", { name: "Delete account" }).click();
    await confirm.getByLabel(`Type ${user.username} to confirm`).fill(user.username);
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(page).toHaveURL(/\/signin/);
    await page.getByLabel("Username").fill(user.username);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText(/invalid|incorrect|wrong/i)).toBeVisible();
  });
});
