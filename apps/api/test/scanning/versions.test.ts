// The version orderings against their projects' own published cases (dpkg's scripts/t/Dpkg_Version.t, rpm's
// tests/rpmvercmp.at, apk-tools' test/unit/version.data, Maven's ComparableVersionTest, the SemVer and PEP 440
// specifications), then OSV's range evaluation: introduced/fixed/last_affected/limit, several intervals in one
// range, several ranges, the versions list, and the fix that ends the interval a version is in.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AffectedVersions, OsvRange, VersionScheme } from "../../src/scanning/types.js";
import { compareVersions, fixedBy, isAffected, schemeFor } from "../../src/scanning/versions.js";

const words = (text: string) => text.trim().split(/\s+/);

/** Every later version (of a whitespace-separated list) is greater than every earlier one, asked both ways. */
function ascending(scheme: VersionScheme, list: string) {
  const versions = words(list);
  assert.ok(versions.length > 1);
  for (let i = 0; i < versions.length; i++)
    for (let j = i + 1; j < versions.length; j++) {
      const [a, b] = [versions[i]!, versions[j]!];
      assert.equal(compareVersions(scheme, a, b), -1, `${scheme}: ${a} < ${b}`);
      assert.equal(compareVersions(scheme, b, a), 1, `${scheme}: ${b} > ${a}`);
    }
}

/** Each "A==B" of a whitespace-separated list compares equal, both ways round. */
function equal(scheme: VersionScheme, list: string) {
  for (const pair of words(list)) {
    const [a, b] = pair.split("==") as [string, string];
    assert.equal(compareVersions(scheme, a, b), 0, `${scheme}: ${a} = ${b}`);
    assert.equal(compareVersions(scheme, b, a), 0, `${scheme}: ${b} = ${a}`);
  }
}

/** Lines of "A B R" or "A op B" (op one of < = >): the expected comparison of A with B, checked both ways. */
function table(scheme: VersionScheme, text: string) {
  const rows = text
    .trim()
    .split(/\n|;/)
    .map((l) => l.trim().split(/\s+/));
  assert.ok(rows.length > 5);
  for (const row of rows) {
    const [a, x, y] = row as [string, string, string];
    const [b, want] = ["<", "=", ">"].includes(x) ? [y, "<=>".indexOf(x) - 1] : [x, Number(y)];
    assert.equal(compareVersions(scheme, a, b), want, `${scheme}: ${a} vs ${b}`);
    assert.equal(compareVersions(scheme, b, a), 0 - want || 0, `${scheme}: ${b} vs ${a}`);
  }
}

test("dpkg: dpkg's own comparison table (scripts/t/Dpkg_Version.t)", () => {
  table(
    "dpkg",
    `1.0-1 2.0-2 -1; 2.2~rc-4 2.2-1 -1; 2.2-1 2.2~rc-4 1; 1.0000-1 1.0-1 0; 1 0:1 0; 0 0:0-0 0; 2:2.5 1:7.5 1
     1:0foo 0foo 1; 0:0foo 0foo 0; 0foo 0foo 0; 0foo- 0foo 0; 0foo- 0foo-0 0; 0foo 0fo 1; 0foo- 0foo+ -1
     0foo~1 0foo -1; 0foo~foo+Bar 0foo~foo+bar -1; 0foo~~ 0foo~ -1; 1~ 1 -1; 0foo-0 0foo-01 -1
     12345+that-really-is-some-ver-0 12345+that-really-is-some-ver-10 -1; 0foo.bar 0foobar 1; 0foo.bar 0foo1bar 1
     0foo.bar 0foo0bar 1; 0foo1bar-1 0foobar-1 -1; 0foo2.0 0foo2 1; 0foo2.0.0 0foo2.10.0 -1; 0foo2.0 0foo2.0.0 -1
     0foo2.0 0foo2.10 -1; 0foo2.1 0foo2.10 -1; 1.09 1.9 0; 1.0.8+nmu1 1.0.8 1; 3.11 3.10+nmu1 1
     0.9j-20080306-4 0.9i-20070324-2 1; 1.2.0~b7-1 1.2.0~b6-1 1; 1.011-1 1.06-2 1; 0.0.9+dfsg1-1 0.0.8+dfsg1-3 1
     4.6.99+svn6582-1 4.6.99+svn6496-1 1; 53 52 1; 0.9.9~pre122-1 0.9.9~pre111-1 1; 2:2.3.2-2+lenny2 2:2.3.2-2 1
     1:3.8.1-1 3.8.GA-1 1; 1.0.1+gpl-1 1.0.1-2 1; 1a 1000a -1; -0.6.5 0.9.1 -1`,
  );
});

