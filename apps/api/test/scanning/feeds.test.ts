// The vulnerability feed's import: OSV records (real ones, osv-fixtures.ts) imported into this file's own
// database from JSON files, folders and zips, incrementally (parsing and ratings: feeds-parse.test.ts).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import pg from "pg";
import { applyMigrations } from "../../src/infra/migrate.js";
import { importOsv } from "../../src/scanning/feeds/import.js";
import { createTestDatabase } from "../harness.js";
import * as F from "./osv-fixtures.js";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hm-feeds-"));
before(async () => {
  db = await createTestDatabase();
  await applyMigrations(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
});
after(async () => {
  await pool?.end();
  await db?.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
const dir = () => fs.mkdtempSync(path.join(tmp, `d${++n}-`));
function writeJson(file: string, value: unknown): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}
/** A zip as OSV publishes them: one `<id>.json` per record at the top (the zip CLI: no writer in node_modules). */
function writeZip(file: string, entries: Record<string, unknown>): string {
  const stage = dir();
  for (const [name, value] of Object.entries(entries))
    fs.writeFileSync(path.join(stage, name), typeof value === "string" ? value : JSON.stringify(value));
  fs.rmSync(file, { force: true }); // zip updates an existing archive; a snapshot replaces it
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync("zip", ["-q", "-r", "-j", file, stage]);
  return file;
}
const byId = (records: { id: string }[]) => Object.fromEntries(records.map((r) => [`${r.id}.json`, r]));
const vuln = async (id: string) =>
  (await pool.query(`SELECT * FROM "Vulnerability" WHERE id = $1`, [id])).rows[0] as
    Record<string, any> | undefined;
const affectedRows = async (id: string) =>
  (
    await pool.query(
      `SELECT ecosystem, "ecosystemKey", package, "packageKey", ranges, versions, severity
       FROM "VulnerabilityAffected" WHERE "vulnerabilityId" = $1 ORDER BY id`,
      [id],
    )
  ).rows;
const count = async (table: string) =>
  Number((await pool.query(`SELECT count(*) FROM "${table}"`)).rows[0].count);
const ids = (list: { id: string }[]) => list.map((r) => r.id).sort();

describe("importing", () => {
  beforeEach(async () => {
    await pool.query(`TRUNCATE "Vulnerability" CASCADE`);
  });

  test("a JSON file of records: rows, affected rows with their keys and ratings, source, changed ids", async () => {
    const file = writeJson(path.join(dir(), "all.json"), F.ALL);
    const r = await importOsv(pool, file);
    assert.deepEqual(
      [r.added, r.updated, r.unchanged, r.withdrawn, r.removed, r.invalid],
      [12, 0, 0, 0, 0, []],
    );
    assert.deepEqual(r.changedIds.sort(), ids(F.ALL));
    assert.equal(await count("Vulnerability"), 12);
    assert.equal(await count("VulnerabilityAffected"), 2 + 3 + 1 + 1 + 2 + 1 + 2 + 4 + 1 + 2 + 3 + 1);
    const row = (await vuln("UBUNTU-CVE-2024-6387"))!;
    assert.equal(row.source, file);
    assert.equal(row.severity, "High");
    assert.deepEqual(row.cvss, [
      { type: "CVSS_V3", vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", score: 8.1 },
    ]);
    assert.equal(row.modified.toISOString(), "2024-07-01T00:00:00.000Z");
    assert.deepEqual(await affectedRows("UBUNTU-CVE-2024-6387"), [
      {
        ecosystem: "Ubuntu:22.04:LTS",
        ecosystemKey: "ubuntu:22.04",
        package: "openssh",
        packageKey: "openssh",
        ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1:8.9p1-3ubuntu0.10" }] }],
        versions: ["1:8.9p1-3", "1:8.9p1-3ubuntu0.7"],
        severity: "High",
      },
      {
        ecosystem: "Ubuntu:24.04:LTS",
        ecosystemKey: "ubuntu:24.04",
        package: "openssh",
        packageKey: "openssh",
        ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1:9.6p1-3ubuntu13.3" }] }],
        versions: ["1:9.6p1-3ubuntu13"],
        severity: "High",
      },
    ]);
    assert.deepEqual(
      (await affectedRows("DEBIAN-CVE-2016-2781")).map((a) => [a.ecosystemKey, a.severity]),
      [
        ["debian:11", "Low"],
        ["debian:12", "Low"],
        ["debian:13", "Low"],
      ],
    );
    const dsa = (await vuln("DSA-5514-1"))!;
    assert.deepEqual(
      [dsa.aliases, dsa.links, dsa.published.toISOString()],
      [
        ["DEBIAN-CVE-2023-4911", "CVE-2023-4911"],
        ["https://www.debian.org/security/2023/dsa-5514"],
        "2023-10-03T00:00:00.000Z",
      ],
    );
    assert.equal((await vuln("GO-2023-2102"))!.modified.getUTCFullYear(), 1);
  });

  test("re-importing the same file changes nothing: all unchanged, rows not rewritten", async () => {
    const file = writeJson(path.join(dir(), "all.json"), F.ALL);
    await importOsv(pool, file);
    const before = (await pool.query(`SELECT id, "importedAt" FROM "Vulnerability" ORDER BY id`)).rows;
    const affectedBefore = (await pool.query(`SELECT id FROM "VulnerabilityAffected" ORDER BY id`)).rows;
    const r = await importOsv(pool, file);
    assert.deepEqual(
      [r.added, r.updated, r.unchanged, r.withdrawn, r.removed, r.changedIds],
      [0, 0, 12, 0, 0, []],
    );
    assert.deepEqual(
      (await pool.query(`SELECT id, "importedAt" FROM "Vulnerability" ORDER BY id`)).rows,
      before,
    );
    assert.deepEqual(
      (await pool.query(`SELECT id FROM "VulnerabilityAffected" ORDER BY id`)).rows,
      affectedBefore,
    );
  });

  test("a newer record replaces the row and its affected rows; an older or equal one does not", async () => {
    const d = dir();
    await importOsv(pool, writeJson(path.join(d, "npm.json"), [F.LODASH_GHSA, F.REQUESTS_GHSA]));
    const newer = {
      ...F.LODASH_GHSA,
      modified: "2024-03-01T10:00:00.123456Z",
      affected: [
        {
          ...F.LODASH_GHSA.affected[0],
          ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "4.0.0" }, { fixed: "4.17.21" }] }],
        },
      ],
    };
    const r = await importOsv(pool, writeJson(path.join(d, "npm.json"), [newer, F.REQUESTS_GHSA]));
    assert.deepEqual([r.added, r.updated, r.unchanged, r.changedIds], [0, 1, 1, ["GHSA-35jh-r3h4-6jhm"]]);
    assert.equal((await vuln("GHSA-35jh-r3h4-6jhm"))!.modified.toISOString(), "2024-03-01T10:00:00.123Z");
    assert.deepEqual(
      (await affectedRows("GHSA-35jh-r3h4-6jhm")).map((a) => [a.package, a.ranges[0].events[0]]),
      [["lodash", { introduced: "4.0.0" }]],
    );
    const older = await importOsv(
      pool,
      writeJson(path.join(d, "npm.json"), [F.LODASH_GHSA, F.REQUESTS_GHSA]),
    );
    assert.deepEqual([older.updated, older.unchanged], [0, 2]);
    assert.equal(
      (await affectedRows("GHSA-35jh-r3h4-6jhm")).length,
      1,
      "the older version did not come back",
    );
  });

  test("a withdrawn record is deleted with its affected rows; withdrawn and never stored changes nothing", async () => {
    const file = writeJson(path.join(dir(), "pypi.json"), [F.REQUESTS_GHSA, F.PYYAML_PYSEC]);
    await importOsv(pool, file);
    const withdrawn = {
      ...F.REQUESTS_GHSA,
      modified: "2024-05-01T00:00:00Z",
      withdrawn: "2024-05-01T00:00:00Z",
    };
    const never = { ...F.NOKOGIRI_GHSA, withdrawn: "2024-05-01T00:00:00Z" };
    const r = await importOsv(pool, writeJson(file, [withdrawn, F.PYYAML_PYSEC, never]));
    assert.deepEqual([r.withdrawn, r.unchanged, r.removed, r.changedIds], [1, 2, 0, ["GHSA-j8r2-6x86-q33q"]]);
    assert.equal(await vuln("GHSA-j8r2-6x86-q33q"), undefined);
    assert.deepEqual(await affectedRows("GHSA-j8r2-6x86-q33q"), []);
    assert.equal(await vuln("GHSA-crjr-9rc5-ghw8"), undefined);
  });

  test("a zip as OSV publishes it, read in batches; a record gone from the next snapshot is removed", async () => {
    const zip = path.join(dir(), "Debian", "all.zip");
    writeZip(zip, byId(F.ALL));
    const first = await importOsv(pool, zip, { batchSize: 5 });
    assert.deepEqual([first.added, first.invalid.length], [12, 0]);
    assert.equal((await vuln("ALSA-2022:6224"))!.source, zip);
    // The next snapshot: two records gone, one newer.
    const kept = F.ALL.filter((f) => f.id !== "DSA-5514-1" && f.id !== "GO-2023-2102");
    const next = kept.map((f) =>
      f.id === "GHSA-crjr-9rc5-ghw8" ? { ...f, modified: "2024-01-01T00:00:00Z" } : f,
    );
    writeZip(zip, byId(next));
    const r = await importOsv(pool, zip, { batchSize: 5 });
    assert.deepEqual([r.added, r.updated, r.unchanged, r.removed], [0, 1, 9, 2]);
    assert.deepEqual(r.changedIds.sort(), ["DSA-5514-1", "GHSA-crjr-9rc5-ghw8", "GO-2023-2102"]);
    assert.equal(await vuln("DSA-5514-1"), undefined);
    assert.deepEqual(await affectedRows("GO-2023-2102"), []);
    assert.equal(await count("Vulnerability"), 10);
  });

  test("a folder: every *.json and *.zip below it is a source; a file gone from it takes its records", async () => {
    const d = dir();
    const a = writeJson(path.join(d, "npm", "lodash.json"), F.LODASH_GHSA);
    const b = writeJson(path.join(d, "distros", "deb", "debian.json"), [F.GLIBC_DSA, F.COREUTILS_DEBIAN_CVE]);
    const z = writeZip(path.join(d, "Ubuntu", "all.zip"), byId([F.OPENSSH_UBUNTU, F.OPENSSL_ALPINE]));
    fs.writeFileSync(path.join(d, "README.txt"), "not a feed");
    writeJson(path.join(d, ".cache", "ignored.json"), F.LOG4J_GHSA);
    const r = await importOsv(pool, d);
    assert.deepEqual([r.added, r.invalid], [5, []]);
    assert.deepEqual(
      (await pool.query(`SELECT id, source FROM "Vulnerability" ORDER BY id`)).rows.map((x) => [
        x.id,
        x.source,
      ]),
      [
        ["ALPINE-CVE-2021-3711", z],
        ["DEBIAN-CVE-2016-2781", b],
        ["DSA-5514-1", b],
        ["GHSA-35jh-r3h4-6jhm", a],
        ["UBUNTU-CVE-2024-6387", z],
      ],
    );
    fs.rmSync(b);
    writeJson(path.join(d, "npm", "lodash.json"), [F.LODASH_GHSA, F.NOKOGIRI_GHSA]);
    const again = await importOsv(pool, d);
    assert.deepEqual([again.added, again.unchanged, again.removed], [1, 3, 2]);
    assert.deepEqual(again.changedIds.sort(), ["DEBIAN-CVE-2016-2781", "DSA-5514-1", "GHSA-crjr-9rc5-ghw8"]);
  });

  test("malformed records are reported with file, id and reason; the others are imported", async () => {
    const d = dir();
    const file = writeJson(path.join(d, "mixed.json"), [
      F.LODASH_GHSA,
      { ...F.REQUESTS_GHSA, modified: "not a date" },
      { ...F.NOKOGIRI_GHSA, id: undefined },
      {
        ...F.PYYAML_PYSEC,
        affected: [{ package: { ecosystem: "PyPI", name: "pyyaml" }, ranges: [{ type: "X", events: [] }] }],
      },
    ]);
    const zip = writeZip(path.join(d, "feed.zip"), {
      "GO-2023-2102.json": F.GO_HTTP2_RESET,
      "broken.json": "{ not json",
    });
    const r = await importOsv(pool, d);
    assert.equal(r.added, 2);
    assert.deepEqual(
      r.invalid.map((i) => [i.source, i.id, i.reason.split(":")[0]]),
      [
        [`${zip}!broken.json`, undefined, "not JSON"], // files are read in name order
        [file, "GHSA-j8r2-6x86-q33q", "modified"],
        [file, undefined, "id"],
        [file, "PYSEC-2021-142", "affected[0].ranges[0].type"],
      ],
    );
  });

  test("a source that cannot be read keeps the records it held; a record unreadable this time is kept", async () => {
    const d = dir();
    const zip = writeZip(path.join(d, "all.zip"), byId([F.LODASH_GHSA, F.REQUESTS_GHSA]));
    await importOsv(pool, zip);
    fs.writeFileSync(zip, "this is not a zip");
    const r = await importOsv(pool, zip);
    assert.deepEqual([r.removed, r.invalid.length, r.invalid[0]!.source], [0, 1, zip]);
    assert.equal(await count("Vulnerability"), 2);
    const json = writeJson(path.join(d, "x.json"), [F.NOKOGIRI_GHSA]);
    await importOsv(pool, json);
    fs.writeFileSync(json, "[{");
    assert.deepEqual((await importOsv(pool, json)).removed, 0);
    writeJson(json, [{ ...F.NOKOGIRI_GHSA, modified: "garbage" }]);
    const unreadable = await importOsv(pool, json);
    assert.deepEqual([unreadable.removed, unreadable.invalid[0]!.id], [0, "GHSA-crjr-9rc5-ghw8"]);
    assert.ok(await vuln("GHSA-crjr-9rc5-ghw8"));
  });

  test("a record that moves to another file becomes that file's: the old file's snapshot no longer removes it", async () => {
    const d = dir();
    const a = writeJson(path.join(d, "a.json"), [F.LODASH_GHSA, F.REQUESTS_GHSA]);
    const b = writeJson(path.join(d, "b.json"), [F.LODASH_GHSA]);
    await importOsv(pool, a);
    const moved = await importOsv(pool, b);
    assert.deepEqual([moved.unchanged, (await vuln("GHSA-35jh-r3h4-6jhm"))!.source], [1, b]);
    const r = await importOsv(pool, writeJson(a, [F.REQUESTS_GHSA]));
    assert.deepEqual([r.removed, r.unchanged], [0, 1]);
    assert.ok(await vuln("GHSA-35jh-r3h4-6jhm"));
  });

  test("thousands of records in one zip: batched, then all unchanged", async () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({
      ...F.LOG4J_GHSA,
      id: `GHSA-test-${String(i).padStart(5, "0")}`,
    }));
    const zip = writeZip(path.join(dir(), "Maven", "all.zip"), byId(many));
    const t0 = Date.now();
    const r = await importOsv(pool, zip);
    const took = Date.now() - t0;
    assert.deepEqual([r.added, r.invalid.length], [3000, 0]);
    assert.equal(await count("VulnerabilityAffected"), 9000);
    assert.ok(took < 30_000, `3000 records took ${took} ms`);
    const again = await importOsv(pool, zip);
    assert.deepEqual([again.unchanged, again.changedIds.length], [3000, 0]);
  });
});
