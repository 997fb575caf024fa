// The vulnerability feed without a database: OSV records (real ones, osv-fixtures.ts) parsed into what is
// stored, ecosystem and package keys, and severities rated with seed 004's tables (CVSS and distributions).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ecosystemKey, packageKey } from "../../src/scanning/feeds/ecosystem.js";
import { parseOsv, type ParsedRecord } from "../../src/scanning/feeds/osv.js";
import {
  cvssSeverity,
  distributionSeverity,
  severityFromV2Score,
  severityFromV3Score,
} from "../../src/scanning/feeds/severity.js";
import * as F from "./osv-fixtures.js";

const parsed = (value: unknown): ParsedRecord => {
  const r = parseOsv(value);
  if (!r.ok) throw new Error(`${r.id}: ${r.reason}`);
  return r.record;
};
describe("ecosystem and package keys", () => {
  test("OSV's ecosystems become lower-case keys; Ubuntu's :LTS and RHEL's stream go", () => {
    const cases: [string, string][] = [
      ["Debian:12", "debian:12"],
      ["Ubuntu:22.04:LTS", "ubuntu:22.04"],
      ["Ubuntu:Pro:18.04:LTS", "ubuntu:pro:18.04"],
      ["Ubuntu:24.10", "ubuntu:24.10"],
      ["Alpine:v3.19", "alpine:v3.19"],
      ["Rocky Linux:9", "rocky linux:9"],
      ["AlmaLinux:9", "almalinux:9"],
      ["Red Hat:enterprise_linux:9::appstream", "red hat:9"],
      ["Red Hat:rhel_eus:9.2::appstream", "red hat:rhel_eus:9.2::appstream"],
      ["PyPI", "pypi"],
      ["npm", "npm"],
      ["Go", "go"],
      ["Maven", "maven"],
      ["RubyGems", "rubygems"],
      ["crates.io", "crates.io"],
      ["Maven:https://maven.google.com", "maven:https://maven.google.com"],
    ];
    for (const [eco, key] of cases) assert.equal(ecosystemKey(eco), key, eco);
  });

  test("PyPI names are normalised as PEP 503 says; other ecosystems' names are left alone", () => {
    const cases: [string, string, string][] = [
      ["pypi", "PyYAML", "pyyaml"],
      ["pypi", "zope.interface", "zope-interface"],
      ["pypi", "typing_extensions", "typing-extensions"],
      ["pypi", "ruamel.yaml.clib", "ruamel-yaml-clib"],
      ["pypi", "Foo__Bar-._-baz", "foo-bar-baz"],
      ["pypi", "requests", "requests"],
      ["npm", "@Babel/Core", "@Babel/Core"],
      ["npm", "lodash.template", "lodash.template"],
      ["maven", "org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-core"],
      ["go", "golang.org/x/net", "golang.org/x/net"],
      ["debian:12", "libssl3_x", "libssl3_x"],
    ];
    for (const [eco, name, key] of cases) assert.equal(packageKey(eco, name), key, `${eco} ${name}`);
  });
});

