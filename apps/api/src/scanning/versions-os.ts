// The distributions' own version orderings, ported from their package managers so a scan orders versions
// exactly as apt, apk and dnf do: dpkg (lib/dpkg/version.c verrevcmp, deb-version(7)), apk-tools 3
// (src/version.c) and rpm (rpmio/rpmvercmp.cc and rpmverCmp for epoch:version-release). Each returns
// negative, 0 or positive and never throws: a malformed version still orders somehow.

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isAlpha = (c: string | undefined) =>
  c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));
const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Digit runs compared as numbers of any length: leading zeros dropped, then longer wins, then lexically. */
function cmpDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, "");
  const y = b.replace(/^0+/, "");
  return x.length !== y.length ? sign(x.length - y.length) : cmpStr(x, y);
}

// ---- dpkg ----------------------------------------------------------------------------------------------

/** dpkg's order(): "~" before the end of the string, the end before letters, letters before other marks. */
function dpkgOrder(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === "~") return -1;
  return c.charCodeAt(0) + 256;
}

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const d = dpkgOrder(a[i]) - dpkgOrder(b[j]);
      if (d) return sign(d);
      i++;
      j++;
    }
    let x = "";
    let y = "";
    while (isDigit(a[i])) x += a[i++];
    while (isDigit(b[j])) y += b[j++];
    const d = cmpDigits(x, y);
    if (d) return d;
  }
  return 0;
}

function parseDpkg(v: string): { epoch: string; upstream: string; revision: string } {
  let s = v.trim();
  let epoch = "0";
  const colon = s.indexOf(":");
  if (colon >= 0) {
    epoch = s.slice(0, colon);
    s = s.slice(colon + 1);
  }
  const hyphen = s.lastIndexOf("-");
  if (hyphen < 0) return { epoch, upstream: s, revision: "" };
  return { epoch, upstream: s.slice(0, hyphen), revision: s.slice(hyphen + 1) };
}

/** Debian's ordering: epoch (a number), then upstream version, then Debian revision ("1.0-" = "1.0" = "1.0-0"). */
export function compareDpkg(a: string, b: string): number {
  const x = parseDpkg(a);
  const y = parseDpkg(b);
  // An epoch that is not a number (invalid per deb-version) still compares, as a version string.
  const epochs =
    /^\d+$/.test(x.epoch) && /^\d+$/.test(y.epoch)
      ? cmpDigits(x.epoch, y.epoch)
      : verrevcmp(x.epoch, y.epoch);
  return epochs || verrevcmp(x.upstream, y.upstream) || verrevcmp(x.revision, y.revision);
}

// ---- rpm -----------------------------------------------------------------------------------------------

const isAlnum = (c: string | undefined) => isDigit(c) || isAlpha(c);

/** rpmvercmp: alternating digit and letter segments, other marks only separate, "~" sorts before all, "^" after
 *  the base version but before anything else appended to it (rpm 4.15). */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== "~" && a[i] !== "^") i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== "~" && b[j] !== "^") j++;
    if (a[i] === "~" || b[j] === "~") {
      if (a[i] !== "~") return 1;
      if (b[j] !== "~") return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === "^" || b[j] === "^") {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== "^") return 1;
      if (b[j] !== "^") return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const num = isDigit(a[i]);
    const take = num ? isDigit : isAlpha;
    let x = "";
    let y = "";
    while (i < a.length && take(a[i])) x += a[i++];
    while (j < b.length && take(b[j])) y += b[j++];
    // Segments of different kinds: the numeric one is newer.
    if (!y) return num ? 1 : -1;
    const d = num ? cmpDigits(x, y) : cmpStr(x, y);
    if (d) return d;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

function parseRpm(v: string): { epoch: string; version: string; release: string | null } {
  let s = v.trim();
  let epoch = "0";
  const m = /^(\d*):/.exec(s);
  if (m) {
    epoch = m[1] || "0";
    s = s.slice(m[0].length);
  }
  const hyphen = s.lastIndexOf("-");
  if (hyphen < 0) return { epoch, version: s, release: null };
  return { epoch, version: s.slice(0, hyphen), release: s.slice(hyphen + 1) };
}

/** rpm's [epoch:]version[-release]; a missing epoch is 0, a release missing on either side is not compared. */
export function compareRpm(a: string, b: string): number {
  const x = parseRpm(a);
  const y = parseRpm(b);
  const d = rpmvercmp(x.epoch, y.epoch) || rpmvercmp(x.version, y.version);
  if (d || x.release === null || y.release === null) return d;
  return rpmvercmp(x.release, y.release);
}

// ---- apk -----------------------------------------------------------------------------------------------

