// Each ecosystem's version ordering and OSV's range evaluation (https://ossf.github.io/osv-schema/#evaluation).
// The distributions' orderings are ports of their package managers (versions-os.ts), Maven's is a port of its
// ComparableVersion (below); npm and Go use `semver`, PyPI `@renovatebot/pep440`, RubyGems
// `@renovatebot/ruby-semver`. Nothing here throws on a malformed version: it is compared loosely instead, so
// one odd record cannot stop a scan.
import { compare as pep440Compare, valid as pep440Valid } from "@renovatebot/pep440";
import { eq as gemEq, gt as gemGt, valid as gemValid } from "@renovatebot/ruby-semver";
import semver from "semver";
import type { AffectedVersions, OsvRange, VersionScheme } from "./types.js";
import { compareApk, compareDpkg, compareRpm, rpmvercmp } from "./versions-os.js";

export { compareApk, compareDpkg, compareRpm } from "./versions-os.js";

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** For strings an ordering cannot parse: rpm's segment rule (numbers numerically, letters lexically). */
const looseCompare = (a: string, b: string) => rpmvercmp(a.trim().toLowerCase(), b.trim().toLowerCase());

// ---- semver (npm, Go) ------------------------------------------------------------------------------------

function toSemver(v: string): semver.SemVer | null {
  // Go's stdlib reports "go1.21.3", modules "v1.2.3"; pseudo-versions are plain pre-releases already.
  const s = v.trim().replace(/^(?:go|v|=)+(?=\d)/i, "");
  const parsed = semver.parse(s, { loose: true });
  if (parsed) return parsed;
  // "1.21", "1.21rc2": pad the missing numbers (loose parsing reads "1.21.0rc2" as a pre-release).
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$/.exec(s);
  if (!m || m[4]!.startsWith(".")) return null;
  return semver.parse(`${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}${m[4]}`, { loose: true });
}

/** SemVer 2.0 precedence (build metadata, e.g. Go's "+incompatible", ignored). */
export function compareSemver(a: string, b: string): number {
  const x = toSemver(a);
  const y = toSemver(b);
  return x && y ? x.compare(y) : looseCompare(a, b);
}

function comparePep440(a: string, b: string): number {
  if (pep440Valid(a) === null || pep440Valid(b) === null) return looseCompare(a, b);
  return sign(pep440Compare(a, b));
}

function compareGem(a: string, b: string): number {
  if (gemValid(a) === null || gemValid(b) === null) return looseCompare(a, b);
  return gemEq(a, b) ? 0 : gemGt(a, b) ? 1 : -1;
}

// ---- Maven -----------------------------------------------------------------------------------------------
// A port of maven-artifact's ComparableVersion (apache/maven master, compat/maven-artifact), tested against
// its ComparableVersionTest. Numbers are kept as digit strings without leading zeros: Maven's Int/Long/
// BigInteger items order exactly as their values do. Only ASCII digits count as digits.

type MItem =
  | { k: "int"; v: string }
  | { k: "str"; v: string }
  | { k: "combo"; s: string; d: string }
  | { k: "list"; items: MItem[] };

const QUALIFIERS = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_QUALIFIERS = ["ga", "final", "release"];
const RELEASE_INDEX = String(QUALIFIERS.indexOf(""));

function qualifier(value: string, followedByDigit: boolean): string {
  if (followedByDigit && value.length === 1)
    value = { a: "alpha", b: "beta", m: "milestone" }[value] ?? value;
  return value === "cr" ? "rc" : value;
}

