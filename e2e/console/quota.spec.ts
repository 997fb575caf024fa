// Storage quota in the browser: a superuser sets an organization's quota and limits in its settings, the
// usage of a podman push shows against it, repositories show their size, and the superuser panel lists
// every namespace's usage and sets the system default.
import { Clients, haveClients } from "../clients.js";
import { screenshot } from "./artifacts.js";
import { ADMIN, expect, registryHost, test, uniqueName } from "./fixtures.js";
import { CreateOrganizationDocument, DeleteOrganizationDocument, NamespaceQuotaDocument } from "@hm/schema";

test.describe("quota", () => {
  let clients: Clients;
  test.beforeAll(async () => {
    expect(haveClients(), "skopeo, podman and buildah must be installed (.ci/run installs them)").toBe(true);
    clients = new Clients(registryHost());
    await clients.buildBusybox("amd64", "org.opencontainers.image.title=quota");
    await clients.login("podman", ADMIN.username, ADMIN.password);
  });
  test.afterAll(async () => clients?.cleanup());

  test("a superuser sets an organization's quota and limits; a push's usage shows against it", async ({
    page,
    admin,
    signIn,
    cleanup,
  }, testInfo) => {
    test.setTimeout(120_000);
    const org = uniqueName("quota");
    await admin.run(CreateOrganizationDocument, { name: org });
    cleanup.add(`delete ${org}`, () => admin.run(DeleteOrganizationDocument, { name: org, confirm: org }));
    await clients.podman(
      "push",
      "--tls-verify=false",
      "localhost/bb:amd64",
      `${registryHost()}/${org}/bb:v1`,
    );
    const { namespaceQuota } = await admin.run(NamespaceQuotaDocument, { namespace: org });
    expect(namespaceQuota.usageBytes).toBeGreaterThan(500_000);

    await signIn(ADMIN);
    await page.goto(`/organization/${org}?tab=settings`);
    const quota = page.getByRole("region", { name: "Quota" });
    await expect(quota).toContainText("no quota applies");
    await quota.getByLabel("Storage quota", { exact: true }).fill("10");
    await quota.getByLabel("Storage quota unit").selectOption("MiB");
    await quota.getByRole("button", { name: "Apply" }).click();
    await expect(quota.getByRole("progressbar")).toBeVisible();
    await expect(quota).toContainText("of 10.0 MiB used");
    await quota.getByLabel("Limit action").selectOption("Reject");
    await quota.getByLabel("Threshold percent").fill("80");
    await quota.getByRole("button", { name: "Add limit" }).click();
    await expect(quota.getByRole("grid", { name: "Quota limits" })).toContainText("Reject");
    await expect(quota.getByRole("grid", { name: "Quota limits" })).toContainText("8.0 MiB");
    await screenshot(page, testInfo, "organization-quota");

    await page.goto(`/organization/${org}`);
    await expect(page.getByRole("row", { name: new RegExp(`${org}/bb`) })).toContainText("MiB");

    await page.goto("/superuser?tab=quotas");
    await expect(page.getByRole("row", { name: new RegExp(org) })).toContainText("10.0 MiB");
    await page.getByLabel("Default Reject limit (GiB, empty for none)").fill("5");
    await page.getByRole("button", { name: "Set default" }).click();
    await expect(page.getByText("Namespaces without a quota are refused pushes past 5.0 GiB.")).toBeVisible();
    await page.getByLabel("Default Reject limit (GiB, empty for none)").fill("");
    await page.getByRole("button", { name: "Set default" }).click();
    await expect(page.getByText("No default: namespaces without a quota have no limit.")).toBeVisible();
    await screenshot(page, testInfo, "superuser-quotas");
  });
});
