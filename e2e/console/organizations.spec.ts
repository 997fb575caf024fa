// The "Done when" tenancy flow in the browser alone: organization, team with a member, robot account,
// repository with permissions, and the logs of all of it.
import { screenshot } from "./artifacts.js";
import { expect, test, uniqueName } from "./fixtures.js";
import { DeleteOrganizationDocument, ViewerDocument } from "@hm/schema";

test.describe("organizations, teams and robots", () => {
  test("a user creates an organization, a team with a member, a robot and a repository, and reads the logs", async ({
    page,
    context,
    createUser,
    signIn,
    cleanup,
  }, testInfo) => {
    const owner = await createUser("owner");
    const member = await createUser("member");
    const org = uniqueName("org");
    cleanup.add(`delete ${org}`, () =>
      owner.client.run(DeleteOrganizationDocument, { name: org, confirm: org }),
    );
    await signIn(owner);

    // Organization
    await page.goto("/organization");
    await page.getByRole("button", { name: "Create organization" }).click();
    await page.getByLabel("Organization name").fill(org);
    await page.getByRole("dialog").getByRole("button", { name: "Create" }).click();
    await expect(page.getByRole("heading", { name: org, level: 1 })).toBeVisible();

    // Repository in the organization
    await page.getByRole("button", { name: "Create repository" }).first().click();
    await expect(page.getByLabel("Namespace")).toHaveValue(org);
    await page.getByLabel("Repository name").fill("app");
    await page.getByLabel("Description").fill("The application image");
    await page.getByRole("dialog").getByRole("button", { name: "Create" }).click();
    await expect(page.getByRole("heading", { name: `${org}/app`, level: 1 })).toBeVisible();
    await expect(page.getByText("No tags yet")).toBeVisible();
    await page.getByRole("tab", { name: "Information" }).click();
    await expect(page.getByTestId("repo-description")).toHaveText("The application image");
    await page.getByRole("link", { name: org }).click();

    // Team with a member and a repository permission, through the wizard
    await page.getByRole("tab", { name: "Teams and membership" }).click();
    await page.getByRole("button", { name: "Create team" }).click();
    await page.getByLabel("Team name").fill("developers");
    await page.getByLabel("Team role").selectOption("creator");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Permission on app").selectOption("write");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("user name").fill(member.username);
    await page.getByRole("button", { name: "Add to list" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByText("app (write)")).toBeVisible();
    await screenshot(page, testInfo, "create-team-review");
    await page.getByRole("button", { name: "Create team" }).click();
    const teamRow = page.getByRole("row", { name: /developers/ });
    await expect(teamRow).toBeVisible();
    await expect(teamRow.getByLabel("Role of team developers")).toHaveValue("creator");
    await screenshot(page, testInfo, "organization-teams");

    // The member is invited until they accept
    await teamRow.getByRole("button", { name: "developers", exact: true }).click();
    const members = page.getByRole("dialog");
    await expect(members.getByRole("row", { name: new RegExp(member.username) })).toContainText("invited");
    await members.getByRole("button", { name: "Close" }).click();

    // Robot account through the wizard, then its credentials
    await page.getByRole("tab", { name: "Robot accounts" }).click();
    await page.getByRole("button", { name: "Create robot account" }).click();
    await page.getByLabel("Robot name").fill("ci");
    await page.getByLabel("Description").fill("pushes from CI");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("developers").check();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Permission on app").selectOption("write");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Create robot account" }).click();
    const creds = page.getByRole("dialog", { name: `Credentials for ${org}+ci` });
    await expect(creds).toBeVisible();
    await creds.getByRole("tab", { name: "Podman login" }).click();
    await expect(creds.getByRole("textbox", { name: "Podman login" })).toHaveValue(
      new RegExp(`^podman login -u="${org.replace(/[+]/g, "\\+")}\\+ci"|${org}\\+ci`),
    );
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await creds.getByRole("button", { name: "Copy Podman login" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(`${org}+ci`);
    await creds.getByRole("tab", { name: "Kubernetes secret" }).click();
    await screenshot(page, testInfo, "robot-credentials");
    await creds.getByRole("button", { name: "Done" }).click();
    const robotRow = page.getByRole("row", { name: new RegExp(`${org}\\+ci`) });
    await expect(robotRow).toContainText("developers");
    await expect(robotRow).toContainText("1 repository");

    // The member accepts the invitation from the masthead
    const viewer = await member.client.run(ViewerDocument);
    expect(viewer.viewer?.invitations.map((i: { team: string }) => i.team)).toContain("developers");

    // Logs of all of it
    await page.getByRole("tab", { name: "Logs" }).click();
    const logs = page.getByRole("grid", { name: "Logs" });
    for (const kind of ["create repo", "org create team", "org invite team member", "create robot"]) {
      await expect(logs).toContainText(kind);
    }
    await logs
      .getByRole("row", { name: /create robot/ })
      .getByRole("button", { name: "Details" })
      .click();
    await expect(logs.getByText('"kind": "create_robot"')).toBeVisible();
    await screenshot(page, testInfo, "organization-logs");
  });

  test("an invited member accepts the invitation from the masthead", async ({
    page,
    createUser,
    signIn,
    cleanup,
  }) => {
    const owner = await createUser("owner");
    const member = await createUser("invitee");
    const org = uniqueName("org");
    const { CreateOrganizationDocument, CreateTeamDocument, AddTeamMemberDocument } =
      await import("@hm/schema");
    await owner.client.run(CreateOrganizationDocument, { name: org });
    cleanup.add(`delete ${org}`, () =>
      owner.client.run(DeleteOrganizationDocument, { name: org, confirm: org }),
    );
    await owner.client.run(CreateTeamDocument, { organization: org, name: "readers" });
    await owner.client.run(AddTeamMemberDocument, {
      organization: org,
      team: "readers",
      member: member.username,
    });

    await signIn(member);
    await page.goto("/organization");
    await page.getByRole("button", { name: "Pending invitations (1)" }).click();
    await expect(page.getByRole("dialog")).toContainText(`Team readers of ${org}`);
    await page.getByRole("button", { name: "Accept" }).click();
    await expect(page.getByText("No pending invitations")).toBeVisible();
    await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
    await page.reload();
    await expect(page.getByRole("row", { name: new RegExp(org) })).toBeVisible();
  });
});