// Token kinds in the order apk-tools gives them: a later kind may follow an earlier one, not the reverse.
const T_INITIAL = 0;
const T_DIGIT = 1;
const T_LETTER = 2;
const T_SUFFIX = 3;
const T_SUFFIX_NO = 4;
const T_HASH = 5;
const T_REVISION = 6;
const T_END = 7;
const T_INVALID = 8;

// Suffix ranks: before the release (alpha..rc), the release itself (NONE), after it (cvs..p).
const SUFFIXES = ["alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p"];
const SUFFIX_NONE = SUFFIXES.indexOf("");

interface ApkToken {
  token: number;
  value: string;
  number: bigint;
  suffix: number;
}

class ApkTokens {
  pos = 0;
  t: ApkToken = { token: T_INITIAL, value: "", number: 0n, suffix: -1 };
  constructor(private readonly s: string) {
    this.digits();
  }

  private digits() {
    const start = this.pos;
    while (isDigit(this.s[this.pos])) this.pos++;
    this.t.value = this.s.slice(start, this.pos);
    this.t.number = this.t.value ? BigInt(this.t.value) : 0n;
    if (!this.t.value) this.t.token = T_INVALID;
  }

  private span(ok: (c: string | undefined) => boolean) {
    const start = this.pos;
    while (this.pos < this.s.length && ok(this.s[this.pos])) this.pos++;
    this.t.value = this.s.slice(start, this.pos);
  }

  private fail() {
    this.t.token = T_INVALID;
  }

  next(): void {
    const t = this.t;
    const c = this.s[this.pos];
    if (c === undefined) {
      t.token = T_END;
    } else if (c >= "a" && c <= "z") {
      if (t.token > T_DIGIT) return this.fail();
      t.value = c;
      t.token = T_LETTER;
      this.pos++;
    } else if (c === "." || isDigit(c)) {
      if (c === ".") {
        if (t.token > T_DIGIT) return this.fail();
        this.pos++;
      }
      if (t.token === T_INITIAL || t.token === T_DIGIT) t.token = T_DIGIT;
      else if (t.token === T_SUFFIX) t.token = T_SUFFIX_NO;
      else return this.fail();
      this.digits();
    } else if (c === "_") {
      if (t.token > T_SUFFIX_NO) return this.fail();
      this.pos++;
      this.span((x) => x !== undefined && x >= "a" && x <= "z");
      t.suffix = t.value ? SUFFIXES.indexOf(t.value) : -1;
      t.token = t.suffix < 0 ? T_INVALID : T_SUFFIX;
    } else if (c === "~") {
      if (t.token >= T_HASH) return this.fail();
      this.pos++;
      this.span((x) => isDigit(x) || (x !== undefined && x >= "a" && x <= "f"));
      t.token = t.value ? T_HASH : T_INVALID;
    } else if (c === "-") {
      if (t.token >= T_REVISION || this.s[this.pos + 1] !== "r") return this.fail();
      this.pos += 2;
      t.token = T_REVISION;
      this.digits();
    } else {
      this.fail();
    }
  }
}

function apkTokenCmp(a: ApkToken, b: ApkToken): number {
  switch (a.token) {
    case T_DIGIT:
      // A leading zero makes it a string comparison, as in Gentoo's rules (1.02 < 1.1).
      if (a.value[0] === "0" || b.value[0] === "0") return cmpStr(a.value, b.value);
      return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
    case T_INITIAL:
    case T_SUFFIX_NO:
    case T_REVISION:
      return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
    case T_LETTER:
      return cmpStr(a.value, b.value);
    case T_SUFFIX:
      return sign(a.suffix - b.suffix);
    default:
      return cmpStr(a.value, b.value);
  }
}

/** Alpine's ordering (apk-tools 3, apk_version_compare). */
export function compareApk(a: string, b: string): number {
  const x = new ApkTokens(a.trim());
  const y = new ApkTokens(b.trim());
  for (; x.t.token === y.t.token && x.t.token < T_END; x.next(), y.next()) {
    const r = apkTokenCmp(x.t, y.t);
    if (r) return r;
  }
  const at = x.t.token;
  const bt = y.t.token;
  if (at === bt) {
    // apk calls two versions equal once both turn invalid at the same place; for matching, the rest decides.
    return at === T_INVALID ? cmpStr(a.slice(x.pos), b.slice(y.pos)) : 0;
  }
  // Same so far: the longer one is newer, unless what it has next is a pre-release suffix.
  if (at === T_SUFFIX && x.t.suffix < SUFFIX_NONE) return -1;
  if (bt === T_SUFFIX && y.t.suffix < SUFFIX_NONE) return 1;
  return at > bt ? -1 : 1;
}