test("dpkg: epochs beat versions, ~ sorts before the end, revisions order after the upstream version", () => {
  ascending("dpkg", "2.0 1:1.0 2:0.1");
  ascending("dpkg", "1.0~rc1 1.0~rc2 1.0 1.0+dfsg 1.0.1");
  ascending("dpkg", "1.2.3-1 1.2.3-1+deb12u1 1.2.3-2 1.2.3-10 1.2.4-1");
  ascending("dpkg", "3.0.11-1~deb12u1 3.0.11-1~deb12u2 3.0.11-1");
  ascending("dpkg", "1.21.1-1ubuntu1 1.21.1-1ubuntu1.1 1.21.1-1ubuntu2");
  equal("dpkg", "1.0==0:1.0 1.0-0==1.0");
});

test("apk: apk-tools' own cases (test/unit/version.data)", () => {
  table(
    "apk",
    `2.34 > 0.1.0_alpha; 23_foo > 4_beta; 1.0 < 1.0bc; 0.1.0_alpha = 0.1.0_alpha; 0.1.0_alpha2 > 0.1.0_alpha
     1.0.4-r3 < 1.0.4-r4; 1.1 > 1.1_alpha1; 1.3_alpha2 < 1.3_alpha3; 0.8_beta1 < 0.8_beta2; 2.3.0b-r1 < 2.3.0b-r2
     0.12.3 > 0.12; 3.1_p16 < 3.1_p17; 1.06-r6 < 006; 1.2.2-r1 > 1.2.2; 20040401 > 2.0.0_rc3-r1
     3.9_pre20060124 > 0.01; 0.10.0 < 0.10.1_rc1; 2.5.1-r8 < 2.5.1a-r1; 2.1_pre20 < 2.1_pre26
     0.20070118 < 0.20070207_rc1; 1.8.5 < 1.8.5_p2; 4.5_p1-r1 > 4.5_p1; 2.9.11_pre20051101-r3 > 2.9.11_pre20051101
     1.3.5-r10 > 1.3.5-r8; 1.3-r0 < 1.3.1-r0; 1.3_pre1-r1 < 1.3.2; 1.0_p10-r0 > 1.0_p9-r0
     0.1.0_alpha_pre2 < 0.1.0_alpha; 1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0; 8.2.0 < 8.2.001
     8.2.0015 < 8.2.002; 1.0~1234 < 1.0~2345; 1.0~1234-r1 < 1.0~2345-r0; 1.0~1234-r1 > 1.0~1234-r0`,
  );
});

test("apk: pre-release suffixes before the release, post-release ones and -rN revisions after", () => {
  ascending("apk", "1.2.3_alpha 1.2.3_beta 1.2.3_pre1 1.2.3_rc1 1.2.3_rc2 1.2.3");
  ascending("apk", "1.2.3 1.2.3-r1 1.2.3_cvs 1.2.3_svn 1.2.3_git 1.2.3_hg 1.2.3_p1 1.2.3a");
  ascending("apk", "3.1.4-r0 3.1.4-r2 3.1.4-r10 3.1.5-r0");
  equal("apk", "1.0-r0==1.0-r0");
});

