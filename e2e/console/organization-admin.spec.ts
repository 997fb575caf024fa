// An organization's administration in the browser: default permissions (and the repositories they reach),
// team membership (remove, cancel invitations, roles, delete, the last admin), settings and deletion, and
// the logs' page count.
import { screenshot } from "./artifacts.js";
import { expect, test, uniqueName, type GraphQLClient } from "./fixtures.js";
import {
  AcceptInvitationDocument,
  AddTeamMemberDocument,
  CreateRepositoryDocument,
  CreateRobotDocument,
  CreateTeamDocument,
  LogsDocument,
  OrganizationDocument,
  OrganizationTeamsDocument,
  ViewerDocument,
} from "@hm/schema";

/** The invitee accepts every pending invitation through GraphQL. */
async function acceptAll(client: GraphQLClient) {
  const { viewer } = await client.run(ViewerDocument);
  for (const i of viewer.invitations as { id: string }[])
    await client.run(AcceptInvitationDocument, { id: i.id });
}

test.describe("organization administration", () => {
  test("default permissions for anyone and for one creator: create, change the role, delete; new repositories get them", async ({
    page,
    createUser,
    signIn,
    createOrganization,
  }, testInfo) => {
    const owner = await createUser("dpowner");
    const creator = await createUser("dpcreator");
    const friend = await createUser("dpfriend");
    const org = await createOrganization(owner, "dp");
    await owner.client.run(CreateTeamDocument, { organization: org, name: "readers", role: "member" });
    await owner.client.run(CreateTeamDocument, { organization: org, name: "makers", role: "creator" });
    await owner.client.run(AddTeamMemberDocument, {
      organization: org,
      team: "makers",
      member: creator.username,
    });
    await acceptAll(creator.client);
    await owner.client.run(CreateRobotDocument, { namespace: org, name: "deployer" });

    await signIn(owner);
    await page.goto(`/organization/${org}?tab=defaultpermissions`);
    await expect(page.getByText("No default permissions")).toBeVisible();
    const create = async (o: { creator?: string; kind: string; name: string; role: string }) => {
      await page.getByRole("button", { name: "Create default permission" }).click();
      const dialog = page.getByRole("dialog", { name: "Create default permission" });
      if (o.creator) {
        await dialog.getByRole("radio", { name: "A specific user" }).check();
        await dialog.getByLabel("Creator").fill(o.creator);
      } else {
        await expect(dialog.getByRole("radio", { name: "Anyone" })).toBeChecked();
      }
      await dialog.getByLabel("Kind").selectOption(o.kind);
      await dialog.getByLabel(`${o.kind} name`).fill(o.name);
      await dialog.getByLabel("Permission", { exact: true }).selectOption(o.role);
      await dialog.getByRole("button", { name: "Create" }).click();
      await expect(dialog).toBeHidden();
    };
    await create({ kind: "team", name: "readers", role: "write" });
    await create({ creator: creator.username, kind: "robot", name: `${org}+deployer`, role: "read" });
    await create({ kind: "user", name: friend.username, role: "read" });

    const table = page.getByRole("grid", { name: "Default permissions" });
    const row = (delegate: string) => table.getByRole("row").filter({ hasText: delegate });
    await expect(row("readers")).toContainText("Anyone");
    await expect(row(`${org}+deployer`)).toContainText(creator.username);
    await expect(row(friend.username)).toContainText("Anyone");
    await table
      .getByLabel(`Default permission for ${friend.username}`, { exact: true })
      .selectOption("admin");
    await expect(table.getByLabel(`Default permission for ${friend.username}`, { exact: true })).toHaveValue(
      "admin",
    );
    await page.reload();
    await expect(table.getByLabel(`Default permission for ${friend.username}`, { exact: true })).toHaveValue(
      "admin",
    );
    await screenshot(page, testInfo, "organization-default-permissions");
    await table.getByRole("button", { name: `Delete default permission for ${friend.username}` }).click();
    await expect(row(friend.username)).toBeHidden();
    await expect(table.getByRole("row")).toHaveCount(3); // header + two

    // The creator's new repository gets both; the owner's gets only the one for anyone.
    await creator.client.run(CreateRepositoryDocument, { namespace: org, name: "by-creator" });
    await owner.client.run(CreateRepositoryDocument, { namespace: org, name: "by-owner" });
    const perms = page.getByRole("grid", { name: "Repository permissions" });
    await page.goto(`/repository/${org}/by-creator?tab=settings`);
    await expect(perms.getByLabel("Permission of readers", { exact: true })).toHaveValue("write");
    await expect(perms.getByLabel(`Permission of ${org}+deployer`, { exact: true })).toHaveValue("read");
    await expect(perms.getByLabel(`Permission of ${friend.username}`, { exact: true })).toBeHidden();
    await page.goto(`/repository/${org}/by-owner?tab=settings`);
    await expect(perms.getByLabel("Permission of readers", { exact: true })).toHaveValue("write");
    await expect(perms.getByLabel(`Permission of ${org}+deployer`, { exact: true })).toBeHidden();
  });

  test("team membership: remove a member, cancel invitations, change a team's role, delete a team; the last admin stays", async ({
    page,
    createUser,
    signIn,
    createOrganization,
  }, testInfo) => {
    const owner = await createUser("tmowner");
    const alice = await createUser("tmalice");
    const bob = await createUser("tmbob");
    const nobody = `${uniqueName("nobody")}@example.org`;
    const org = await createOrganization(owner, "tm");
    await owner.client.run(CreateTeamDocument, { organization: org, name: "devs", role: "member" });
    for (const member of [alice.username, bob.username, nobody])
      await owner.client.run(AddTeamMemberDocument, { organization: org, team: "devs", member });
    await acceptAll(alice.client);

    await signIn(owner);
    await page.goto(`/organization/${org}?tab=teams`);
    const teams = page.getByRole("grid", { name: "Teams" });
    await teams.getByRole("button", { name: "devs", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Members of team devs" });
    const members = dialog.getByRole("grid", { name: "Team members" });
    const member = (name: string) => members.getByRole("row").filter({ hasText: name });
    await expect(member(alice.username)).not.toContainText("invited");
    await expect(member(bob.username)).toContainText("invited");
    await expect(member(nobody)).toContainText("invited");
    await screenshot(page, testInfo, "team-members");
    await member(alice.username)
      .getByRole("button", { name: `Remove ${alice.username}` })
      .click();
    await expect(member(alice.username)).toBeHidden();
    await expect(member(bob.username).getByRole("button")).toHaveText("Cancel invitation");
    await member(bob.username)
      .getByRole("button", { name: `Remove ${bob.username}` })
      .click();
    await expect(member(bob.username)).toBeHidden();
    await member(nobody)
      .getByRole("button", { name: `Remove ${nobody}` })
      .click();
    await expect(dialog.getByText("This team has no members")).toBeVisible();
    await dialog.getByRole("button", { name: "Close" }).click();
    const { viewer } = await bob.client.run(ViewerDocument);
    expect(viewer.invitations).toEqual([]);

    // The team's role from the dropdown
    await teams.getByLabel("Role of team devs").selectOption("admin");
    await expect
      .poll(async () => {
        const { organization } = await owner.client.run(OrganizationTeamsDocument, { name: org });
        return organization.teams.find((t: { name: string }) => t.name === "devs")?.role;
      })
      .toBe("admin");

    // Delete the team, confirmed by typing its name
    await teams.getByRole("button", { name: "Actions for team devs" }).click();
    await page.getByRole("menuitem", { name: "Delete team" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete team devs?" });
    await confirm.getByLabel("Type devs to confirm").fill("devs");
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(teams.getByRole("button", { name: "devs", exact: true })).toBeHidden();

    // The last admin cannot leave the owners team: the server's message in an alert
    await teams.getByRole("button", { name: "owners", exact: true }).click();
    const owners = page.getByRole("dialog", { name: "Members of team owners" });
    await owners.getByRole("button", { name: `Remove ${owner.username}` }).click();
    await expect(owners.getByRole("alert")).toContainText("An organization must keep at least one admin");
    await expect(owners.getByRole("row").filter({ hasText: owner.username })).toBeVisible();
    await screenshot(page, testInfo, "team-last-admin");
    await owners.getByRole("button", { name: "Close" }).click();

    // The logs count every entry across pages (logs.totalCount)
    await page.getByRole("tab", { name: "Logs" }).click();
    await expect(page.getByRole("grid", { name: "Logs" })).toContainText("org delete team");
    const { logs } = await owner.client.run(LogsDocument, { namespace: org, first: 1 });
    const total = logs.totalCount as number;
    expect(total).toBeGreaterThan(10);
    const pageToggle = page.getByRole("button", { name: /^1 - \d+ of/ }).first();
    await expect(pageToggle).toHaveText(`1 - ${Math.min(total, 50)} of ${total}`);
    await pageToggle.click();
    await page.getByRole("menuitem", { name: "10 per page" }).click();
    await expect(page.getByRole("button", { name: /^1 - 10 of/ }).first()).toHaveText(`1 - 10 of ${total}`);
    await page.getByRole("button", { name: "Go to next page" }).first().click();
    await expect(page.getByRole("button", { name: /^11 - \d+ of/ }).first()).toHaveText(
      `11 - ${Math.min(total, 20)} of ${total}`,
    );
  });

  test("organization settings: e-mail and time machine saved; delete with the typed name", async ({
    page,
    createUser,
    signIn,
    createOrganization,
  }, testInfo) => {
    const owner = await createUser("osowner");
    const org = await createOrganization(owner, "os");
    await signIn(owner);
    await page.goto(`/organization/${org}`);
    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByLabel("E-mail").fill(`team@${org}.example.com`);
    await page.getByLabel("Time machine").selectOption("4w");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText("Settings saved")).toBeVisible();
    const { organization } = await owner.client.run(OrganizationDocument, { name: org });
    expect(organization.email).toBe(`team@${org}.example.com`);
    expect(organization.timeMachine).toBe("4w");
    await page.reload();
    await expect(page.getByLabel("Time machine")).toHaveValue("4w");
    await screenshot(page, testInfo, "organization-settings");

    await page.getByRole("button", { name: "Delete organization" }).click();
    const confirm = page.getByRole("dialog", { name: `Delete organization ${org}?` });
    await expect(confirm.getByRole("button", { name: "Delete" })).toBeDisabled();
    await confirm.getByLabel(`Type ${org} to confirm`).fill(org.slice(0, -1));
    await expect(confirm.getByRole("button", { name: "Delete" })).toBeDisabled();
    await confirm.getByLabel(`Type ${org} to confirm`).fill(org);
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(page.getByRole("heading", { name: "Organizations", level: 1 })).toBeVisible();
    await expect(page.getByRole("row", { name: new RegExp(org) })).toBeHidden();
    await expect(owner.client.run(OrganizationDocument, { name: org })).rejects.toThrow(/NOT_FOUND/);
  });
});
