// Where the console suite writes what a person may want to look at afterwards (git-ignored).
import fs from "node:fs";
import path from "node:path";
import type { Page, TestInfo } from "@playwright/test";

export const ARTIFACTS = path.resolve(import.meta.dirname, "../artifacts");

/** A full-page screenshot of a key page: e2e/artifacts/screenshots/<name>.png, also attached to the report. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const file = path.join(ARTIFACTS, "screenshots", `${name}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: "image/png" });
}
