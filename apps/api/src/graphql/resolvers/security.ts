// Security scanning in GraphQL: each tag's and each child manifest's summary (batched per page through a
// loader), and a manifest's report with the console's filters. The scanning services hold every rule.
import { Arg, Ctx, FieldResolver, Resolver, Root, type ClassType } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import type { SecurityReport as Report, SecuritySummary as Summary } from "../../scanning/reports.js";
import { SEVERITIES, type Severity } from "../../scanning/types.js";
import { Repository } from "../types/tenancy.js";
import { ChildManifest, Tag, TagDetails } from "../types/tags.js";
import {
  SecurityPackage,
  SecurityReport,
  SecuritySummary,
  SecurityVulnerability,
} from "../types/security.js";

export const toSummary = (s: Summary): SecuritySummary => ({
  ...s,
  counts: {
    critical: s.counts.Critical,
    high: s.counts.High,
    medium: s.counts.Medium,
    low: s.counts.Low,
    negligible: s.counts.Negligible,
    unknown: s.counts.Unknown,
  },
});

/** The summary and status fields, on every type that names a manifest by its digest. */
function summaryResolver<T extends object>(type: ClassType<T>, digestOf: (root: T) => string) {
  @Resolver(() => type)
  class SummaryResolver {
    @FieldResolver(() => SecuritySummary, {
      nullable: true,
      description: "The scanner's summary of the manifest; null when security scanning is off",
    })
    async security(@Root() root: T, @Ctx() ctx: GraphQLContext): Promise<SecuritySummary | null> {
      const s = await ctx.loaders.securitySummary.load(digestOf(root));
      return s && toSummary(s);
    }

    @FieldResolver(() => String, {
      nullable: true,
      description: "queued, scanned, failed or unsupported; null when security scanning is off",
    })
    async securityStatus(@Root() root: T, @Ctx() ctx: GraphQLContext): Promise<string | null> {
      return (await ctx.loaders.securitySummary.load(digestOf(root)))?.status ?? null;
    }
  }
  return SummaryResolver;
}

export const TagSecurityResolver = summaryResolver(Tag, (t) => t.manifestDigest);
export const TagDetailsSecurityResolver = summaryResolver(TagDetails, (t) => t.manifestDigest);
export const ChildSecurityResolver = summaryResolver(ChildManifest, (c) => c.digest);

function filtered(r: Report, filter: string | null, onlyFixable: boolean) {
  const text = filter?.trim().toLowerCase() ?? "";
  const vulnerabilities: SecurityVulnerability[] = [];
  const packages: SecurityPackage[] = [];
  for (const p of r.packages) {
    const vs = p.vulnerabilities
      .filter((v) => !onlyFixable || v.fixedBy)
      .map((v) => ({ ...v, packageName: p.name, packageVersion: p.version, packageKind: p.kind }));
    const hit = (v: SecurityVulnerability) =>
      !text || [v.id, v.summary, p.name, ...v.aliases].some((x) => x.toLowerCase().includes(text));
    const shown = vs.filter(hit);
    vulnerabilities.push(...shown);
    if ((!text || p.name.toLowerCase().includes(text) || shown.length) && (!onlyFixable || shown.length))
      packages.push({
        index: p.index,
        kind: p.kind,
        name: p.name,
        version: p.version,
        sourceName: p.source?.name ?? null,
        addedBy: p.addedBy,
        path: p.path,
        namespace: p.namespace,
        vulnerabilities: shown,
      });
  }
  const rank = (s: string) => SEVERITIES.indexOf(s as Severity);
  vulnerabilities.sort((a, b) => rank(b.severity) - rank(a.severity) || a.id.localeCompare(b.id));
  return { packages, vulnerabilities };
}

@Resolver(() => Repository)
export class RepositorySecurityResolver {
  @FieldResolver(() => SecurityReport, {
    nullable: true,
    description: "A manifest's security report; null when security scanning is off",
  })
  async manifestSecurity(
    @Root() r: Repository,
    @Arg("digest", () => String) digest: string,
    @Arg("filter", () => String, { nullable: true, description: "Advisory id, package or summary contains" })
    filter: string | null,
    @Arg("onlyFixable", () => Boolean, { nullable: true }) onlyFixable: boolean | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SecurityReport | null> {
    const report = await ctx.services.security.report(ctx.principal, r.fullName, digest);
    if (!report) return null;
    const summary = (await ctx.services.security.summaries([digest])).get(digest)!;
    const d = report.distribution;
    return {
      digest: report.digest,
      status: report.status,
      reason: report.reason,
      distribution: d && { id: d.id, versionId: d.versionId, prettyName: d.prettyName ?? null },
      warnings: report.warnings,
      scannedAt: report.scannedAt,
      summary: toSummary(summary),
      ...filtered(report, filter, onlyFixable ?? false),
    };
  }
}
