// One OSV record (https://ossf.github.io/osv-schema/) checked and reduced to what the scanner stores.
// Hand validation rather than a schema library: the messages name the field ("affected[2].ranges[0].type"),
// malformed decoration (a severity or reference entry) is dropped instead of losing the record, and the
// hot path of a 100,000-record import allocates little.
import type { OsvRange, Severity } from "../types.js";
import { ecosystemKey, packageKey } from "./ecosystem.js";
import { cvssSeverity, distributionSeverity, ratingTable, type CvssScore } from "./severity.js";

export interface ParsedAffected {
  /** As written ("Debian:12") and as matched ("debian:12"). */
  ecosystem: string;
  ecosystemKey: string;
  package: string;
  packageKey: string;
  /** ECOSYSTEM and SEMVER ranges only: GIT ranges name commits, which no image records. */
  ranges: OsvRange[];
  versions: string[];
  /** The distribution's own rating through the seed's table; null when there is none or it says Unknown. */
  severity: Severity | null;
}

export interface ParsedRecord {
  id: string;
  modified: Date;
  published: Date | null;
  summary: string;
  details: string;
  /** `aliases` and `upstream` together: distributions name the CVE a DSA/ALSA fixes under `upstream`. */
  aliases: string[];
  severity: Severity;
  cvss: CvssScore[];
  /** references[].url, deduplicated, the first advisory first. */
  links: string[];
  withdrawn: boolean;
  affected: ParsedAffected[];
}

export type ParseResult = { ok: true; record: ParsedRecord } | { ok: false; id?: string; reason: string };

class Invalid extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
// PostgreSQL refuses NUL in text and jsonb, and jsonb an unpaired surrogate ("\ud800" in the JSON): drop
// or replace them rather than fail a whole batch.
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const BAD = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BAD_ALL = new RegExp(BAD.source, "g"); // a separate /g: test() on a /g regex keeps state between calls
const clean = (s: string) => (BAD.test(s) ? s.replace(BAD_ALL, (c) => (c === "\u0000" ? "" : "\uFFFD")) : s);

function str(o: Obj, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new Invalid(`${where}${key}: expected a string`);
  return clean(v);
}

function strings(o: Obj, key: string, where: string): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw new Invalid(`${where}${key}: expected an array of strings`);
  return (v as string[]).map(clean);
}

/** OSV writes its own snake_case names; a protojson export writes them in camelCase. Accept both. */
const field = (o: Obj, snake: string, camel: string): unknown => o[snake] ?? o[camel];

const TIME = /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|z|[+-]\d{2}:?\d{2})?)?$/;

/** RFC 3339 as feeds write it: any number of fraction digits (kept to ms), a missing zone read as UTC. */
export function parseTime(s: string): Date | null {
  const m = TIME.exec(s.trim());
  if (!m) return null;
  const [, date, time = "00:00:00", frac = "", zone = "Z"] = m;
  const hms = time.length === 5 ? `${time}:00` : time;
  const ms = frac ? `.${frac.slice(1, 4).padEnd(3, "0")}` : "";
  const z = zone === "z" ? "Z" : /^[+-]\d{4}$/.test(zone) ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const d = new Date(`${date}T${hms}${ms}${z}`);
  return Number.isNaN(d.getTime()) ? null : d;
}

function time(o: Obj, key: string, required: boolean): Date | null {
  const v = str(o, key, "");
  if (v === undefined || v === "") {
    if (required) throw new Invalid(`${key}: missing`);
    return null;
  }
  const d = parseTime(v);
  if (!d) throw new Invalid(`${key}: not an RFC 3339 time: ${JSON.stringify(v.slice(0, 40))}`);
  return d;
}

/** `severity` entries ({type, score} strings); entries of another shape are dropped, not fatal. */
function severityEntries(v: unknown): { type: string; score: string }[] {
  if (!Array.isArray(v)) return [];
  return v.filter(
    (s): s is { type: string; score: string } =>
      isObj(s) && typeof s.type === "string" && typeof s.score === "string",
  );
}

