import { screenshot } from "./artifacts.js";
import { expect, test } from "./fixtures.js";
import { CreateRepositoryDocument } from "@hm/schema";

test.describe("repositories", () => {
  test("create from the list, star, search, grant permissions, make public, bulk delete with confirm", async ({
    page,
    createUser,
    signIn,
  }, testInfo) => {
    const owner = await createUser("repoowner");
    const friend = await createUser("friend");
    await owner.client.run(CreateRepositoryDocument, { namespace: owner.username, name: "other" });
    await signIn(owner);
    await page.goto("/repository");

    await page.getByRole("button", { name: "Create repository" }).first().click();
    await expect(page.getByRole("dialog").getByLabel("Namespace")).toHaveValue(owner.username);
    await page.getByLabel("Repository name").fill("web");
    await page.getByRole("radio", { name: /Public/ }).check();
    await page.getByRole("dialog").getByRole("button", { name: "Create" }).click();
    await expect(page.getByRole("heading", { name: `${owner.username}/web`, level: 1 })).toBeVisible();
    await expect(page.getByText("public", { exact: true })).toBeVisible();

    // Star it, then find it among starred repositories
    await page.getByRole("button", { name: `Star ${owner.username}/web` }).click();
    await expect(page.getByRole("button", { name: `Unstar ${owner.username}/web` })).toBeVisible();
    await page.getByRole("link", { name: "Repositories" }).first().click();
    await page.getByRole("button", { name: "Starred" }).click();
    const list = page.getByRole("grid", { name: "Repositories" });
    await expect(list.getByRole("link", { name: `${owner.username}/web` })).toBeVisible();
    await expect(list.getByRole("link", { name: `${owner.username}/other` })).toBeHidden();
    await page.getByRole("button", { name: "All" }).click();
    await page.getByLabel("Search repositories").fill("oth");
    await expect(list.getByRole("link", { name: `${owner.username}/other` })).toBeVisible();
    await expect(list.getByRole("link", { name: `${owner.username}/web` })).toBeHidden();
    await page.getByLabel("Search repositories").fill("");

    // Settings: a user permission with a role dropdown, then private again
    await list.getByRole("link", { name: `${owner.username}/web` }).click();
    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByLabel("user name").fill(friend.username);
    await page.getByLabel("Role to grant").selectOption("write");
    await page.getByRole("button", { name: "Add permission" }).click();
    const perms = page.getByRole("grid", { name: "Repository permissions" });
    await expect(perms.getByRole("combobox", { name: `Permission of ${friend.username}` })).toHaveValue(
      "write",
    );
    await perms.getByRole("combobox", { name: `Permission of ${friend.username}` }).selectOption("admin");
    await expect(perms.getByRole("combobox", { name: `Permission of ${friend.username}` })).toHaveValue(
      "admin",
    );
    await page.getByLabel("Public: anyone can pull").click();
    await expect(page.getByText("private", { exact: true })).toBeVisible();
    await screenshot(page, testInfo, "repository-settings");

    // Bulk delete from the list, confirmed by typing
    await page.goto("/repository");
    const select = (name: string) => list.getByRole("row").filter({ hasText: name }).getByRole("checkbox");
    await select(`${owner.username}/web`).check();
    await select(`${owner.username}/other`).check();
    await page.getByRole("button", { name: "Delete (2)" }).click();
    const confirm = page.getByRole("dialog");
    await expect(confirm.getByRole("button", { name: "Delete" })).toBeDisabled();
    await confirm.getByLabel("Type confirm to confirm").fill("confirm");
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(list.getByRole("link", { name: new RegExp(`^${owner.username}/`) })).toHaveCount(0);
    await page.getByLabel("Filter by namespace").selectOption(owner.username);
    await expect(page.getByText("No repositories yet")).toBeVisible();
  });

  test("account settings: e-mail, a wrong current password is refused, the user's own robot", async ({
    page,
    createUser,
    signIn,
  }, testInfo) => {
    const user = await createUser("settings");
    await signIn(user);
    await page.goto("/settings");
    await page.getByLabel("E-mail").fill(`new-${user.email}`);
    await page.getByRole("button", { name: "Save e-mail" }).click();
    await expect(page.getByText("Saved")).toBeVisible();
    await page.getByLabel("Current password").fill("wrong");
    await page.getByLabel("New password").fill("another-password");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Not saved" })).toBeVisible();
    await screenshot(page, testInfo, "account-settings");

    await page.getByRole("tab", { name: "Robot accounts" }).click();
    await page.getByRole("button", { name: "Create robot account" }).click();
    await page.getByLabel("Robot name").fill("deployer");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Create robot account" }).click();
    const creds = page.getByRole("dialog", { name: `Credentials for ${user.username}+deployer` });
    const token = await creds.getByRole("textbox", { name: "Robot token" }).inputValue();
    await creds.getByRole("button", { name: "Regenerate token" }).click();
    await creds.getByRole("button", { name: "Regenerate now" }).click();
    await expect(creds.getByText("A new token was generated")).toBeVisible();
    await expect(creds.getByRole("textbox", { name: "Robot token" })).not.toHaveValue(token);
    await creds.getByRole("button", { name: "Done" }).click();
    await expect(page.getByRole("row", { name: new RegExp(`${user.username}\\+deployer`) })).toBeVisible();
  });
});
