#!/usr/bin/env node
// Runs every test suite and ends with one line "total: N passed, N failed".
// 1. node's test runner (TypeScript through tsx), two files at a time (2 cores): packages/*/test (unit),
//    apps/api/test (integration against real PostgreSQL and Redis), e2e/*.test.ts (real clients: skopeo,
//    podman, buildah).
// 2. Playwright (e2e/console/*.spec.ts): the web console in Debian's Chromium against the built system.
// Pass file paths or substrings to run a subset: each suite runs only the files that match.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const find = (roots, suffix) => {
  const out = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== "node_modules" && e.name !== "artifacts") walk(p);
      else if (e.isFile() && e.name.endsWith(suffix)) out.push(p);
    }
  };
  roots.forEach(walk);
  return out.sort();
};
const filters = process.argv.slice(2);
const pick = (files) => (filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files);
const nodeFiles = pick(find(["packages/oci/test", "apps/api/test", "e2e"], ".test.ts"));
const specFiles = pick(find(["e2e/console"], ".spec.ts"));
if (!nodeFiles.length && !specFiles.length) {
  console.error("no test files matched");
  process.exit(1);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hm-test-run-"));
const totals = { passed: 0, failed: 0, skipped: 0 };
let status = 0;

if (nodeFiles.length) {
  const summaryFile = path.join(tmp, "node-summary.txt");
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
      // A test that hangs fails with its name instead of stalling the run (node's assert.ok without a
      // message can loop while it re-reads TypeScript sources to describe a failure).
      `--test-timeout=${process.env.TEST_TIMEOUT_MS ?? 300_000}`,
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=./scripts/summary-reporter.mjs",
      "--test-reporter-destination=stdout",
      "--test-reporter=./scripts/summary-reporter.mjs",
      `--test-reporter-destination=${summaryFile}`,
      ...nodeFiles,
    ],
    {
      stdio: "inherit",
      env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" },
    },
  );
  const m = /(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(
    fs.existsSync(summaryFile) ? fs.readFileSync(summaryFile, "utf8") : "",
  );
  if (m) {
    totals.passed += Number(m[1]);
    totals.failed += Number(m[2]);
    totals.skipped += Number(m[3] ?? 0);
  } else totals.failed += 1; // the runner died before reporting
  if (r.status !== 0) status = 1;
}

if (specFiles.length) {
  console.log(`\n== console (Playwright, Chromium): ${specFiles.length} spec file(s)\n`);
  const results = "e2e/artifacts/results.json"; // written by the config's json reporter
  fs.rmSync(results, { force: true });
  const r = spawnSync(
    process.execPath,
    [
      "node_modules/@playwright/test/cli.js",
      "test",
      "--config=e2e/playwright.config.ts",
      ...specFiles.map((f) => path.relative("e2e", f)),
    ],
    { stdio: "inherit", env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" } },
  );
  const stats = fs.existsSync(results) ? JSON.parse(fs.readFileSync(results, "utf8")).stats : null;
  if (stats) {
    totals.passed += stats.expected + stats.flaky;
    totals.failed += stats.unexpected;
    totals.skipped += stats.skipped;
    if (!stats.expected && !stats.unexpected && !stats.flaky && r.status !== 0) totals.failed += 1;
  } else totals.failed += 1; // global setup failed before any test ran
  if (r.status !== 0) status = 1;
}

fs.rmSync(tmp, { recursive: true, force: true });
console.log(
  `\ntotal: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`,
);
process.exit(status);
