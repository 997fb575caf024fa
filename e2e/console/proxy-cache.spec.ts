// Proxy-cache organizations in the browser (seed 001 §15.3), against real upstreams: CNCF distributions
// started here, one open and one with htpasswd credentials. In the organization's settings, "Validate" shows
// an address that refuses connections as not valid with the reason, and the distribution as valid; saving
// makes the organization a proxy cache, shown read-only (with the note that it cannot be changed, only
// deleted and created again); "Delete" asks first and brings the form back. With credentials, wrong ones
// fail validation and the saved configuration says credentials are set.
import fs from "node:fs";
import net from "node:net";
import {
  DOCKER_REGISTRY,
  startDistribution,
  type Distribution,
} from "../../apps/api/test/remote/upstreams.js";
import type { Locator } from "@playwright/test";
import { screenshot } from "./artifacts.js";
import { expect, test, type GraphQLClient } from "./fixtures.js";

const proxyCacheOf = async (client: GraphQLClient, name: string) =>
  (
    await client.run<{
      organization: { proxyCache: { upstreamRegistry: string; expirationS: number } | null };
    }>(
      `query ($name: String!) { organization(name: $name) { proxyCache { upstreamRegistry expirationS } } }`,
      { name },
    )
  ).organization.proxyCache;

/** A local port nobody listens on. */
async function refusedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** The Remote registry field (its label carries the required mark). */
const upstreamField = (form: Locator) => form.getByRole("textbox", { name: /^Remote registry\W*$/ });

const CREDENTIALS = { username: "cacher", password: "upstream-secret" };

test.describe("proxy cache", () => {
  let open: Distribution;
  let locked: Distribution;
  test.beforeAll(async () => {
    expect(fs.existsSync(DOCKER_REGISTRY), "docker-registry must be installed (.ci/run installs it)").toBe(
      true,
    );
    open = await startDistribution();
    locked = await startDistribution({ htpasswd: CREDENTIALS });
  });
  test.afterAll(async () => {
    await open?.stop();
    await locked?.stop();
  });

  test("an organization is validated, saved as a proxy cache of a distribution, shown read-only and deleted", async ({
    page,
    createUser,
    createOrganization,
    signIn,
  }, testInfo) => {
    const owner = await createUser("cacheowner");
    const org = await createOrganization(owner, "cache");
    await signIn(owner);
    await page.goto(`/organization/${org}?tab=settings`);
    const section = page.getByRole("region", { name: "Proxy cache" });
    const form = section.getByRole("form", { name: "Proxy cache configuration" });
    await expect(form.getByLabel("Expiration")).toHaveValue("86400");
    await expect(section).toContainText("you cannot add one without removing the proxy cache");

    // A wrong address: not valid, with the reason.
    await upstreamField(form).fill(`127.0.0.1:${await refusedPort()}`);
    await form.getByLabel("Insecure").check();
    await form.getByRole("button", { name: "Validate" }).click();
    const invalid = section.getByRole("alert").filter({ hasText: "The remote registry is not valid" });
    await expect(invalid).toBeVisible({ timeout: 30_000 });
    await expect(invalid).toContainText("Failed to validate Proxy cache configuration");
    await expect(invalid).toContainText("cannot reach");

    // The distribution: valid.
    await upstreamField(form).fill(open.host);
    await expect(invalid).toHaveCount(0);
    await form.getByRole("button", { name: "Validate" }).click();
    await expect(section.getByText("The remote registry is valid")).toBeVisible({ timeout: 30_000 });

    // Save: the configuration, read-only.
    await form.getByLabel("Expiration").fill("3600");
    await form.getByRole("button", { name: "Create proxy cache" }).click();
    const details = section.getByRole("term");
    await expect(details.filter({ hasText: "Remote registry" })).toBeVisible();
    await expect(section.getByRole("textbox")).toHaveCount(0);
    await expect(section).toContainText(open.host);
    await expect(section).toContainText("3600 seconds");
    await expect(section).toContainText("None (anonymous pulls)");
    await expect(section).toContainText("cannot be changed");
    await expect(section).toContainText(`podman pull`);
    expect(await proxyCacheOf(owner.client, org)).toEqual({ upstreamRegistry: open.host, expirationS: 3600 });
    await screenshot(page, testInfo, "organization-proxy-cache");

    // Delete, after a confirmation.
    await section.getByRole("button", { name: "Delete proxy cache" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete the proxy cache configuration?" });
    await expect(dialog).toContainText(`stops caching ${open.host}`);
    await dialog.getByRole("button", { name: "Delete" }).click();
    await expect(dialog).toHaveCount(0);
    await expect(upstreamField(form)).toHaveValue("");
    expect(await proxyCacheOf(owner.client, org)).toBeNull();
  });

  test("credentials are checked by Validate and, once saved, shown as set", async ({
    page,
    createUser,
    createOrganization,
    signIn,
  }) => {
    const owner = await createUser("cacheowner");
    const org = await createOrganization(owner, "cachecreds");
    await signIn(owner);
    await page.goto(`/organization/${org}?tab=settings`);
    const section = page.getByRole("region", { name: "Proxy cache" });
    const form = section.getByRole("form", { name: "Proxy cache configuration" });
    await upstreamField(form).fill(`${locked.host}/library`);
    await form.getByLabel("Insecure").check();
    await form.getByLabel("Remote registry username").fill(CREDENTIALS.username);
    // Username without password: both or neither.
    await expect(form.getByRole("button", { name: "Validate" })).toBeDisabled();
    await form.getByLabel("Remote registry password").fill("wrong-password");
    await form.getByRole("button", { name: "Validate" }).click();
    await expect(section.getByRole("alert").filter({ hasText: "not valid" })).toContainText(
      "Failed login to remote registry",
      { timeout: 30_000 },
    );
    await form.getByLabel("Remote registry password").fill(CREDENTIALS.password);
    await form.getByRole("button", { name: "Validate" }).click();
    await expect(section.getByText("The remote registry is valid")).toBeVisible({ timeout: 30_000 });
    await form.getByRole("button", { name: "Create proxy cache" }).click();
    await expect(section).toContainText("Username and password set");
    await expect(section).toContainText(`${locked.host}/library`);
    await expect(section).toContainText(`${org}/<image>:<tag>`);
  });
});