const EVENT_KEYS: Record<string, keyof OsvRange["events"][number]> = {
  introduced: "introduced",
  fixed: "fixed",
  last_affected: "last_affected",
  lastAffected: "last_affected",
  limit: "limit",
};

function ranges(v: unknown, where: string): OsvRange[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Invalid(`${where}ranges: expected an array`);
  const kept: OsvRange[] = [];
  v.forEach((r, i) => {
    const at = `${where}ranges[${i}]`;
    if (!isObj(r)) throw new Invalid(`${at}: expected an object`);
    const type = r.type;
    if (type !== "ECOSYSTEM" && type !== "SEMVER" && type !== "GIT")
      throw new Invalid(`${at}.type: expected ECOSYSTEM, SEMVER or GIT`);
    if (!Array.isArray(r.events)) throw new Invalid(`${at}.events: expected an array`);
    const events = r.events.map((e, j) => {
      if (!isObj(e)) throw new Invalid(`${at}.events[${j}]: expected an object`);
      const keys = Object.keys(e).filter((k) => Object.hasOwn(EVENT_KEYS, k));
      const key = keys[0];
      if (keys.length !== 1 || key === undefined || typeof e[key] !== "string")
        throw new Invalid(`${at}.events[${j}]: expected one of introduced, fixed, last_affected, limit`);
      return { [EVENT_KEYS[key]!]: clean(e[key] as string) };
    });
    if (type !== "GIT" && events.length) kept.push({ type, events });
  });
  return kept;
}

// Red Hat's synopsis, which Alma (ALSA summaries) and Rocky (Apollo's OSV summaries) carry over.
const RED_HAT_SYNOPSIS = /^(Low|Moderate|Important|Critical):\s/;

/** Where OSV records put a distribution's own rating, by the table the ecosystem uses (severity.ts). */
function ratingOf(table: string, entry: Obj, rec: Obj): string | undefined {
  const eco = field(entry, "ecosystem_specific", "ecosystemSpecific");
  const db = field(entry, "database_specific", "databaseSpecific");
  const recDb = field(rec, "database_specific", "databaseSpecific");
  const at = (o: unknown, k: string) => (isObj(o) && typeof o[k] === "string" ? (o[k] as string) : undefined);
  const typed = (v: unknown, type: string) => severityEntries(v).find((s) => s.type === type)?.score;
  switch (table) {
    case "ubuntu":
      // Canonical's records: affected[].ecosystem_specific.ubuntu_priority (seen in UBUNTU-CVE-2024-6387);
      // the schema's own "Ubuntu" severity type, per package or per record.
      return at(eco, "ubuntu_priority") ?? typed(entry.severity, "Ubuntu") ?? typed(rec.severity, "Ubuntu");
    case "debian":
      // OSV's DEBIAN-CVE converter writes the tracker's urgency per release into ecosystem_specific;
      // DSA/DLA records carry none.
      return at(eco, "urgency") ?? at(db, "urgency") ?? at(recDb, "urgency");
    default: {
      // Red Hat family and others: no OSV record seen carries a field; accept the obvious ones, then the
      // synopsis prefix ("Important: openssl security update").
      const own = at(eco, "severity") ?? at(db, "severity") ?? at(recDb, "severity");
      if (own || table !== "rhel") return own;
      return typeof rec.summary === "string" ? RED_HAT_SYNOPSIS.exec(rec.summary)?.[1] : undefined;
    }
  }
}