function comparableQualifier(q: string): string {
  if (RELEASE_QUALIFIERS.includes(q)) return RELEASE_INDEX;
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

const digitsOf = (s: string) => s.replace(/^0+/, "") || "0";
const cmpNum = (a: string, b: string) => (a.length !== b.length ? sign(a.length - b.length) : cmpStr(a, b));
const isNull = (i: MItem) =>
  i.k === "int" ? i.v === "0" : i.k === "str" ? i.v === "" : i.k === "list" ? i.items.length === 0 : false;

function mcmp(a: MItem, b: MItem | null): number {
  switch (a.k) {
    case "int":
      if (!b) return a.v === "0" ? 0 : 1;
      return b.k === "int" ? cmpNum(a.v, b.v) : 1; // 1.1 > 1-sp, 1.1 > 1-1
    case "str":
      if (!b) return cmpStr(comparableQualifier(a.v), RELEASE_INDEX); // 1-rc < 1, 1-sp > 1
      if (b.k === "str") return cmpStr(comparableQualifier(a.v), comparableQualifier(b.v));
      if (b.k === "combo") return mcmp(a, { k: "str", v: b.s }) || -1;
      return -1;
    case "combo":
      if (!b) return mcmp({ k: "str", v: a.s }, null);
      if (b.k === "str") return mcmp({ k: "str", v: a.s }, b) || 1; // X1 > X
      if (b.k === "combo") return mcmp({ k: "str", v: a.s }, { k: "str", v: b.s }) || cmpNum(a.d, b.d);
      return -1;
    case "list": {
      if (!b) {
        for (const i of a.items) {
          const r = mcmp(i, null);
          if (r) return r;
        }
        return 0;
      }
      if (b.k === "int") return -1; // 1-1 < 1.0.x
      if (b.k !== "list") return 1; // 1-1 > 1-sp
      for (let n = 0; n < Math.max(a.items.length, b.items.length); n++) {
        const l = a.items[n];
        const r = b.items[n];
        const c = l ? mcmp(l, r ?? null) : r ? -mcmp(r, null) : 0;
        if (c) return c;
      }
      return 0;
    }
  }
}

function parseItem(combination: boolean, digit: boolean, buf: string): MItem {
  if (combination) {
    const s = buf.replace(/-/g, "");
    const at = Math.max(0, s.search(/[0-9]/));
    return {
      k: "combo",
      s: qualifier(s.slice(0, at), true),
      d: digitsOf(s.slice(at).replace(/[^0-9]/g, "")),
    };
  }
  return digit ? { k: "int", v: digitsOf(buf) } : { k: "str", v: qualifier(buf, false) };
}

function normalize(items: MItem[]) {
  for (let i = items.length - 1; i >= 0; i--) {
    if (!isNull(items[i]!)) continue;
    const next = items[i + 1];
    const head = next?.k === "list" ? next.items[0] : undefined;
    if (!next || next.k === "str" || head?.k === "combo" || head?.k === "str") items.splice(i, 1);
  }
}

/** ComparableVersion.parseVersion: "." and "-" separate, a digit/letter change too; "-" opens a sub-list. */
function parseMaven(version: string): MItem {
  // Newer Maven rejects versions over 256 characters; cutting them keeps the nesting (one level a "-") bounded.
  const v = version.slice(0, 256).toLowerCase();
  const root: MItem[] = [];
  const stack: MItem[][] = [root];
  let list = root;
  const sublist = () => {
    const items: MItem[] = [];
    list.push({ k: "list", items });
    stack.push(items);
    list = items;
  };
  let digit = false;
  let combination = false;
  let start = 0;
  const isDigitAt = (i: number) => v[i] !== undefined && v[i]! >= "0" && v[i]! <= "9";
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === ".") {
      list.push(i === start ? { k: "int", v: "0" } : parseItem(combination, digit, v.slice(start, i)));
      combination = false;
      start = i + 1;
    } else if (c === "-") {
      if (i === start) list.push({ k: "int", v: "0" });
      else {
        // X-1 is read as X1
        if (!digit && i !== v.length - 1 && isDigitAt(i + 1)) {
          combination = true;
          continue;
        }
        list.push(parseItem(combination, digit, v.slice(start, i)));
      }
      start = i + 1;
      if (list.length) sublist();
      combination = false;
    } else if (isDigitAt(i)) {
      if (!digit && i > start) {
        combination = true; // X1
        if (list.length) sublist();
      }
      digit = true;
    } else {
      if (digit && i > start) {
        list.push(parseItem(combination, true, v.slice(start, i)));
        start = i;
        sublist();
        combination = false;
      }
      digit = false;
    }
  }
  if (v.length > start) {
    if (!digit && list.length) sublist(); // 1.0.0.X1 < 1.0.0-X2: a trailing .X is read as -X
    list.push(parseItem(combination, digit, v.slice(start)));
  }
  while (stack.length) normalize(stack.pop()!);
  return { k: "list", items: root };
}

export const compareMaven = (a: string, b: string): number => mcmp(parseMaven(a), parseMaven(b));

// ---- dispatch --------------------------------------------------------------------------------------------

const COMPARATORS: Record<VersionScheme, (a: string, b: string) => number> = {
  dpkg: compareDpkg,
  apk: compareApk,
  rpm: compareRpm,
  semver: compareSemver,
  pep440: comparePep440,
  maven: compareMaven,
  rubygems: compareGem,
};

/** Negative, 0 or positive as a orders before, with or after b in the scheme's ordering. Never throws. */
export function compareVersions(scheme: VersionScheme, a: string, b: string): number {
  if (a === b) return 0;
  try {
    return sign(COMPARATORS[scheme](a, b));
  } catch {
    return sign(looseCompare(a, b)); // a library's surprise, not a reason to stop a scan
  }
}