test("rpm: rpm's own rpmvercmp cases (tests/rpmvercmp.at), ~ and ^ included", () => {
  table(
    "rpm",
    `1.0 2.0 -1; 2.0.1 2.0.1 0; 2.0 2.0.1 -1; 2.0.1a 2.0.1 1; 5.5p1 5.5p2 -1; 5.5p10 5.5p1 1; 10xyz 10.1xyz -1
     xyz10 xyz10.1 -1; xyz.4 8 -1; 2 xyz.4 1; 5.5p2 5.6p1 -1; 6.5p1 5.6p1 1; 6.0.rc1 6.0 1; 10b2 10a1 1
     10a2 10b2 -1; 1.0a 1.0aa -1; 10.0001 10.1 0; 10.0001 10.0039 -1; 4.999.9 5.0 -1; 20101122 20101121 1
     2.0 2_0 0; a+ a_ 0; +a _a 0; _+ +_ 0; + _ 0; 1.0~rc1 1.0 -1; 1.0~rc1 1.0~rc2 -1; 1.0~rc1~git123 1.0~rc1 -1
     1.0^ 1.0 1; 1.0^git1 1.0 1; 1.0^git1 1.0^git2 -1; 1.0^git1 1.01 -1; 1.0^20160101 1.0.1 -1
     1.0^20160102 1.0^20160101^git1 1; 1.0~rc1^git1 1.0~rc1 1; 1.0^git1 1.0^git1~pre 1`,
  );
});

test("rpm: epoch:version-release, a missing epoch being 0", () => {
  ascending("rpm", "2.0-1 1:1.0-1 1:1.0-2 2:0.1-1");
  ascending("rpm", "3.0.7-16.el9 3.0.7-16.el9_2 3.0.7-17.el9 3.0.7-17.el9.1 1:3.0.7-1.el9");
  ascending("rpm", "1.0~rc1-1 1.0-1 1.0^git1-1 1.0.1-1");
  equal("rpm", "0:1.0-1==1.0-1 1.0==1.0-5"); // rpm compares no release when one side has none
});

test("semver (npm): the specification's pre-release chain; build metadata ignored", () => {
  ascending(
    "semver",
    "1.0.0-alpha 1.0.0-alpha.1 1.0.0-alpha.beta 1.0.0-beta 1.0.0-beta.2 1.0.0-beta.11 1.0.0-rc.1 1.0.0 1.0.1 1.1.0 2.0.0",
  );
  equal("semver", "1.0.0+build.5==1.0.0 v1.2.3==1.2.3");
});

test("semver (Go): pseudo-versions, +incompatible, the toolchain's go prefix and short versions", () => {
  ascending(
    "semver",
    `0.0.0-20210101000000-abcdef123456 0.0.0-20220101000000-abcdef123456 0.1.0 1.2.3-pre
     1.2.3-pre.0.20230101000000-abcdef123456 1.2.3 1.2.4-0.20230101000000-abcdef123456 1.2.4`,
  );
  equal("semver", "2.0.0+incompatible==2.0.0 go1.21.3==1.21.3 1.21==1.21.0");
  ascending("semver", "1.21rc2 1.21.0 1.21.1");
});

test("pep440: dev < pre < release < local < post, epochs first, normalised spellings equal", () => {
  ascending(
    "pep440",
    `1.0.dev1 1.0a1 1.0a2.dev1 1.0a2 1.0b1 1.0rc1 1.0rc2 1.0 1.0+local.1 1.0+local.2 1.0.post1.dev1 1.0.post1
     1.0.1 2.0 1!0.1 1!1.0`,
  );
  equal("pep440", "1.0==1.0.0 1.0RC1==1.0rc1 1.0-1==1.0.post1 v1.0==1.0 0!1.0==1.0");
});

