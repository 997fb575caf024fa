// The rules that turn a parsed push into "do not build" (Quay's triggerutil.raise_if_skipped_build), in
// Quay's order: the branchtag_regex first, then the commit message.
import type { TriggerConfig, TriggerMetadata } from "../types.js";
import type { WebhookOutcome } from "./common.js";
import { refMatch } from "./regex.js";

/**
 * Quay's should_skip_commit: a plain substring test, so it is case-sensitive ("[Skip Build]" builds) and
 * the brackets are required.
 */
export const SKIP_MARKERS = ["[skip build]", "[build skip]"] as const;

export function skipRequested(message: string | undefined): boolean {
  return message !== undefined && SKIP_MARKERS.some((m) => message.includes(m));
}

export function applySkipRules(metadata: TriggerMetadata, config: TriggerConfig): WebhookOutcome {
  const pattern = config.branchtag_regex;
  // An empty pattern is treated as absent: Quay would compile it and then match nothing, which no one means.
  if (typeof pattern === "string" && pattern !== "") {
    const shown = metadata.ref.replace(/^refs\//, "");
    const r = refMatch(metadata.ref, pattern);
    // Quay compiles an unparseable stored pattern as ".*" (builds everything); validation at setup keeps
    // such patterns out, so this only concerns configs written by other means.
    if (r === "mismatch") return { kind: "skip", reason: `ref ${shown} does not match branchtag_regex` };
    if (r === "timeout") return { kind: "skip", reason: `branchtag_regex took too long on ref ${shown}` };
  }
  if (skipRequested(metadata.commit_info?.message)) {
    return { kind: "skip", reason: "commit message asks to skip the build ([skip build] or [build skip])" };
  }
  return { kind: "build", metadata };
}