describe("severity from CVSS vectors (seed 004, OSV mapping)", () => {
  const v3 = (vector: string) => cvssSeverity([{ type: "CVSS_V3", score: vector }]);

  test("CVSS v3.1 base scores as computed by hand from the specification", () => {
    // lodash: AV:N .85 AC:L .77 PR:H .27 UI:N .85 → exploitability 8.22×.85×.77×.27×.85 = 1.2347;
    // ISS 1−.44³ = .9148, impact (scope unchanged) 6.42×.9148 = 5.8731; roundup(7.1078) = 7.2 → High.
    assert.deepEqual(v3(F.LODASH_GHSA.severity[0]!.score), {
      severity: "High",
      cvss: [{ type: "CVSS_V3", vector: F.LODASH_GHSA.severity[0]!.score, score: 7.2 }],
    });
    // requests: AC:H .44 UI:R .62 S:C, C:H only → exploitability 1.6201; ISS .56, impact (changed)
    // 7.52×(.56−.029) − 3.25×(.56−.02)^15 = 3.9928; roundup(1.08×5.6129 = 6.0620) = 6.1 → Medium.
    assert.equal(v3(F.REQUESTS_GHSA.severity[0]!.score).cvss[0]!.score, 6.1);
    assert.equal(v3(F.REQUESTS_GHSA.severity[0]!.score).severity, "Medium");
    // Log4Shell: exploitability 3.8870, impact (changed) 7.52×.8858 − 3.25×.8948^15 = 6.0477;
    // 1.08×9.9347 = 10.73, capped at 10.0 → Critical.
    assert.deepEqual(
      [v3(F.LOG4J_GHSA.severity[0]!.score).cvss[0]!.score, v3(F.LOG4J_GHSA.severity[0]!.score).severity],
      [10, "Critical"],
    );
    // regreSSHion: AC:H → exploitability 2.2212 + impact 5.8731 = 8.0943 → 8.1 → High.
    assert.deepEqual(
      [
        v3(F.OPENSSH_UBUNTU.severity[0]!.score).cvss[0]!.score,
        v3(F.OPENSSH_UBUNTU.severity[0]!.score).severity,
      ],
      [8.1, "High"],
    );
  });

  test("CVSS v3.0 vectors score too (coreutils, NVD: 6.5), and a vector with no impact is Negligible", () => {
    // AV:L .55 AC:L .77 PR:L (changed) .68 UI:N .85 → 2.0121; I:H only, changed → 3.9928; 1.08×6.0049 → 6.5.
    assert.deepEqual(v3(F.COREUTILS_DEBIAN_CVE.severity[0]!.score).cvss[0]!.score, 6.5);
    assert.equal(v3(F.COREUTILS_DEBIAN_CVE.severity[0]!.score).severity, "Medium");
    assert.deepEqual(v3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"), {
      severity: "Negligible",
      cvss: [{ type: "CVSS_V3", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", score: 0 }],
    });
  });

  test("the CVSSv3 table's every band, and the CVSSv2 table's", () => {
    // "score=level" pairs, the bands' edges.
    const bands = (t: string) => t.split(" ").map((x) => x.split("=") as [string, string]);
    for (const [s, want] of bands(
      "0=Negligible 0.1=Low 3.9=Low 4=Medium 6.9=Medium 7=High 8.9=High 9=Critical 10=Critical",
    ))
      assert.equal(severityFromV3Score(Number(s)), want, `v3 ${s}`);
    for (const [s, want] of bands("0=Low 3.9=Low 4=Medium 6.9=Medium 7=High 10=High"))
      assert.equal(severityFromV2Score(Number(s)), want, `v2 ${s}`);
  });

  test("CVSS v2 vectors, scored by hand, through the v2 table", () => {
    const v2 = (vector: string) => cvssSeverity([{ type: "CVSS_V2", score: vector }]);
    // impact 10.41×(1−.725³) = 6.4429, exploitability 20×1×.71×.704 = 9.9968;
    // (.6×6.4429 + .4×9.9968 − 1.5)×1.176 = 7.48 → 7.5 → High.
    assert.deepEqual(v2("AV:N/AC:L/Au:N/C:P/I:P/A:P"), {
      severity: "High",
      cvss: [{ type: "CVSS_V2", vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P", score: 7.5 }],
    });
    // impact 2.8628, exploitability 20×.61×.704 = 8.5888 → (1.7177 + 3.4355 − 1.5)×1.176 = 4.30 → Medium.
    assert.equal(v2("AV:N/AC:M/Au:N/C:N/I:P/A:N").cvss[0]!.score, 4.3);
    assert.equal(v2("AV:N/AC:M/Au:N/C:N/I:P/A:N").severity, "Medium");
    // exploitability 20×.395×.35×.704 = 1.9466 → (1.7177 + .7786 − 1.5)×1.176 = 1.17 → 1.2 → Low.
    assert.deepEqual(
      [v2("AV:L/AC:H/Au:N/C:P/I:N/A:N").cvss[0]!.score, v2("AV:L/AC:H/Au:N/C:P/I:N/A:N").severity],
      [1.2, "Low"],
    );
  });

  test("CVSS v4 vectors score with the calculator (base metrics only) and map through the v3 table", () => {
    const v4 = (vector: string) => cvssSeverity([{ type: "CVSS_V4", score: vector }]);
    // FIRST's calculator: 9.3, 8.7 and 5.1 for these (the schema's example is the last).
    assert.deepEqual(
      v4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").cvss[0]!.score,
      9.3,
    );
    assert.equal(v4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").severity, "Critical");
    assert.equal(v4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").severity, "High");
    assert.equal(v4("CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N").severity, "Medium");
    // A threat metric (E:U) lowers CVSS-BT to 8.1; the base score stays 9.3.
    assert.equal(
      v4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U").cvss[0]!.score,
      9.3,
    );
  });

  test("v4 is preferred to v3, v3 to v2, whatever their scores; within a version the highest", () => {
    const v2High = { type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:P/I:P/A:P" }; // 7.5 High
    const v3Medium = { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N" }; // 6.1
    const v3Critical = { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }; // 9.8
    const v4Medium = {
      type: "CVSS_V4",
      score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N",
    };
    assert.equal(cvssSeverity([v2High, v3Medium]).severity, "Medium");
    assert.equal(cvssSeverity([v3Critical, v2High, v4Medium]).severity, "Medium");
    assert.equal(cvssSeverity([v3Medium, v3Critical]).severity, "Critical");
    assert.equal(cvssSeverity([v2High, v3Medium, v4Medium]).cvss.length, 3);
  });

  test("malformed, incomplete and non-CVSS entries score nothing", () => {
    const r = cvssSeverity([
      { type: "CVSS_V3", score: "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" },
      { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L" },
      { type: "CVSS_V4", score: "CVSS:4.0/AV:N/AC:L" },
      { type: "CVSS_V2", score: "garbage" },
      { type: "CVSS_V3", score: "" },
      { type: "Ubuntu", score: "high" },
    ]);
    assert.deepEqual(r, { severity: "Unknown", cvss: [] });
  });
});

describe("distribution ratings (seed 004, every row of every table)", () => {
  // [table, ecosystem keys using it, "rating=level" rows as the seed spells them]; "*" rows: sample ratings.
  const tables: [string, string[], string][] = [
    ["Alpine", ["alpine:v3.19"], "anything=Unknown, high=Unknown, =Unknown"],
    ["AWS", ["amazon linux:2023"], "low=Low, medium=Medium, important=High, critical=Critical"],
    [
      "Debian",
      ["debian:12", "debian:11"],
      "not yet assigned=Unknown, end-of-life=Unknown, Unimportant=Low, Low=Medium, Medium=High, High=Critical",
    ],
    [
      "Oracle",
      ["oracle linux:9"],
      "N/A=Unknown, LOW=Low, MODERATE=Medium, IMPORTANT=High, CRITICAL=Critical",
    ],
    [
      "RHEL",
      ["red hat:9", "rocky linux:9", "almalinux:9"],
      "None=Unknown, Low=Low, Moderate=Medium, Important=High, Critical=Critical",
    ],
    [
      "SUSE",
      ["suse:linux enterprise server 15 sp5", "opensuse:leap 15.5"],
      "None=Unknown, Low=Low, Moderate=Medium, Important=High, Critical=Critical",
    ],
    [
      "Ubuntu",
      ["ubuntu:22.04", "ubuntu:pro:18.04"],
      "Untriaged=Unknown, Negligible=Negligible, Low=Low, Medium=Medium, High=High, Critical=Critical",
    ],
  ];
  for (const [name, keys, table] of tables) {
    const rows = table.split(", ").map((x) => x.split("=") as [string, string]);
    test(`${name}: ${table}`, () => {
      for (const key of keys)
        for (const [rating, level] of rows) {
          assert.equal(distributionSeverity(key, rating), level, `${key} ${rating}`);
          // OSV writes ratings lower-cased ("unimportant", "high"): the lookup ignores case.
          assert.equal(
            distributionSeverity(key, rating.toLowerCase()),
            level,
            `${key} ${rating.toLowerCase()}`,
          );
        }
    });
  }

  test("no table, or no row and no '*' row: null", () => {
    assert.equal(distributionSeverity("pypi", "HIGH"), null);
    assert.equal(distributionSeverity("npm", "critical"), null);
    assert.equal(distributionSeverity("red hat:9", "Severe"), null);
    assert.equal(distributionSeverity("ubuntu:22.04", "constructor"), null);
  });
});

describe("parsing OSV records", () => {
  test("every fixture parses", () => {
    for (const f of F.ALL) assert.equal(parseOsv(f).ok, true, f.id);
  });

  test("npm GHSA: CVSS severity, no distribution rating (GitHub's own is not a seed table's), links", () => {
    const r = parsed(F.LODASH_GHSA);
    assert.equal(r.severity, "High");
    assert.deepEqual(
      r.affected.map((a) => [a.ecosystemKey, a.packageKey, a.severity]),
      [
        ["npm", "lodash", null],
        ["npm", "lodash-es", null],
      ],
    );
    assert.deepEqual(r.affected[0]!.ranges, [
      { type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "4.17.21" }] },
    ]);
    assert.equal(r.links[0], "https://nvd.nist.gov/vuln/detail/CVE-2021-23337");
    assert.deepEqual(r.aliases, ["CVE-2021-23337"]);
    assert.equal(r.modified.toISOString(), "2022-02-08T21:35:09.000Z");
  });

  test("the advisory link comes first even when listed later; links are deduplicated", () => {
    const r = parsed({
      ...F.REQUESTS_GHSA,
      references: [...F.REQUESTS_GHSA.references, F.REQUESTS_GHSA.references[0]],
    });
    assert.equal(r.links[0], "https://nvd.nist.gov/vuln/detail/CVE-2023-32681");
    assert.equal(r.links[1], "https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q");
    assert.equal(r.links.length, F.REQUESTS_GHSA.references.length);
    // Go's advisory page is database_specific.url: no reference is of type ADVISORY.
    assert.equal(parsed(F.GO_HTTP2_RESET).links[0], "https://pkg.go.dev/vuln/GO-2023-2102");
  });

  test("PyPI, Go, Maven, RubyGems records: keys, SEMVER ranges, versions, no CVSS is Unknown", () => {
    const py = parsed(F.PYYAML_PYSEC);
    assert.deepEqual(
      [py.severity, py.affected[0]!.packageKey, py.affected[0]!.versions.length],
      ["Unknown", "pyyaml", 7],
    );
    assert.equal(py.modified.toISOString(), "2021-08-27T03:22:18.913Z", "microseconds kept to milliseconds");
    const go = parsed(F.GO_HTTP2_RESET);
    assert.deepEqual(
      go.affected.map((a) => [a.ecosystemKey, a.packageKey, a.ranges[0]!.type]),
      [
        ["go", "stdlib", "SEMVER"],
        ["go", "golang.org/x/net", "SEMVER"],
      ],
    );
    assert.equal(go.modified.toISOString(), "0001-01-01T00:00:00.000Z");
    assert.equal(go.severity, "Unknown");
    const log4j = parsed(F.LOG4J_GHSA);
    assert.equal(log4j.affected.length, 3, "one row per affected entry, same package");
    assert.equal(log4j.affected[0]!.packageKey, "org.apache.logging.log4j:log4j-core");
    assert.equal(parsed(F.NOKOGIRI_GHSA).affected[0]!.ecosystemKey, "rubygems");
    assert.equal(parsed(F.NOKOGIRI_GHSA).severity, "High");
  });

  test("Ubuntu: the priority (ecosystem_specific.ubuntu_priority, or a severity of type Ubuntu) per release", () => {
    const r = parsed(F.OPENSSH_UBUNTU);
    assert.equal(r.severity, "High");
    assert.deepEqual(
      r.affected.map((a) => [a.ecosystemKey, a.severity]),
      [
        ["ubuntu:22.04", "High"],
        ["ubuntu:24.04", "High"],
      ],
    );
    const typed = parsed({
      ...F.OPENSSH_UBUNTU,
      severity: [...F.OPENSSH_UBUNTU.severity, { type: "Ubuntu", score: "medium" }],
      affected: F.OPENSSH_UBUNTU.affected.map(({ ecosystem_specific: _, ...a }) => a),
    });
    assert.deepEqual(
      typed.affected.map((a) => a.severity),
      ["Medium", "Medium"],
    );
    assert.equal(typed.cvss.length, 1, "the Ubuntu entry is no CVSS vector");
  });

  test("Alma and Rocky: Red Hat's rating from the summary; Debian: the urgency; DSA and Alpine: none", () => {
    const alma = parsed(F.OPENSSL_ALSA);
    assert.deepEqual([...new Set(alma.affected.map((a) => a.severity))], ["Medium"]);
    assert.equal(alma.severity, "Unknown", "no CVSS in ALSA records");
    const rocky = parsed(F.OPENSSL_RLSA);
    assert.deepEqual([rocky.severity, rocky.affected[0]!.severity], ["Critical", "Medium"]);
    assert.deepEqual(rocky.affected[0]!.ranges, [
      { type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "3.0.1-41.el9_0" }] },
    ]);
    const coreutils = parsed(F.COREUTILS_DEBIAN_CVE);
    assert.deepEqual(
      coreutils.affected.map((a) => [a.ecosystemKey, a.severity]),
      [
        ["debian:11", "Low"],
        ["debian:12", "Low"],
        ["debian:13", "Low"],
      ],
    );
    assert.equal(coreutils.severity, "Medium");
    const dsa = parsed(F.GLIBC_DSA);
    assert.deepEqual(dsa.aliases, ["DEBIAN-CVE-2023-4911", "CVE-2023-4911"], "upstream ids kept as aliases");
    assert.deepEqual([dsa.severity, dsa.affected.map((a) => a.severity)], ["Unknown", [null, null]]);
    const alpine = parsed(F.OPENSSL_ALPINE);
    assert.deepEqual(
      [alpine.severity, alpine.affected[0]!.ecosystemKey, alpine.affected[0]!.severity],
      ["Critical", "alpine:v3.14", null],
    );
    // Debian's "*" row says Unknown: the field is left to the record's CVSS.
    const unassigned = parsed({
      ...F.COREUTILS_DEBIAN_CVE,
      affected: [
        { ...F.COREUTILS_DEBIAN_CVE.affected[0], ecosystem_specific: { urgency: "not yet assigned" } },
      ],
    });
    assert.equal(unassigned.affected[0]!.severity, null);
  });

  test("GIT ranges are dropped; entries left with nothing to match, or without a package, too", () => {
    const r = parsed({
      ...F.LODASH_GHSA,
      affected: [
        {
          package: { ecosystem: "npm", name: "lodash" },
          ranges: [
            {
              type: "GIT",
              repo: "https://github.com/lodash/lodash",
              events: [{ introduced: "0" }, { fixed: "3469357c" }],
            },
            { type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "4.17.21" }] },
          ],
        },
        {
          package: { ecosystem: "npm", name: "lodash-es" },
          ranges: [{ type: "GIT", events: [{ introduced: "0" }] }],
        },
        {
          ranges: [{ type: "GIT", repo: "https://github.com/lodash/lodash", events: [{ introduced: "0" }] }],
        },
      ],
    });
    assert.deepEqual(
      r.affected.map((a) => [a.package, a.ranges.map((x) => x.type)]),
      [["lodash", ["ECOSYSTEM"]]],
    );
  });

  test("malformed records come back with their id and the field at fault", () => {
    const bad: [unknown, string | undefined, RegExp][] = [
      ["a string", undefined, /not a JSON object/],
      [{ ...F.LODASH_GHSA, id: undefined }, undefined, /^id/],
      [{ ...F.LODASH_GHSA, id: 42 }, undefined, /^id/],
      [{ ...F.LODASH_GHSA, modified: "yesterday" }, "GHSA-35jh-r3h4-6jhm", /^modified: not an RFC 3339 time/],
      [{ ...F.LODASH_GHSA, modified: undefined }, "GHSA-35jh-r3h4-6jhm", /^modified: missing/],
      [{ ...F.LODASH_GHSA, affected: {} }, "GHSA-35jh-r3h4-6jhm", /^affected: expected an array/],
      [
        { ...F.LODASH_GHSA, affected: [{ package: { ecosystem: "npm" } }] },
        "GHSA-35jh-r3h4-6jhm",
        /affected\[0\]\.package/,
      ],
      [
        {
          ...F.LODASH_GHSA,
          affected: [{ package: { ecosystem: "npm", name: "x" }, ranges: [{ type: "RANGE", events: [] }] }],
        },
        "GHSA-35jh-r3h4-6jhm",
        /affected\[0\]\.ranges\[0\]\.type/,
      ],
      [
        {
          ...F.LODASH_GHSA,
          affected: [
            {
              package: { ecosystem: "npm", name: "x" },
              ranges: [{ type: "SEMVER", events: [{ introduced: "0", fixed: "1" }] }],
            },
          ],
        },
        "GHSA-35jh-r3h4-6jhm",
        /affected\[0\]\.ranges\[0\]\.events\[0\]/,
      ],
      [
        { ...F.LODASH_GHSA, affected: [{ package: { ecosystem: "npm", name: "x" }, versions: [1, 2] }] },
        "GHSA-35jh-r3h4-6jhm",
        /affected\[0\]\.versions/,
      ],
      [{ ...F.LODASH_GHSA, summary: ["x"] }, "GHSA-35jh-r3h4-6jhm", /^summary/],
    ];
    for (const [value, id, reason] of bad) {
      const r = parseOsv(value);
      assert.equal(r.ok, false, JSON.stringify(value).slice(0, 80));
      if (r.ok) continue;
      assert.equal(r.id, id);
      assert.match(r.reason, reason);
    }
  });

  test("a withdrawn record needs only its id; malformed decoration is dropped, not fatal", () => {
    const w = parseOsv({ id: "GHSA-35jh-r3h4-6jhm", withdrawn: "2024-01-01T00:00:00Z", affected: "garbage" });
    assert.equal(w.ok && w.record.withdrawn, true);
    const r = parsed({
      ...F.LODASH_GHSA,
      severity: [{ type: 3, score: "x" }, ...F.LODASH_GHSA.severity],
      references: [{ url: 7 }],
    });
    assert.deepEqual([r.severity, r.links], ["High", []]);
  });
});
