// What the doors read about scans: a summary per manifest digest (the Tags view, in one query for a page of
// tags) and a manifest's full report (the tag page, Quay's security endpoint).
import type pg from "pg";
import type { Principal } from "../access/principal.js";
import type { RepositoryService } from "../content/repositories.js";
import type { Db } from "../infra/database.js";
import { notFound } from "../common/errors.js";
import { ecosystemKeys } from "./matcher.js";
import { SEVERITIES, type Distribution, type ImagePackage, type Severity } from "./types.js";
import type { ScanStatus } from "./service.js";

export interface SecuritySummary {
  digest: string;
  status: ScanStatus;
  reason: string | null;
  /** Distinct vulnerabilities by their highest severity in the image. */
  counts: Record<Severity, number>;
  total: number;
  /** Distinct vulnerabilities with a fixed version for at least one package they affect. */
  fixable: number;
  highest: Severity | null;
}

export interface ReportVulnerability {
  id: string;
  severity: Severity;
  summary: string;
  description: string;
  link: string | null;
  links: string[];
  fixedBy: string | null;
  aliases: string[];
  /** The record's CVSS entries: [{ type, vector, score }]. */
  cvss: unknown;
  /** The package it affects (index into the report's packages). */
  packageIndex: number;
}

export interface ReportPackage extends ImagePackage {
  index: number;
  /** The OSV ecosystem it is matched under ("debian:12", "npm"), if any. */
  namespace: string | null;
  vulnerabilities: ReportVulnerability[];
}

export interface SecurityReport {
  digest: string;
  status: ScanStatus;
  reason: string | null;
  distribution: Distribution | null;
  warnings: string[];
  scannedAt: Date | null;
  matchedAt: Date | null;
  packages: ReportPackage[];
}

const SUMMARY = `
  WITH per AS (
    SELECT v.digest, v."vulnerabilityId",
      max(array_position($2::text[], v.severity)) AS rank, bool_or(v."fixedBy" IS NOT NULL) AS fixable
    FROM "ManifestVulnerability" v WHERE v.digest = ANY($1::text[])
    GROUP BY v.digest, v."vulnerabilityId"
  )
  SELECT s.digest, s.status, s.reason,
    coalesce((SELECT jsonb_object_agg(rank, n) FROM (
      SELECT rank, count(*) AS n FROM per WHERE per.digest = s.digest GROUP BY rank) c), '{}') AS counts,
    (SELECT count(*) FROM per WHERE per.digest = s.digest AND per.fixable)::int AS fixable
  FROM "ManifestSecurity" s WHERE s.digest = ANY($1::text[])`;

const emptyCounts = () => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;

export class ScanReports {
  constructor(
    private readonly db: Db,
    private readonly pool: pg.Pool,
    private readonly repos: Pick<RepositoryService, "require">,
    /** FEATURE_SECURITY_SCANNER: without it nothing is queued, and nothing is reported as queued. */
    readonly enabled: boolean,
  ) {}

  /** Summaries by digest; a digest the scanner has not reached yet is "queued" (while scanning is on). */
  async summaries(digests: readonly string[]): Promise<Map<string, SecuritySummary>> {
    const out = new Map<string, SecuritySummary>();
    if (!digests.length) return out;
    const r = await this.pool.query<{
      digest: string;
      status: ScanStatus;
      reason: string | null;
      counts: Record<string, number>;
      fixable: number;
    }>({ name: "hm_scan_summaries", text: SUMMARY, values: [digests, SEVERITIES] });
    for (const row of r.rows) {
      const counts = emptyCounts();
      let total = 0;
      let highest: Severity | null = null;
      for (const [rank, n] of Object.entries(row.counts)) {
        const sev = SEVERITIES[Number(rank) - 1] ?? "Unknown";
        counts[sev] += Number(n);
        total += Number(n);
        if (highest === null || SEVERITIES.indexOf(sev) > SEVERITIES.indexOf(highest)) highest = sev;
      }
      out.set(row.digest, { ...row, counts, total, highest });
    }
    if (this.enabled)
      for (const d of digests)
        if (!out.has(d))
          out.set(d, {
            digest: d,
            status: "queued",
            reason: null,
            counts: emptyCounts(),
            total: 0,
            fixable: 0,
            highest: null,
          });
    return out;
  }

  /** A manifest's full report; the caller must be able to read a repository that holds the manifest. */
  async report(p: Principal, repository: string, digest: string): Promise<SecurityReport | null> {
    const repo = await this.repos.require(p, repository, "read");
    const m = await this.db.manifest.findUnique({
      where: { repositoryId_digest: { repositoryId: repo.id, digest } },
      select: { id: true },
    });
    if (!m) throw notFound(`Manifest ${digest}`);
    const s = await this.db.manifestSecurity.findUnique({
      where: { digest },
      include: { vulnerabilities: { include: { vulnerability: true } } },
    });
    if (!s) {
      if (!this.enabled) return null;
      return {
        digest,
        status: "queued",
        reason: null,
        distribution: null,
        warnings: [],
        scannedAt: null,
        matchedAt: null,
        packages: [],
      };
    }
    const distribution = (s.distribution ?? null) as Distribution | null;
    const packages: ReportPackage[] = ((s.packages ?? []) as unknown as ImagePackage[]).map((pkg, index) => ({
      ...pkg,
      index,
      namespace: ecosystemKeys(pkg.kind, distribution)[0] ?? null,
      vulnerabilities: [],
    }));
    for (const v of s.vulnerabilities) {
      const pkg = packages[v.packageIndex];
      if (!pkg) continue;
      pkg.vulnerabilities.push({
        id: v.vulnerabilityId,
        severity: (SEVERITIES as readonly string[]).includes(v.severity)
          ? (v.severity as Severity)
          : "Unknown",
        summary: v.vulnerability.summary,
        description: v.vulnerability.details || v.vulnerability.summary,
        link: v.vulnerability.links[0] ?? null,
        links: v.vulnerability.links,
        fixedBy: v.fixedBy,
        aliases: v.vulnerability.aliases,
        cvss: v.vulnerability.cvss,
        packageIndex: v.packageIndex,
      });
    }
    const rank = (x: ReportVulnerability) => SEVERITIES.indexOf(x.severity);
    for (const pkg of packages)
      pkg.vulnerabilities.sort((a, b) => rank(b) - rank(a) || a.id.localeCompare(b.id));
    return {
      digest,
      status: s.status as ScanStatus,
      reason: s.reason,
      distribution,
      warnings: s.warnings,
      scannedAt: s.scannedAt,
      matchedAt: s.matchedAt,
      packages,
    };
  }
}
