// Playwright suite for the web console (e2e/console/*.spec.ts) against the real running system: the API's
// production build serving the console's production build, on a database and Redis prefix of its own
// (console/global-setup.ts). The browser is Debian's Chromium; Playwright downloads nothing.
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { ARTIFACTS } from "./console/artifacts.js";

export default defineConfig({
  testDir: "console",
  testMatch: "*.spec.ts",
  globalSetup: "./console/global-setup.ts",
  outputDir: path.join(ARTIFACTS, "test-results"),
  // Two cores shared with the API, PostgreSQL and the container clients.
  workers: Number(process.env.PLAYWRIGHT_WORKERS ?? 2),
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [["list"], ["json", { outputFile: path.join(ARTIFACTS, "results.json") }]],
  use: {
    ...devices["Desktop Chrome"],
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 10_000,
  },
});