/** The distributions OSV names (the ecosystem key before its ":"), by package manager. */
const SCHEMES: Record<string, VersionScheme> = {
  debian: "dpkg",
  ubuntu: "dpkg",
  alpine: "apk",
  wolfi: "apk",
  chainguard: "apk",
  "red hat": "rpm",
  "rocky linux": "rpm",
  almalinux: "rpm",
  "oracle linux": "rpm",
  "amazon linux": "rpm",
  opensuse: "rpm",
  suse: "rpm",
  mageia: "rpm",
  "photon os": "rpm",
  openeuler: "rpm",
  npm: "semver",
  go: "semver",
  pypi: "pep440",
  maven: "maven",
  rubygems: "rubygems",
};

/** The ordering for an OSV ecosystem key ("debian:12", "alpine:v3.19", "npm"), or null when unsupported. */
export function schemeFor(ecosystemKey: string): VersionScheme | null {
  const prefix = ecosystemKey.split(":")[0]!.trim().toLowerCase();
  return Object.hasOwn(SCHEMES, prefix) ? SCHEMES[prefix]! : null;
}

// ---- OSV ranges ------------------------------------------------------------------------------------------

type EventKind = "introduced" | "fixed" | "last_affected" | "limit";
const KINDS: EventKind[] = ["introduced", "fixed", "last_affected", "limit"];
interface RangeEvent {
  kind: EventKind;
  value: string;
}

/** "introduced: 0" is before every version, whatever the ordering says (limits take no part in the walk). */
const rank = (e: RangeEvent) => (e.kind === "introduced" && e.value === "0" ? -1 : 0);

function sortedEvents(cmp: (a: string, b: string) => number, range: OsvRange): RangeEvent[] {
  const events: RangeEvent[] = [];
  for (const e of range.events ?? [])
    for (const kind of KINDS) {
      const value = e?.[kind];
      if (typeof value === "string") events.push({ kind, value });
    }
  // A stable sort: events at one version keep the record's order.
  return events.sort((a, b) => rank(a) - rank(b) || (rank(a) ? 0 : cmp(a.value, b.value)));
}

/** One range, by the schema's walk: whether the version is in it and, if so, the fix that ends its interval. */
function evaluate(
  scheme: VersionScheme,
  version: string,
  range: OsvRange,
): { affected: boolean; fix: string | null } {
  // SEMVER ranges are SemVer 2.0 by definition, whatever the ecosystem.
  const s = range.type === "SEMVER" ? "semver" : scheme;
  const cmp = (a: string, b: string) => compareVersions(s, a, b);
  const events = sortedEvents(cmp, range);
  let affected = false;
  let last = -1;
  events.forEach((e, i) => {
    const c = e.kind === "introduced" && e.value === "0" ? 1 : cmp(version, e.value);
    if (
      (e.kind === "introduced" && c >= 0) ||
      (e.kind === "fixed" && c >= 0) ||
      (e.kind === "last_affected" && c > 0)
    ) {
      affected = e.kind === "introduced";
      last = i;
    }
  });
  const limits = events.filter((e) => e.kind === "limit");
  if (limits.length && !limits.some((e) => e.value === "*" || cmp(version, e.value) < 0)) affected = false;
  if (!affected) return { affected, fix: null };
  // The interval the version is in ends at the next fixed (exclusive) or last_affected (no fix yet) event.
  for (const e of events.slice(last + 1)) {
    if (e.kind === "fixed") return { affected, fix: e.value };
    if (e.kind === "last_affected") break;
  }
  return { affected, fix: null };
}

const rangesOf = (affected: AffectedVersions) =>
  (affected.ranges ?? []).filter((r) => r?.type === "ECOSYSTEM" || r?.type === "SEMVER");

/** Whether OSV's affected ranges or versions list include the version (GIT ranges are not evaluated). */
export function isAffected(scheme: VersionScheme, version: string, affected: AffectedVersions): boolean {
  if (rangesOf(affected).some((r) => evaluate(scheme, version, r).affected)) return true;
  // Listed versions match as written or as the ordering's equal ("1.0" and "1.0.0" are one PyPI version).
  return (affected.versions ?? []).some((v) => v === version || compareVersions(scheme, v, version) === 0);
}

/**
 * The version that fixes it: the fixed event ending the interval the version is in. Of several ranges that
 * include the version, the highest fix (a lower one is still inside another range); null when one of them has
 * no fix (last_affected, or open-ended), or the version is not in any.
 */
export function fixedBy(scheme: VersionScheme, version: string, affected: AffectedVersions): string | null {
  let best: string | null = null;
  for (const r of rangesOf(affected)) {
    const { affected: inRange, fix } = evaluate(scheme, version, r);
    if (!inRange) continue;
    if (fix === null) return null;
    if (best === null || compareVersions(scheme, fix, best) > 0) best = fix;
  }
  return best;
}
