// Matches an image's packages against the imported vulnerability records: one indexed query for every
// (ecosystem, package) pair the image has, then each record's ranges evaluated with the ecosystem's own
// version ordering. Reads no layer: a feed import re-matches stored indexes with this alone.
import type pg from "pg";
import { packageKey } from "./feeds/ecosystem.js";
import { fixedBy, isAffected, schemeFor } from "./versions.js";
import {
  SEVERITIES,
  type AffectedVersions,
  type Distribution,
  type ImagePackage,
  type OsvRange,
  type Severity,
} from "./types.js";

export interface Match {
  packageIndex: number;
  vulnerabilityId: string;
  severity: Severity;
  fixedBy: string | null;
}

const LANGUAGE_ECOSYSTEM: Record<string, string> = {
  pypi: "pypi",
  npm: "npm",
  maven: "maven",
  go: "go",
  rubygems: "rubygems",
};

/** How OSV names the distributions whose rpm advisories it carries (the key before the major version). */
const RPM_DISTROS: Record<string, string> = {
  rocky: "rocky linux",
  almalinux: "almalinux",
  rhel: "red hat",
  ol: "oracle linux",
  amzn: "amazon linux",
  opensuse: "opensuse",
  "opensuse-leap": "opensuse",
  sles: "suse",
};

/**
 * The OSV ecosystem keys a package is matched under (ecosystem.ts's lower-case form), given the image's
 * distribution. OS packages without a known distribution match nothing: their versions mean nothing alone.
 */
export function ecosystemKeys(kind: ImagePackage["kind"], distro: Distribution | null): string[] {
  if (LANGUAGE_ECOSYSTEM[kind]) return [LANGUAGE_ECOSYSTEM[kind]];
  if (!distro) return [];
  const v = distro.versionId;
  const major = v.split(".")[0] ?? "";
  if (kind === "dpkg") {
    if (distro.id === "debian") return major ? [`debian:${major}`] : [];
    if (distro.id === "ubuntu") return v ? [`ubuntu:${v}`] : [];
    return [];
  }
  if (kind === "apk") {
    const minor = v.split(".").slice(0, 2).join(".");
    return distro.id === "alpine" && minor ? [`alpine:v${minor}`] : [];
  }
  if (kind === "rpm") {
    const name = RPM_DISTROS[distro.id];
    return name && major ? [`${name}:${major}`] : [];
  }
  return [];
}

/** The names an advisory may use for the package: distributions name source packages, most of the time. */
function namesOf(p: ImagePackage): string[] {
  const names = [p.name];
  if (p.source?.name && p.source.name !== p.name) names.push(p.source.name);
  return names;
}

/** Go binaries record versions with their "v"; OSV's Go ranges have none (stdlib's neither). */
const versionFor = (p: ImagePackage) => (p.kind === "go" ? p.version.replace(/^v/, "") : p.version);

interface AffectedRow {
  ecosystemKey: string;
  packageKey: string;
  ranges: OsvRange[];
  versions: string[];
  distroSeverity: string | null;
  id: string;
  severity: string;
}

const FIND = `
  SELECT a."ecosystemKey", a."packageKey", a.ranges, a.versions, a.severity AS "distroSeverity",
    v.id, v.severity
  FROM "VulnerabilityAffected" a JOIN "Vulnerability" v ON v.id = a."vulnerabilityId"
  WHERE (a."ecosystemKey", a."packageKey") IN (SELECT * FROM unnest($1::text[], $2::text[]))`;

const asSeverity = (s: string | null | undefined): Severity | null =>
  s && (SEVERITIES as readonly string[]).includes(s) ? (s as Severity) : null;

export class Matcher {
  constructor(private readonly pool: pg.Pool) {}

  async match(distro: Distribution | null, packages: ImagePackage[]): Promise<Match[]> {
    const wanted = new Map<string, { key: string; name: string }>();
    const lookups = packages.map((p) => {
      const keys = ecosystemKeys(p.kind, distro);
      const pairs = keys.flatMap((key) => namesOf(p).map((n) => ({ key, name: packageKey(key, n) })));
      for (const pair of pairs) wanted.set(`${pair.key}\0${pair.name}`, pair);
      return pairs;
    });
    if (!wanted.size) return [];
    const pairs = [...wanted.values()];
    const r = await this.pool.query<AffectedRow>({
      name: "hm_scan_affected",
      text: FIND,
      values: [pairs.map((p) => p.key), pairs.map((p) => p.name)],
    });
    const byPair = new Map<string, AffectedRow[]>();
    for (const row of r.rows) {
      const k = `${row.ecosystemKey}\0${row.packageKey}`;
      (byPair.get(k) ?? byPair.set(k, []).get(k)!).push(row);
    }
    const matches = new Map<string, Match>();
    packages.forEach((p, packageIndex) => {
      const version = versionFor(p);
      for (const pair of lookups[packageIndex]!) {
        const scheme = schemeFor(pair.key);
        if (!scheme) continue;
        for (const row of byPair.get(`${pair.key}\0${pair.name}`) ?? []) {
          const id = `${packageIndex}\0${row.id}`;
          if (matches.has(id)) continue;
          const affected: AffectedVersions = { ranges: row.ranges ?? [], versions: row.versions ?? [] };
          if (!isAffected(scheme, version, affected)) continue;
          matches.set(id, {
            packageIndex,
            vulnerabilityId: row.id,
            // The distribution's own rating wins over the record's CVSS (seed 004, Clair severity mapping).
            severity: asSeverity(row.distroSeverity) ?? asSeverity(row.severity) ?? "Unknown",
            fixedBy: fixedBy(scheme, version, affected),
          });
        }
      }
    });
    return [...matches.values()];
  }
}
