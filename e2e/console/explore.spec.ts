// Explore: public repositories searched by an anonymous visitor and by a signed-in user; private ones
// never show.
import { screenshot } from "./artifacts.js";
import { expect, test, uniqueName } from "./fixtures.js";
import { CreateRepositoryDocument } from "@hm/schema";

test.describe("explore", () => {
  test("an anonymous visitor and a user search public repositories", async ({
    page,
    createUser,
    signIn,
  }, testInfo) => {
    const owner = await createUser("xpowner");
    const viewer = await createUser("xpviewer");
    const prefix = uniqueName("xp");
    const create = (name: string, visibility: "public" | "private", description = "") =>
      owner.client.run(CreateRepositoryDocument, {
        namespace: owner.username,
        name: `${prefix}-${name}`,
        visibility,
        description,
      });
    await create("alpha", "public", "The payments service");
    await create("beta", "public");
    await create("secret", "private", "The payments secrets");
    const link = (name: string) => ({ name: `${owner.username}/${prefix}-${name}` });

    // Anonymous: no redirect to sign in, a sign-in button instead of the user menu
    await page.goto("/explore");
    await expect(page.getByRole("heading", { name: "Explore public repositories" })).toBeVisible();
    await expect(page.getByRole("button", { name: "User menu" })).toBeHidden();
    await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
    const list = page.getByRole("grid", { name: "Repositories" });
    await page.getByLabel("Search public repositories").fill(prefix);
    await expect(list.getByRole("link", link("alpha"))).toBeVisible();
    await expect(list.getByRole("link", link("beta"))).toBeVisible();
    await expect(list.getByRole("link", link("secret"))).toBeHidden();
    await expect(list.getByRole("button", { name: /^Star / })).toHaveCount(0);
    await page.getByLabel("Search public repositories").fill("payments");
    await expect(list.getByRole("link", link("alpha"))).toBeVisible();
    await expect(list.getByRole("link", link("beta"))).toBeHidden();
    await expect(list.getByRole("link", link("secret"))).toBeHidden();
    await screenshot(page, testInfo, "explore-anonymous");
    await page.getByLabel("Search public repositories").fill(`${prefix}-nothing-like-this`);
    await expect(page.getByText("No public repository matches")).toBeVisible();

    // A public repository opens for the anonymous visitor too
    await page.getByLabel("Search public repositories").fill(prefix);
    await expect(list.getByRole("row")).toHaveCount(3);
    await list.getByRole("link", link("alpha")).click();
    await expect(page.getByRole("heading", { name: link("alpha").name, level: 1 })).toBeVisible();
    await expect(page.getByText("No tags yet")).toBeVisible();
    await expect(page.getByRole("tab", { name: "Settings" })).toBeHidden();
    await page.getByRole("link", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/signin\?next=/);

    // Signed in: the same search, with stars
    await signIn(viewer);
    await page.goto("/explore");
    await expect(page.getByRole("button", { name: "User menu" })).toContainText(viewer.username);
    await page.getByLabel("Search public repositories").fill(prefix);
    await expect(list.getByRole("link", link("alpha"))).toBeVisible();
    await expect(list.getByRole("link", link("beta"))).toBeVisible();
    await expect(list.getByRole("link", link("secret"))).toBeHidden();
    // The search applies after a pause: until then the unfiltered list (other specs' public repositories too)
    // is on screen, and a click on a row that the filtered list then replaces is lost. The header row and
    // the two matches mean the filter has applied.
    await expect(list.getByRole("row")).toHaveCount(3);
    await list.getByRole("button", { name: `Star ${link("beta").name}` }).click();
    await expect(list.getByRole("button", { name: `Unstar ${link("beta").name}` })).toBeVisible();
    await screenshot(page, testInfo, "explore-user");
  });
});
