// A manifest's security report (Quay's secscan module) in Clair's shape: status, then data.Layer.Features[],
// each with its Vulnerabilities[] when `vulnerabilities=true`. Only with FEATURE_SECURITY_SCANNER, as in Quay.
import { z } from "zod";
import { parseDigest } from "@hm/oci";
import type { ReportPackage, ReportVulnerability, SecurityReport } from "../../scanning/reports.js";
import { SEVERITIES } from "../../scanning/types.js";
import { ApiError } from "../errors.js";
import { q, route, type Route } from "../route.js";

const Vulnerability = z.object({
  Name: z.string(),
  NamespaceName: z.string().nullable(),
  Description: z.string().nullable(),
  Link: z.string().nullable(),
  Severity: z.enum(SEVERITIES),
  FixedBy: z.string().nullable(),
  Metadata: z.object({
    UpdatedBy: z.string().nullable(),
    RepoName: z.string().nullable(),
    RepoLink: z.string().nullable(),
    DistroName: z.string().nullable(),
    DistroVersion: z.string().nullable(),
    NVD: z.object({ CVSSv3: z.object({ Vectors: z.string().nullable(), Score: z.number().nullable() }) }),
  }),
});

const Feature = z.object({
  Name: z.string(),
  VersionFormat: z.string(),
  NamespaceName: z.string(),
  AddedBy: z.string(),
  Version: z.string(),
  BaseScores: z.array(z.number()),
  CVEIds: z.array(z.string()),
  Vulnerabilities: z.array(Vulnerability).optional(),
});

const Report = z.object({
  status: z.enum(["scanned", "failed", "queued", "unsupported"]),
  data: z
    .object({
      Layer: z.object({
        Name: z.string(),
        ParentName: z.string(),
        NamespaceName: z.string(),
        IndexedByVersion: z.number().int().nullable(),
        Features: z.array(Feature),
      }),
    })
    .nullable(),
});

/** Clair's version formats are the package database's; language packages keep their ecosystem. */
const VERSION_FORMAT: Record<string, string> = { dpkg: "dpkg", apk: "apk", rpm: "rpm" };

function cvss3(v: ReportVulnerability): { Vectors: string | null; Score: number | null } {
  const list = Array.isArray(v.cvss) ? (v.cvss as { type?: string; vector?: string; score?: number }[]) : [];
  const e = list.find((c) => c.type === "CVSS_V3") ?? null;
  return { Vectors: e?.vector ?? null, Score: typeof e?.score === "number" ? e.score : null };
}

function feature(p: ReportPackage, report: SecurityReport, withVulnerabilities: boolean) {
  const d = report.distribution;
  const cves = [
    ...new Set(p.vulnerabilities.flatMap((v) => [v.id, ...v.aliases]).filter((id) => id.startsWith("CVE-"))),
  ];
  return {
    Name: p.name,
    VersionFormat: VERSION_FORMAT[p.kind] ?? p.kind,
    NamespaceName: p.namespace ?? "",
    AddedBy: p.addedBy,
    Version: p.version,
    BaseScores: p.vulnerabilities.map((v) => cvss3(v).Score).filter((s): s is number => s !== null),
    CVEIds: cves,
    ...(withVulnerabilities
      ? {
          Vulnerabilities: p.vulnerabilities.map((v) => ({
            Name: v.id,
            NamespaceName: p.namespace,
            Description: v.description,
            Link: v.links.join(" ") || null,
            Severity: v.severity,
            FixedBy: v.fixedBy,
            Metadata: {
              UpdatedBy: null,
              RepoName: null,
              RepoLink: null,
              DistroName: p.kind in VERSION_FORMAT ? (d?.prettyName ?? d?.id ?? null) : null,
              DistroVersion: p.kind in VERSION_FORMAT ? (d?.versionId ?? null) : null,
              NVD: { CVSSv3: cvss3(v) },
            },
          })),
        }
      : {}),
  };
}

export const securityRoutes: Route[] = [
  route({
    method: "get",
    path: "/repository/{repository}/manifest/{manifestref}/security",
    nickname: "getRepoManifestSecurity",
    tag: "secscan",
    description:
      "The manifest's packages and, with vulnerabilities=true, the vulnerabilities affecting each.",
    scope: "repo:read",
    query: { vulnerabilities: q.bool("Include vulnerabilities informations") },
    response: Report,
    async handler({ s, principal, params, query }) {
      if (!s.security.enabled) throw ApiError.notFound("Security scanning is not enabled");
      if (!parseDigest(params.manifestref!))
        throw ApiError.notFound(`Manifest ${params.manifestref} not found`);
      const r = await s.security.report(principal, params.repository!, params.manifestref!);
      if (!r || r.status !== "scanned") return { status: r?.status ?? "queued", data: null };
      return {
        status: r.status,
        data: {
          Layer: {
            Name: r.digest,
            ParentName: "",
            NamespaceName: "",
            IndexedByVersion: 4,
            Features: r.packages.map((p) => feature(p, r, query.vulnerabilities)),
          },
        },
      };
    },
  }),
];