test("maven: ComparableVersionTest's qualifier and number orderings", () => {
  ascending(
    "maven",
    `1-alpha2snapshot 1-alpha2 1-alpha-123 1-beta-2 1-beta123 1-m2 1-m11 1-rc 1-cr2 1-rc123 1-SNAPSHOT 1 1-sp
     1-sp2 1-sp123 1-abc 1-def 1-pom-1 1-1-snapshot 1-1 1-2 1-123`,
  );
  ascending(
    "maven",
    `2.0 2.0.a 2-1 2.0.2 2.0.123 2.1.0 2.1-a 2.1b 2.1-c 2.1-1 2.1.0.1 2.2 2.123 11.a2 11.a11 11.b2 11.b11 11.m2
     11.m11 11 11.a 11b 11c 11m`,
  );
  ascending("maven", "1-alpha 1-beta 1-milestone 1-rc 1-snapshot 1 1-sp 1.1");
});

test("maven: ComparableVersionTest's equalities, aliases, case and the MNG edge cases", () => {
  equal(
    "maven",
    `1==1.0 1==1.0.0 1==1-0 1.0==1.0-0 1a==1-a 1a==1.0.0-a 1.0.0x==1-x 1cr==1rc 1-rc==1-cr 1a1==1-alpha-1
     1b2==1-beta-2 1m3==1-milestone-3 1m3==1MILESTONE3 1X==1x 1ga==1 1-ga==1 1final==1 1-final==1 1RELEASE==1
     0001==1 000==0 1-abcdefghijklmnopqrstuvwxyz==1-ABCDEFGHIJKLMNOPQRSTUVWXYZ 2-rc==2.0.rc 2-abc==2.0.0.abc`,
  );
  ascending("maven", "1.0-alpha-1-SNAPSHOT 1.0-alpha-1 1.0-alpha-2 1.0-beta-1 1.0-SNAPSHOT 1.0");
  ascending("maven", "1.0 1.0-1 1.0-2 2.0-1 2.0.1 2.0.1-klm 2.0.1-lmn 2.0.1-123");
  ascending("maven", "1-1 1.1");
  ascending("maven", "6.1.0rc3 6.1.0 6.1H.5-beta"); // MNG-5568
  ascending("maven", "20190126.230843 1234567890.12345 123456789012345.1H.5-beta 12345678901234567890.1H");
  ascending("maven", "1-0.alpha 1-0.beta 1"); // MNG-6964
  ascending("maven", "1.0.0.RC1 1.0.0-RC2"); // MNG-7644
  ascending("maven", "1.0.final-redhat 1.0-sp1-redhat"); // MNG-7714
  ascending("maven", "aardvark zebra 7"); // digits after letters
});

test("rubygems: letters make a prerelease, trailing zeros do not count", () => {
  ascending("rubygems", "1.0.a 1.0.a2 1.0.b1 1.0.pre 1.0.rc1 1.0 1.0.1 1.1");
  ascending("rubygems", "2.0.0.beta2 2.0.0.rc1 2.0.0");
  equal("rubygems", "1.0==1.0.0 1.0.0==1");
});

test("compareVersions never throws: malformed versions still order, identical ones are equal", () => {
  const schemes: VersionScheme[] = ["dpkg", "apk", "rpm", "semver", "pep440", "maven", "rubygems"];
  const odd = [
    "",
    " ",
    "not a version",
    "::",
    "-",
    "1..2",
    "~",
    "^",
    "1.0-",
    "_p",
    "\u0668",
    "1-".repeat(2000),
  ];
  for (const s of schemes)
    for (const a of odd) {
      assert.equal(compareVersions(s, a, a), 0, `${s}: ${JSON.stringify(a)} = itself`);
      for (const b of ["1.0", "0", ...odd]) {
        const r = compareVersions(s, a, b);
        assert.ok(
          r === -1 || r === 0 || r === 1,
          `${s}: ${JSON.stringify(a)} vs ${JSON.stringify(b)} gave ${r}`,
        );
      }
    }
  // A malformed version is not equal to a well-formed one.
  assert.equal(compareVersions("pep440", "not a version", "1.0"), -1);
  assert.equal(compareVersions("semver", "1.0.0", "garbage"), 1);
  assert.equal(compareVersions("rubygems", "1.0", "x.y"), 1);
  assert.notEqual(compareVersions("apk", "abc", "abd"), 0);
  // apk: where a version turns invalid (a second ~hash) it sorts below one that ends there.
  assert.equal(compareVersions("apk", "1.0~1234~5678", "1.0~1234"), -1);
});

