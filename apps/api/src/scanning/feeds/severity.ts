// Quay's (Clair's) severity levels from what a feed publishes, with the tables of seed 004 ("Clair
// severity mapping"): a record's CVSS vectors through the OSV tables, a distribution's own rating through
// that distribution's table.
import calc from "ae-cvss-calculator";
import type { Severity } from "../types.js";

// The package is CommonJS bundled by webpack: Node's ESM loader sees no named exports, only the default.
const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = calc;

export type CvssType = "CVSS_V2" | "CVSS_V3" | "CVSS_V4";

/** One CVSS vector of a record with its base score. */
export interface CvssScore {
  type: CvssType;
  vector: string;
  score: number;
}

/** The base score of a vector (OSV types CVSS_V2, CVSS_V3 for 3.0 and 3.1, CVSS_V4), or null when the
 *  vector is malformed or leaves a base metric out. The vector's own prefix decides the version. */
export function cvssBaseScore(osvType: string, vector: string): CvssScore | null {
  const v = vector.trim();
  try {
    if (v.startsWith("CVSS:4.0/")) {
      const c = new Cvss4P0(v);
      // CVSS-B: the score of the base metrics alone (threat/environmental metrics, if given, are not base).
      return c.isBaseFullyDefined() ? score("CVSS_V4", v, c.calculateScores().baseMetricsOnly) : null;
    }
    if (v.startsWith("CVSS:3.0/") || v.startsWith("CVSS:3.1/")) {
      const c = v.startsWith("CVSS:3.0/") ? new Cvss3P0(v) : new Cvss3P1(v);
      return c.isBaseFullyDefined() ? score("CVSS_V3", v, c.calculateScores().base) : null;
    }
    // v2 vectors have no mandatory prefix ("AV:N/AC:L/Au:N/C:P/I:P/A:P"); NVD sometimes wraps them in ().
    if (osvType === "CVSS_V2" || /(^|\/|\()AV:[LAN]\/AC:[HML]\/Au:[MSN]\//.test(v)) {
      const c = new Cvss2(v);
      return c.isBaseFullyDefined() ? score("CVSS_V2", v, c.calculateScores().base) : null;
    }
  } catch {
    // The calculator throws on unknown metrics or values ("AV:Q"): such a vector scores nothing.
  }
  return null;
}

const score = (type: CvssType, vector: string, s: number | undefined): CvssScore | null =>
  typeof s === "number" && Number.isFinite(s) ? { type, vector, score: s } : null;

/** Seed 004, OSV mapping, Table 1 (CVSSv3); used for CVSS v4 as well, which has no table of its own. */
export function severityFromV3Score(s: number): Severity {
  if (s <= 0) return "Negligible";
  if (s < 4) return "Low";
  if (s < 7) return "Medium";
  if (s < 9) return "High";
  return "Critical";
}

/** Seed 004, OSV mapping, Table 2 (CVSSv2): 0.0–3.9 Low, 4.0–6.9 Medium, 7.0–10 High. */
export function severityFromV2Score(s: number): Severity {
  if (s < 4) return "Low";
  if (s < 7) return "Medium";
  return "High";
}

const RANK: Record<CvssType, number> = { CVSS_V4: 3, CVSS_V3: 2, CVSS_V2: 1 };

/**
 * A record's level from its `severity` entries: the newest CVSS version present wins (v4, then v3, then v2),
 * and within it the highest base score (records may carry several vendors' vectors). Entries of other
 * types ("Ubuntu") and vectors that do not score are left out of `cvss`. No usable vector: Unknown.
 */
export function cvssSeverity(osvSeverity: { type: string; score: string }[]): {
  severity: Severity;
  cvss: CvssScore[];
} {
  const cvss: CvssScore[] = [];
  for (const s of osvSeverity) {
    if (!s.type.startsWith("CVSS_")) continue;
    const scored = cvssBaseScore(s.type, s.score);
    if (scored) cvss.push(scored);
  }
  let best: CvssScore | null = null;
  for (const c of cvss) {
    if (!best || RANK[c.type] > RANK[best.type] || (c.type === best.type && c.score > best.score)) best = c;
  }
  if (!best) return { severity: "Unknown", cvss };
  const severity =
    best.type === "CVSS_V2" ? severityFromV2Score(best.score) : severityFromV3Score(best.score);
  return { severity, cvss };
}

/**
 * Seed 004's per-distribution tables, keyed by the lower-cased rating. The seed's strings are the
 * databases' own spelling ("Moderate", "IMPORTANT"); OSV records carry them lower-cased ("low",
 * "unimportant"), so the lookup ignores case. `other` is a table's "*" row.
 */
interface Table {
  map: Record<string, Severity>;
  other?: Severity;
}
const RED_HAT: Table = {
  map: { none: "Unknown", low: "Low", moderate: "Medium", important: "High", critical: "Critical" },
};
const TABLES: Record<string, Table> = {
  // Alpine's secdb has no severities: everything is Unknown.
  alpine: { map: {}, other: "Unknown" },
  aws: { map: { low: "Low", medium: "Medium", important: "High", critical: "Critical" } },
  // Exactly as the seed's table reads, one level above the urgency's name (claircore's debian/severity.go
  // does the same); "not yet assigned", "end-of-life" and anything else fall to the "*" row.
  debian: { map: { unimportant: "Low", low: "Medium", medium: "High", high: "Critical" }, other: "Unknown" },
  oracle: {
    map: { "n/a": "Unknown", low: "Low", moderate: "Medium", important: "High", critical: "Critical" },
  },
  rhel: RED_HAT,
  suse: { map: { ...RED_HAT.map } },
  ubuntu: {
    map: {
      untriaged: "Unknown",
      negligible: "Negligible",
      low: "Low",
      medium: "Medium",
      high: "High",
      critical: "Critical",
    },
  },
};

/** Which table an ecosystem key (ecosystem.ts) uses, by its distribution part (before the first ":"). */
const FAMILY: Record<string, string> = {
  alpine: "alpine",
  "amazon linux": "aws",
  debian: "debian",
  "oracle linux": "oracle",
  // Rocky and Alma rebuild RHEL and publish Red Hat's ratings ("Important: openssl security update").
  "red hat": "rhel",
  "rocky linux": "rhel",
  almalinux: "rhel",
  suse: "suse",
  opensuse: "suse",
  ubuntu: "ubuntu",
};

/** The table name for an ecosystem key, or null when the seed has none for it (language ecosystems). */
export function ratingTable(ecosystemKey: string): string | null {
  const family = ecosystemKey.split(":")[0] ?? "";
  return Object.hasOwn(FAMILY, family) ? FAMILY[family]! : null;
}

/**
 * A distribution's own rating as Quay's level, by the seed's table for the ecosystem: null when the seed
 * has no table for the ecosystem, or the table has no row for the rating (and no "*" row).
 */
export function distributionSeverity(ecosystemKey: string, rating: string): Severity | null {
  const name = ratingTable(ecosystemKey);
  if (!name) return null;
  const table = TABLES[name]!;
  const key = rating.trim().toLowerCase();
  // Own keys only: a rating such as "constructor" must not find Object.prototype's.
  return (Object.hasOwn(table.map, key) ? table.map[key] : undefined) ?? table.other ?? null;
}
