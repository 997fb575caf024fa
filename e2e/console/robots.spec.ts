// Robot accounts in the browser: one role on several repositories at once, the credentials dialog's tabs,
// regenerating the token (the old one is refused at /v2/auth) and deleting the robot.
import { request } from "@playwright/test";
import { screenshot } from "./artifacts.js";
import { baseURL, expect, registryHost, test } from "./fixtures.js";
import { CreateRepositoryDocument, CreateRobotDocument, RobotsDocument } from "@hm/schema";

/** The status /v2/auth answers for these basic credentials. */
async function registryLogin(username: string, password: string): Promise<number> {
  const ctx = await request.newContext({ baseURL: baseURL() });
  try {
    const res = await ctx.get(`/v2/auth?service=${encodeURIComponent(registryHost())}`, {
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` },
    });
    return res.status();
  } finally {
    await ctx.dispose();
  }
}

test.describe("robot accounts", () => {
  test("bulk repository permissions, credentials tabs, regenerate (old token refused), delete", async ({
    page,
    createUser,
    signIn,
    createOrganization,
  }, testInfo) => {
    const owner = await createUser("robowner");
    const org = await createOrganization(owner, "rob");
    for (const name of ["api", "web", "docs"])
      await owner.client.run(CreateRepositoryDocument, { namespace: org, name, visibility: "private" });
    await owner.client.run(CreateRobotDocument, { namespace: org, name: "ci" });
    const robot = `${org}+ci`;

    await signIn(owner);
    await page.goto(`/organization/${org}?tab=robots`);
    const robots = page.getByRole("grid", { name: "Robot accounts" });
    const robotRow = robots.getByRole("row").filter({ hasText: robot });
    await expect(robotRow).toContainText("0 repositories");

    // One role on two of the three repositories
    await robotRow.getByRole("button", { name: `Actions for ${robot}` }).click();
    await page.getByRole("menuitem", { name: "Set repository permissions" }).click();
    const dialog = page.getByRole("dialog", { name: `Repository permissions of ${robot}` });
    const repoRow = (name: string) =>
      dialog.getByRole("row").filter({ has: page.getByRole("gridcell", { name, exact: true }) });
    await expect(dialog.getByRole("button", { name: "Apply to selected" })).toBeDisabled();
    await repoRow("api").getByRole("checkbox").check();
    await repoRow("web").getByRole("checkbox").check();
    await dialog.getByLabel("Role for the selected repositories").selectOption("write");
    await dialog.getByRole("button", { name: "Apply to selected (2)" }).click();
    await expect(dialog.getByLabel("Permission on api")).toHaveValue("write");
    await expect(dialog.getByLabel("Permission on web")).toHaveValue("write");
    await expect(dialog.getByLabel("Permission on docs")).toHaveValue("none");
    await expect(repoRow("api").getByRole("checkbox")).not.toBeChecked();
    await screenshot(page, testInfo, "robot-bulk-permissions");
    await dialog.getByRole("button", { name: "Save permissions" }).click();
    await expect(dialog).toBeHidden();
    await expect(robotRow).toContainText("2 repositories");
    const { robots: listed } = await owner.client.run(RobotsDocument, { namespace: org });
    expect(
      listed
        .find((r: { name: string }) => r.name === robot)
        .repositories.map((r: { repository: string; role: string }) => `${r.repository}:${r.role}`)
        .sort(),
    ).toEqual(["api:write", "web:write"]);

    // Every tab of the credentials dialog
    await robots.getByRole("button", { name: robot, exact: true }).click();
    const creds = page.getByRole("dialog", { name: `Credentials for ${robot}` });
    const token = await creds.getByRole("textbox", { name: "Robot token" }).inputValue();
    expect(token.length).toBeGreaterThan(20);
    await expect(creds.getByRole("tabpanel")).toContainText(robot);
    const tabs: [string, RegExp][] = [
      ["Docker login", new RegExp(`^docker login -u='${robot.replace("+", "\\+")}'`)],
      ["Podman login", new RegExp(`^podman login -u='${robot.replace("+", "\\+")}'`)],
    ];
    for (const [tab, expected] of tabs) {
      await creds.getByRole("tab", { name: tab }).click();
      const field = creds.getByRole("textbox", { name: tab });
      await expect(field).toHaveValue(expected);
      await expect(field).toHaveValue(new RegExp(token));
    }
    await creds.getByRole("tab", { name: "Kubernetes secret" }).click();
    await expect(creds.getByRole("tabpanel")).toContainText("kind: Secret");
    await expect(creds.getByRole("tabpanel")).toContainText(".dockerconfigjson");
    await creds.getByRole("tab", { name: "Docker configuration" }).click();
    await expect(creds.getByRole("tabpanel")).toContainText('"auths"');
    await expect(creds.getByRole("tabpanel")).toContainText(registryHost());
    expect(await registryLogin(robot, token)).toBe(200);

    // Regenerate: the old token stops working at once
    await creds.getByRole("tab", { name: "Robot token" }).click();
    await creds.getByRole("button", { name: "Regenerate token" }).click();
    await creds.getByRole("button", { name: "Regenerate now" }).click();
    await expect(creds.getByText("A new token was generated")).toBeVisible();
    const fresh = await creds.getByRole("textbox", { name: "Robot token" }).inputValue();
    expect(fresh).not.toBe(token);
    expect(await registryLogin(robot, token)).toBe(401);
    expect(await registryLogin(robot, fresh)).toBe(200);
    await creds.getByRole("button", { name: "Done" }).click();

    // Delete, confirmed by typing the robot's name
    await robotRow.getByRole("button", { name: `Actions for ${robot}` }).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: `Delete robot account ${robot}?` });
    await confirm.getByLabel(`Type ${robot} to confirm`).fill(robot);
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(page.getByText("No robot accounts")).toBeVisible();
    expect(await registryLogin(robot, fresh)).toBe(401);
  });
});