test("schemeFor: OSV ecosystem keys by the prefix before the first colon", () => {
  const cases = Object.entries({
    ...{ "debian:12": "dpkg", "ubuntu:22.04": "dpkg", "ubuntu:pro:22.04:lts": "dpkg", "Debian:11": "dpkg" },
    ...{ "alpine:v3.19": "apk", "rocky linux:9": "rpm", "almalinux:9": "rpm", "red hat": "rpm", suse: "rpm" },
    ...{ "red hat:enterprise_linux:9": "rpm", opensuse: "rpm", npm: "semver", go: "semver", pypi: "pep440" },
    ...{ maven: "maven", rubygems: "rubygems", "crates.io": null, nuget: null, "": null, debian12: null },
    ...{ constructor: null, toString: null },
  });
  for (const [key, want] of cases) assert.equal(schemeFor(key), want, key);
});

const eco = (...events: OsvRange["events"]): OsvRange => ({ type: "ECOSYSTEM", events });
const aff = (ranges: OsvRange[], versions: string[] = []): AffectedVersions => ({ ranges, versions });

test("isAffected: introduced (0 = from the beginning) up to fixed, exclusive: the fixed version is not affected", () => {
  const a = aff([eco({ introduced: "0" }, { fixed: "1.2.3-2" })]);
  for (const v of ["0.1-1", "1.2.3~rc1-1", "1.2.3-1"]) assert.equal(isAffected("dpkg", v, a), true, v);
  for (const v of ["1.2.3-2", "1.2.3-2+deb12u1", "1.2.4-1", "1:0.1-1"])
    assert.equal(isAffected("dpkg", v, a), false, v);
  const b = aff([eco({ introduced: "1.8" }, { fixed: "39.0.1" })]);
  assert.deepEqual(
    ["1.7", "1.8", "39.0.0", "39.0.1", "40"].map((v) => isAffected("pep440", v, b)),
    [false, true, true, false, false],
  );
  assert.equal(isAffected("dpkg", "1.0", aff([eco({ introduced: "0" })])), true); // no fix yet
});

test("isAffected: last_affected is inclusive, limit caps the range, GIT ranges are not evaluated", () => {
  const last = aff([eco({ introduced: "1.0.0" }, { last_affected: "1.4.2" })]);
  assert.deepEqual(
    ["0.9.0", "1.0.0", "1.4.2", "1.4.3"].map((v) => isAffected("semver", v, last)),
    [false, true, true, false],
  );
  const limited = aff([eco({ introduced: "0" }, { limit: "2.0.0" })]);
  assert.deepEqual(
    ["1.9.9", "2.0.0", "2.1.0"].map((v) => isAffected("semver", v, limited)),
    [true, false, false],
  );
  assert.equal(isAffected("semver", "9.0.0", aff([eco({ introduced: "0" }, { limit: "*" })])), true);
  const git: OsvRange = { type: "GIT", events: [{ introduced: "0" }] };
  assert.equal(isAffected("semver", "1.0.0", aff([git])), false);
  // "0" is before everything, even versions the ordering puts below "0" (0.0.0-… is a SemVer pre-release).
  const pseudo = "0.0.0-20210101000000-abcdef123456";
  assert.equal(isAffected("semver", pseudo, aff([eco({ introduced: "0" }, { fixed: "0.1.0" })])), true);
  assert.equal(fixedBy("semver", pseudo, aff([eco({ fixed: "0.1.0" }, { introduced: "0" })])), "0.1.0");
  const pseudoFix = aff([eco({ fixed: "0.0.0-20220101000000-abcdef123456" }, { introduced: "0" })]);
  assert.equal(isAffected("semver", pseudo, pseudoFix), true);
  assert.equal(isAffected("semver", "0.0.0-20230101000000-abcdef123456", pseudoFix), false);
  assert.equal(fixedBy("semver", pseudo, pseudoFix), "0.0.0-20220101000000-abcdef123456");
});

