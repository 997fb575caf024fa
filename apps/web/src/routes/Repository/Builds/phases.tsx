// A build's phase in words, colour and icon (Quay's buildman phases), and the helpers the builds views share:
// durations, the commit a trigger built, who or what started a build.
import type { ComponentType } from "react";
import { Label } from "@patternfly/react-core";
import {
  BanIcon,
  CheckCircleIcon,
  ExclamationCircleIcon,
  HourglassHalfIcon,
  InProgressIcon,
  OutlinedClockIcon,
} from "@patternfly/react-icons";
import { isTerminal, type Build } from "../../../hooks/builds";

type Color = "grey" | "blue" | "green" | "red" | "orange" | "purple";

interface PhaseInfo {
  label: string;
  color: Color;
  icon: ComponentType;
}

const PHASES: Record<string, PhaseInfo> = {
  waiting: { label: "Waiting", color: "grey", icon: OutlinedClockIcon },
  "build-scheduled": { label: "Scheduled", color: "grey", icon: HourglassHalfIcon },
  unpacking: { label: "Unpacking", color: "blue", icon: InProgressIcon },
  pulling: { label: "Pulling", color: "blue", icon: InProgressIcon },
  building: { label: "Building", color: "blue", icon: InProgressIcon },
  pushing: { label: "Pushing", color: "purple", icon: InProgressIcon },
  complete: { label: "Complete", color: "green", icon: CheckCircleIcon },
  error: { label: "Error", color: "red", icon: ExclamationCircleIcon },
  cancelled: { label: "Cancelled", color: "grey", icon: BanIcon },
  expired: { label: "Expired", color: "orange", icon: ExclamationCircleIcon },
  internalerror: { label: "Internal error", color: "red", icon: ExclamationCircleIcon },
};

export { isTerminal };

/** The phase's label, colour and icon; an unknown phase shows as itself. */
export function phaseInfo(phase: string): PhaseInfo {
  return PHASES[phase] ?? { label: phase, color: "grey", icon: InProgressIcon };
}

export function PhaseLabel({ phase, compact = true }: { phase: string; compact?: boolean }) {
  const { label, color, icon: Icon } = phaseInfo(phase);
  return (
    <Label isCompact={compact} color={color} icon={<Icon />} data-phase={phase}>
      {label}
    </Label>
  );
}

/** "1 h 2 min", "3 min 4 s", "5 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** From start to end (or to now while it runs); null before it started. */
export function buildDuration(
  b: Pick<Build, "startedAt" | "completedAt" | "createdAt" | "phase">,
): number | null {
  const from = b.startedAt ?? null;
  if (!from) return null;
  const to = b.completedAt ? new Date(b.completedAt).getTime() : isTerminal(b.phase) ? null : Date.now();
  return to === null ? null : to - new Date(from).getTime();
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" ? (v as Record<string, unknown>) : {};

/** The commit a trigger built: its short SHA and, if the source gave one, its URL. */
export function commitOf(
  b: Pick<Build, "commit" | "triggerMetadata">,
): { sha: string; url: string | null } | null {
  const meta = obj(b.triggerMetadata);
  const sha = b.commit ?? (typeof meta.commit === "string" ? meta.commit : null);
  if (!sha) return null;
  const url = obj(meta.commit_info).url;
  return { sha: sha.slice(0, 7), url: typeof url === "string" && url ? url : null };
}

/** The ref a trigger built, without "refs/" ("heads/main"), if any. */
export function refOf(b: Pick<Build, "triggerMetadata">): string | null {
  const ref = obj(b.triggerMetadata).ref;
  return typeof ref === "string" ? ref.replace(/^refs\//, "") : null;
}

/** Quay's trigger names: "Push to repository <source>" (custom git), "Push to GitHub repository <source>"… */
export function triggerName(t: { service: string; buildSource: string | null }): string {
  const where: Record<string, string> = {
    "custom-git": "repository",
    github: "GitHub repository",
    gitlab: "GitLab repository",
    bitbucket: "Bitbucket repository",
  };
  return `Push to ${where[t.service] ?? `${t.service} repository`} ${t.buildSource ?? ""}`.trim();
}

/** Why a trigger is disabled, in words. */
export function disabledReason(reason: string | null): string {
  switch (reason) {
    case "successive_build_failures":
      return "Disabled after successive build failures";
    case "successive_build_internal_errors":
      return "Disabled after successive internal errors";
    case "user_toggled":
    case null:
      return "Disabled by a repository administrator";
    default:
      return `Disabled (${reason.replace(/_/g, " ")})`;
  }
}
