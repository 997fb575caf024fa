#!/usr/bin/env node
// Runs every test suite with node's test runner (TypeScript through tsx), two files at a time (2 cores).
// Suites: packages/*/test (unit), apps/api/test (integration against real PostgreSQL and Redis),
// e2e (real clients: skopeo, podman, buildah). Pass file paths or substrings to run a subset.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const roots = ["packages/oci/test", "apps/api/test", "e2e"];
const files = [];
const walk = (dir) => {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== "node_modules") walk(p);
    else if (e.isFile() && e.name.endsWith(".test.ts")) files.push(p);
  }
};
roots.forEach(walk);
const filters = process.argv.slice(2);
const selected = filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files;
if (!selected.length) {
  console.error("no test files matched");
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=./scripts/summary-reporter.mjs",
    "--test-reporter-destination=stdout",
    ...selected.sort(),
  ],
  {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" },
  },
);
process.exit(r.status ?? 1);