test("isAffected: several introduced/fixed pairs in one range, in any order, and several ranges", () => {
  const pairs = aff([eco({ fixed: "1.5" }, { introduced: "2.0" }, { introduced: "1.0" }, { fixed: "2.3" })]);
  const got = ["0.9", "1.0", "1.4", "1.5", "1.9", "2.0", "2.2", "2.3", "3.0"].map((v) =>
    isAffected("pep440", v, pairs),
  );
  assert.deepEqual(got, [false, true, true, false, false, true, true, false, false]);
  const two = aff([
    eco({ introduced: "3.0.0" }, { fixed: "3.0.8" }),
    eco({ introduced: "3.1.0" }, { fixed: "3.1.4" }),
  ]);
  assert.deepEqual(
    ["3.0.7", "3.0.9", "3.1.3", "3.1.4"].map((v) => isAffected("apk", v, two)),
    [true, false, true, false],
  );
  // A SEMVER range is read as SemVer whatever the ecosystem: Maven has 1.0.0-sp1 after 1.0.0, SemVer before.
  const semverRange = aff([{ type: "SEMVER", events: [{ introduced: "1.0.0" }] }]);
  assert.equal(isAffected("maven", "1.0.0-sp1", semverRange), false);
  assert.equal(isAffected("maven", "1.0.0-sp1", aff([eco({ introduced: "1.0.0" })])), true);
});

test("isAffected: the versions list matches as written or as the ordering's equal", () => {
  const listed = aff([], ["1.0", "2.0.0"]);
  assert.equal(isAffected("pep440", "1.0", listed), true);
  assert.equal(isAffected("pep440", "1.0.0", listed), true);
  assert.equal(isAffected("pep440", "1.0.1", listed), false);
  assert.equal(isAffected("semver", "2.0.0", aff([], [])), false);
});

test("fixedBy: the fix ending the interval the version is in, null without one", () => {
  const pairs = aff([eco({ introduced: "1.0" }, { fixed: "1.5" }, { introduced: "2.0" }, { fixed: "2.3" })]);
  assert.equal(fixedBy("pep440", "1.2", pairs), "1.5");
  assert.equal(fixedBy("pep440", "2.1", pairs), "2.3");
  assert.equal(fixedBy("pep440", "1.7", pairs), null); // not affected
  assert.equal(fixedBy("pep440", "2.3", pairs), null); // the fix itself
  assert.equal(fixedBy("dpkg", "1.0-1", aff([eco({ introduced: "0" }, { fixed: "1:1.0-1" })])), "1:1.0-1");
  assert.equal(fixedBy("semver", "1.1.0", aff([eco({ introduced: "0" }, { last_affected: "1.2.0" })])), null);
  assert.equal(fixedBy("semver", "1.1.0", aff([eco({ introduced: "0" })])), null);
  // last_affected closes the interval: a later range's fix is not this version's.
  const later = aff([
    eco({ introduced: "0" }, { last_affected: "1.2" }, { introduced: "2.0" }, { fixed: "2.5" }),
  ]);
  assert.equal(fixedBy("pep440", "1.1", later), null);
  assert.equal(fixedBy("pep440", "2.1", later), "2.5");
  // Of two ranges holding the version, the higher fix: the lower one is still inside the other range.
  const overlapping = aff([
    eco({ introduced: "0" }, { fixed: "2.0.0" }),
    eco({ introduced: "1.5.0" }, { fixed: "3.0.0" }),
  ]);
  assert.equal(fixedBy("semver", "1.6.0", overlapping), "3.0.0");
  assert.equal(fixedBy("semver", "1.0.0", overlapping), "2.0.0");
  const unfixed = aff([eco({ introduced: "0" }, { fixed: "2.0.0" }), eco({ introduced: "1.5.0" })]);
  assert.equal(fixedBy("semver", "1.6.0", unfixed), null); // no version escapes the second range
  assert.equal(fixedBy("semver", "1.0.0", unfixed), "2.0.0");
});
