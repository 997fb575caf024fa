// OAuth applications in the browser: an organization admin creates one, edits it, generates a token with
// chosen scopes (used on the REST API), and deletes it; an external tool's users go through the authorize
// flow's consent page; and the API reference renders the discovery document.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { screenshot } from "./artifacts.js";
import { expect, test } from "./fixtures.js";
import { CreateOAuthApplicationDocument } from "@hm/schema";

test.describe("OAuth applications", () => {
  test("create (secret shown once), edit, generate a token with chosen scopes, delete", async ({
    page,
    createUser,
    signIn,
    createOrganization,
    request,
  }, testInfo) => {
    const owner = await createUser("appowner");
    const org = await createOrganization(owner, "apps");
    await signIn(owner);
    await page.goto(`/organization/${org}?tab=applications`);
    await expect(page.getByText("No OAuth applications")).toBeVisible();
    await page.getByRole("button", { name: "Create new application" }).click();
    await page.getByLabel("Application name").fill("Deployer");
    await page.getByLabel("Redirect/Callback URL prefix").fill("https://deploy.example.com/oauth");
    await page.getByRole("dialog").getByRole("button", { name: "Create" }).click();
    const shown = page.getByRole("dialog", { name: /client secret of Deployer/ });
    await expect(shown.getByText("it is not shown again")).toBeVisible();
    expect((await shown.getByRole("textbox", { name: "client secret" }).inputValue()).length).toBeGreaterThan(
      20,
    );
    await shown.getByRole("button", { name: "Done" }).click();
    const row = page.getByRole("row", { name: /Deployer/ });
    await expect(row).toContainText("https://deploy.example.com/oauth");

    await row.getByRole("button", { name: "Actions for Deployer" }).click();
    await page.getByRole("menuitem", { name: "Edit" }).click();
    await page.getByLabel("Redirect/Callback URL prefix").fill("https://deploy.example.com/cb");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(row).toContainText("https://deploy.example.com/cb");

    await row.getByRole("button", { name: "Actions for Deployer" }).click();
    await page.getByRole("menuitem", { name: "Generate token" }).click();
    const form = page.getByRole("dialog", { name: /Generate a token for Deployer/ });
    await expect(form.getByRole("button", { name: "Generate access token" })).toBeDisabled();
    await form.getByLabel(/\(repo:read\)/).check();
    await form.getByLabel(/\(user:read\)/).check();
    await expect(form.getByText("(super:user)")).toBeHidden(); // not a superuser
    await screenshot(page, testInfo, "generate-token");
    await form.getByRole("button", { name: "Generate access token" }).click();
    const tokenDialog = page.getByRole("dialog", { name: /access token of Deployer/ });
    const token = await tokenDialog.getByRole("textbox", { name: "access token" }).inputValue();
    await tokenDialog.getByRole("button", { name: "Done" }).click();

    const me = await request.get("/api/v1/user/", { headers: { authorization: `Bearer ${token}` } });
    expect((await me.json()).username).toBe(owner.username);
    const create = await request.post("/api/v1/repository", {
      headers: { authorization: `Bearer ${token}` },
      data: { repository: "nope", visibility: "private" },
    });
    expect(create.status()).toBe(403);

    await row.getByRole("button", { name: "Actions for Deployer" }).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete application Deployer?" });
    await confirm.getByLabel("Type Deployer to confirm").fill("Deployer");
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(page.getByText("No OAuth applications")).toBeVisible();
    const after = await request.get("/api/v1/user/", { headers: { authorization: `Bearer ${token}` } });
    expect(after.status()).toBe(401);
  });

  test("an external tool's authorize flow: sign in, consent page, back to the tool with a code for a token", async ({
    page,
    createUser,
    createOrganization,
    request,
  }, testInfo) => {
    // The tool: a local page that receives the redirect.
    const tool = http.createServer((_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<h1>Tool</h1>"),
    );
    await new Promise<void>((r) => tool.listen(0, "127.0.0.1", () => r()));
    const callback = `http://127.0.0.1:${(tool.address() as AddressInfo).port}/oauth/cb`;
    try {
      const owner = await createUser("toolowner");
      const org = await createOrganization(owner, "tools");
      const { createOAuthApplication: created } = await owner.client.run(CreateOAuthApplicationDocument, {
        organization: org,
        name: "Pipeline",
        redirectUri: callback.replace("/cb", ""),
        description: "Deploys on merge",
      });
      const user = await createUser("grantor");
      const q = new URLSearchParams({
        response_type: "code",
        client_id: created.application.clientId,
        redirect_uri: callback,
        scope: "repo:read user:read",
        state: "xyz",
      });
      await page.goto(`/oauth/authorize?${q}`);
      await expect(page).toHaveURL(/\/signin\?next=/);
      await page.getByLabel("Username").fill(user.username);
      await page.getByLabel("Password").fill(user.password);
      await page.getByRole("button", { name: "Sign in" }).click();

      await expect(page.getByRole("heading", { name: "Pipeline" })).toBeVisible();
      await expect(page.getByText("Deploys on merge")).toBeVisible();
      await expect(page.getByRole("list", { name: "Requested scopes" })).toContainText("repo:read");
      await expect(page.getByRole("list", { name: "Requested scopes" })).toContainText("user:read");
      await screenshot(page, testInfo, "oauth-consent");
      await page.getByRole("button", { name: "Authorize application" }).click();
      await page.waitForURL((u) => u.href.startsWith(callback));
      const back = new URL(page.url());
      expect(back.searchParams.get("state")).toBe("xyz");
      const code = back.searchParams.get("code")!;

      const exchanged = await request.post("/oauth/access_token", {
        form: {
          grant_type: "authorization_code",
          client_id: created.application.clientId,
          client_secret: created.clientSecret,
          code,
          redirect_uri: callback,
        },
      });
      const { access_token } = await exchanged.json();
      const me = await request.get("/api/v1/user/", { headers: { authorization: `Bearer ${access_token}` } });
      expect((await me.json()).username).toBe(user.username);
    } finally {
      tool.close();
    }
  });

  test("the API reference renders the discovery document for anyone", async ({ page }, testInfo) => {
    await page.goto("/api-reference");
    await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();
    await expect(page.getByRole("heading", { name: "repository", exact: true, level: 2 })).toBeVisible();
    await page.getByLabel("Search the API").fill("superuser/users");
    await expect(page.getByRole("heading", { name: "repository", exact: true, level: 2 })).toBeHidden();
    await page.getByRole("button", { name: /^GET\s*\/api\/v1\/superuser\/users\/\s*super:user$/ }).click();
    await expect(page.getByRole("grid", { name: "Parameters of listAllUsers" })).toContainText("disabled");
    await screenshot(page, testInfo, "api-reference");
  });
});
