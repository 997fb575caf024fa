// Security scanning: whether it is on, the summaries' severities in order, a manifest's report (polled while
// the scan is queued) and the polling the Tags view does until no visible tag is queued any more.
import { useEffect, useRef } from "react";
import { useQuery } from "urql";
import { ManifestSecurityDocument, SecuritySummaryFields, type ResultOf } from "@hm/schema";
import { useSystem } from "./useSystem";

export type SecuritySummary = ResultOf<typeof SecuritySummaryFields>;
export type SecurityReport = NonNullable<
  ResultOf<typeof ManifestSecurityDocument>["repository"]["manifestSecurity"]
>;
export type SecurityVulnerability = SecurityReport["vulnerabilities"][number];
export type SecurityPackage = SecurityReport["packages"][number];

/** Highest first, as the scanner names them. */
export const SEVERITIES = ["Critical", "High", "Medium", "Low", "Negligible", "Unknown"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** How often a view asks again while a scan is queued. */
export const POLL_MS = 3000;

/** FEATURE_SECURITY_SCANNER: the Security column and the tag page's tabs exist only with it. */
export function useSecurityScanner(): boolean {
  return !!useSystem().system?.features.securityScanner;
}

/** The summary's non-zero counts, highest severity first. */
export function severityCounts(s: SecuritySummary): { severity: Severity; count: number }[] {
  return SEVERITIES.map((severity) => ({
    severity,
    count: s.counts[severity.toLowerCase() as keyof SecuritySummary["counts"]],
  })).filter((c) => c.count > 0);
}

/** A package's vulnerabilities by severity, highest first (the Packages tab). */
export function packageSeverities(vulnerabilities: { severity: string }[]) {
  return SEVERITIES.map((severity) => ({
    severity,
    count: vulnerabilities.filter((v) => v.severity === severity).length,
  })).filter((c) => c.count > 0);
}

/** Calls `refetch` every `ms` while `active`; stops as soon as it is not. */
export function usePolling(active: boolean, refetch: () => void, ms = POLL_MS) {
  const latest = useRef(refetch);
  latest.current = refetch;
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => latest.current(), ms);
    return () => clearInterval(t);
  }, [active, ms]);
}

/**
 * A manifest's report with the Security Report's filters, asked again while it is queued. While a new filter
 * is on its way the previous answer stays on screen (so the table does not flash to a spinner per keystroke).
 */
export function useManifestSecurity(
  variables: {
    namespace: string;
    name: string;
    digest: string;
    filter?: string | null;
    onlyFixable?: boolean;
  },
  pause = false,
) {
  const [result, refetch] = useQuery({ query: ManifestSecurityDocument, variables, pause });
  const kept = useRef<{ digest: string; report: SecurityReport | null } | null>(null);
  const current = result.data?.repository.manifestSecurity;
  if (result.data && !result.stale) kept.current = { digest: variables.digest, report: current ?? null };
  const report =
    result.data !== undefined
      ? (current ?? null)
      : kept.current?.digest === variables.digest
        ? kept.current.report
        : undefined;
  usePolling(!pause && report?.status === "queued", () => refetch({ requestPolicy: "network-only" }));
  return { result, report, refetch: () => refetch({ requestPolicy: "network-only" }) };
}
