// Configuration keys: config.yaml keys the server does not read are reported (one warning each) instead of
// vanishing, FEATURE_HELM_OCI_SUPPORT is accepted as a deprecated alias, production is the default mode, and
// the README's table lists exactly the keys the server reads.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { CONFIG_KEYS, ConfigError, isDevelopment, loadConfig } from "../src/config/config.js";
import { ChildServer } from "./child-server.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-config-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** Writes a config.yaml and returns the environment that points at it. */
const withFile = (yaml: string, env: Record<string, string> = {}) => {
  const file = path.join(dir, `config-${++files}.yaml`);
  fs.writeFileSync(file, yaml);
  return { CONFIG_FILE: file, ...env };
};

const UNKNOWN = ["FEATURE_TEAM_SYNCING", "FEATURE_USER_METADATA", "FEATURE_ANONYMOUS_ACCESS_NOTIFIER"];
const QUAY_YAML = [
  "SERVER_HOSTNAME: quay.example.com",
  "FEATURE_SECURITY_SCANNER: true",
  "FEATURE_BUILD_SUPPORT: false",
  "FEATURE_REPO_MIRROR: false",
  "FEATURE_TEAM_SYNCING: false",
  "FEATURE_USER_METADATA: true",
  "FEATURE_PROXY_CACHE: true",
  "NOTIFICATION_TASK_RUN_MINIMUM_INTERVAL_MINUTES: 300",
  "FEATURE_ANONYMOUS_ACCESS_NOTIFIER: true",
  "SUPER_USERS: [root]",
].join("\n");

describe("keys the server does not read", () => {
  test("each unknown config.yaml key gives one warning naming it; known keys give none", () => {
    const c = loadConfig(withFile(QUAY_YAML));
    assert.deepEqual(c.warnings.map((w) => w.key).sort(), [...UNKNOWN].sort());
    for (const w of c.warnings) assert.ok(w.message.includes(w.key) && !w.message.includes("\n"), w.message);
    assert.equal(c.SERVER_HOSTNAME, "quay.example.com");
    assert.deepEqual(c.SUPER_USERS, ["root"]);
  });

  test("the environment is not checked for unknown keys", () => {
    const c = loadConfig({ FEATURE_TEAM_SYNCING: "true", PATH: "/usr/bin", HOME: "/root", PORT: "9000" });
    assert.deepEqual(c.warnings, []);
    assert.equal(c.PORT, 9000);
  });

  test("no config.yaml, or an empty one, gives no warnings; one that is not a mapping stops start-up", () => {
    assert.deepEqual(loadConfig({}).warnings, []);
    assert.deepEqual(loadConfig(withFile("")).warnings, []);
    for (const yaml of ["- PORT\n- HOST\n", "just a string\n", "42\n"]) {
      assert.throws(
        () => loadConfig(withFile(yaml)),
        (e: Error) => e instanceof ConfigError && /must be a mapping/.test(e.message),
      );
    }
  });
});

describe("FEATURE_HELM_OCI_SUPPORT", () => {
  const deprecation = (c: ReturnType<typeof loadConfig>) =>
    c.warnings.filter((w) => w.key === "FEATURE_HELM_OCI_SUPPORT");

  test("accepted with a deprecation warning; its value is used when FEATURE_GENERAL_OCI_SUPPORT is unset", () => {
    const c = loadConfig(withFile("FEATURE_HELM_OCI_SUPPORT: false\n"));
    assert.equal(c.FEATURE_GENERAL_OCI_SUPPORT, false);
    const [w, ...more] = deprecation(c);
    assert.deepEqual(more, []);
    assert.match(w!.message, /deprecated in favour of FEATURE_GENERAL_OCI_SUPPORT/);
    assert.equal(c.warnings.length, 1, "a known key, so no unknown-key warning");
  });

  test("FEATURE_GENERAL_OCI_SUPPORT wins when both are set, in the file or in the environment", () => {
    const both = loadConfig(withFile("FEATURE_GENERAL_OCI_SUPPORT: true\nFEATURE_HELM_OCI_SUPPORT: false\n"));
    assert.equal(both.FEATURE_GENERAL_OCI_SUPPORT, true);
    assert.equal(deprecation(both).length, 1);
    const envWins = loadConfig(
      withFile("FEATURE_HELM_OCI_SUPPORT: true\n", { FEATURE_GENERAL_OCI_SUPPORT: "false" }),
    );
    assert.equal(envWins.FEATURE_GENERAL_OCI_SUPPORT, false);
    assert.equal(deprecation(envWins).length, 1);
  });

  test("read from the environment too; unset, it changes nothing and warns nothing", () => {
    const c = loadConfig({ FEATURE_HELM_OCI_SUPPORT: "false" });
    assert.equal(c.FEATURE_GENERAL_OCI_SUPPORT, false);
    assert.equal(deprecation(c).length, 1);
    const none = loadConfig({});
    assert.equal(none.FEATURE_GENERAL_OCI_SUPPORT, true);
    assert.deepEqual(none.warnings, []);
  });
});

describe("development mode", () => {
  test("production unless NODE_ENV=development", () => {
    assert.equal(isDevelopment(loadConfig({})), false);
    assert.equal(isDevelopment(loadConfig({ NODE_ENV: "" })), false);
    assert.equal(isDevelopment(loadConfig({ NODE_ENV: "test" })), false);
    assert.equal(isDevelopment(loadConfig({ NODE_ENV: "production" })), false);
    assert.equal(isDevelopment(loadConfig({ NODE_ENV: "development" })), true);
  });
});

describe("README", () => {
  test("the configuration table lists every key the server reads, and only those", () => {
    const readme = fs.readFileSync("README.md", "utf8");
    const section = readme.split(/^## Configuration$/m)[1]!.split(/^## /m)[0]!;
    const listed = new Set<string>();
    for (const row of section.split("\n").filter((l) => l.startsWith("| `"))) {
      const firstCell = row.split("|")[1]!;
      for (const m of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) listed.add(m[1]!);
    }
    const read = [...CONFIG_KEYS, "CONFIG_FILE"];
    assert.deepEqual(
      read.filter((k) => !listed.has(k)),
      [],
      "keys the server reads that README.md's table does not list",
    );
    assert.deepEqual(
      [...listed].filter((k) => !read.includes(k)),
      [],
      "keys in README.md's table that the server does not read",
    );
    assert.match(section, /FEATURE_TEAM_SYNCING/); // the unknown-key warning is described
  });
});

describe("a started server", () => {
  test("logs one warning line per unknown config.yaml key and one for FEATURE_HELM_OCI_SUPPORT", async () => {
    const server = await ChildServer.create(
      withFile(`${QUAY_YAML}\nFEATURE_HELM_OCI_SUPPORT: true\n`, { LOG_LEVEL: "warn" }),
    );
    try {
      await server.start();
      await new Promise((r) => setTimeout(r, 200)); // let the logger flush
      const lines = server.output
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { level: number; key?: string; msg: string })
        .filter((l) => l.level === 40 && l.key);
      for (const key of [...UNKNOWN, "FEATURE_HELM_OCI_SUPPORT"]) {
        const mine = lines.filter((l) => l.key === key);
        assert.equal(mine.length, 1, `${key}: ${JSON.stringify(lines)}`);
        assert.ok(mine[0]!.msg.includes(key));
      }
      assert.equal(lines.length, UNKNOWN.length + 1, JSON.stringify(lines));
    } finally {
      await server.destroy();
    }
  });
});