function affected(rec: Obj): ParsedAffected[] {
  const v = rec.affected;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Invalid("affected: expected an array");
  const out: ParsedAffected[] = [];
  v.forEach((a, i) => {
    const where = `affected[${i}].`;
    if (!isObj(a)) throw new Invalid(`affected[${i}]: expected an object`);
    // Entries without a package describe a repository (GIT ranges only): nothing an image holds.
    if (a.package === undefined || a.package === null) return;
    if (!isObj(a.package)) throw new Invalid(`${where}package: expected an object`);
    const ecosystem = str(a.package, "ecosystem", `${where}package.`);
    const name = str(a.package, "name", `${where}package.`);
    if (!ecosystem || !name) throw new Invalid(`${where}package: ecosystem and name are required`);
    const kept = ranges(a.ranges, where);
    const versions = strings(a, "versions", where);
    if (!kept.length && !versions.length) return; // GIT-only: no version an image records can match
    const key = ecosystemKey(ecosystem);
    const table = ratingTable(key);
    const rating = table ? ratingOf(table, a, rec) : undefined;
    const mapped = rating ? distributionSeverity(key, rating) : null;
    out.push({
      ecosystem,
      ecosystemKey: key,
      package: name,
      packageKey: packageKey(key, name),
      ranges: kept,
      versions,
      // "Unknown" says nothing the record's CVSS could not say better: leave the field to it.
      severity: mapped === "Unknown" ? null : mapped,
    });
  });
  return out;
}

function links(rec: Obj): string[] {
  const refs = Array.isArray(rec.references) ? rec.references : [];
  const urls: { type: string; url: string }[] = [];
  for (const r of refs) {
    if (isObj(r) && typeof r.url === "string" && r.url)
      urls.push({ type: typeof r.type === "string" ? r.type : "", url: clean(r.url) });
  }
  // Go's records have no ADVISORY reference; their database_specific.url is the advisory page.
  const dbUrl = field(rec, "database_specific", "databaseSpecific");
  const advisory =
    urls.find((u) => u.type === "ADVISORY")?.url ??
    (isObj(dbUrl) && typeof dbUrl.url === "string" ? clean(dbUrl.url) : undefined);
  const out = new Set<string>(advisory ? [advisory] : []);
  for (const u of urls) out.add(u.url);
  return [...out];
}

/** Checks one OSV record and reduces it; a malformed one comes back with the reason (and its id if any). */
export function parseOsv(value: unknown): ParseResult {
  if (!isObj(value)) return { ok: false, reason: "not a JSON object" };
  const rawId = value.id;
  const id = typeof rawId === "string" ? rawId.trim() : "";
  if (!id) return { ok: false, reason: "id: missing or not a string" };
  // eslint-disable-next-line no-control-regex -- control characters are what makes an id malformed
  if (id.length > 255 || /[\u0000-\u001f]/.test(id))
    return { ok: false, id: id.slice(0, 255), reason: "id: malformed" };
  try {
    const withdrawnAt = value.withdrawn;
    if (typeof withdrawnAt === "string" && withdrawnAt.trim()) {
      // A withdrawn record is only deleted: its body need not be valid.
      const modified = parseTime(typeof value.modified === "string" ? value.modified : "") ?? new Date(0);
      return { ok: true, record: { ...EMPTY, id, modified, withdrawn: true } };
    }
    const modified = time(value, "modified", true)!;
    const published = time(value, "published", false);
    const own = new Set([id]);
    const aliases = [
      ...new Set([...strings(value, "aliases", ""), ...strings(value, "upstream", "")]),
    ].filter((a) => !own.has(a));
    const entries = severityEntries(value.severity);
    const affectedList = affected(value);
    // Per-package CVSS (affected[].severity) only when the record has none of its own.
    const scored = entries.some((s) => s.type.startsWith("CVSS_"))
      ? entries
      : (Array.isArray(value.affected) ? value.affected : []).flatMap((a) =>
          isObj(a) ? severityEntries(a.severity) : [],
        );
    const { severity, cvss } = cvssSeverity(scored);
    return {
      ok: true,
      record: {
        id,
        modified,
        published,
        summary: str(value, "summary", "") ?? "",
        details: str(value, "details", "") ?? "",
        aliases,
        severity,
        cvss,
        links: links(value),
        withdrawn: false,
        affected: affectedList,
      },
    };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, id, reason: e.message };
    throw e;
  }
}

const EMPTY: Omit<ParsedRecord, "id" | "modified" | "withdrawn"> = {
  published: null,
  summary: "",
  details: "",
  aliases: [],
  severity: "Unknown",
  cvss: [],
  links: [],
  affected: [],
};
