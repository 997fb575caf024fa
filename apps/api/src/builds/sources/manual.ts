// "Run trigger now": metadata for a build the user starts by hand. Resolving a branch or tag to a commit
// needs the hosted service's API, so that is the caller's part (determineBuildRef says which ref, as Quay's
// triggerutil.determine_build_ref); this module turns the answer, or a custom-git commit SHA, into metadata.
import { HEX_COMMIT } from "./common.js";
import type { TaggableMetadata } from "./tagging.js";

export class ManualRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ManualRunError";
  }
}

export interface ManualRunInput {
  commitSha?: string;
  branchName?: string;
  tagName?: string;
  refs?: { kind: "branch" | "tag"; name: string };
}

/** A manual run's metadata: `ref` is absent when only a commit was named (Quay tags it by short SHA). */
export type ManualMetadata = TaggableMetadata;

// git check-ref-format's forbidden characters, plus whitespace and controls.
// eslint-disable-next-line no-control-regex
const BAD_REF_CHARS = /[\s\u0000-\u001f\u007f~^:?*[\\]/;

function checkName(name: string): string {
  if (name === "" || BAD_REF_CHARS.test(name) || name.startsWith("-") || name.includes("..")) {
    throw new ManualRunError(`Invalid branch or tag name "${name}"`);
  }
  return name;
}

/** The ref the user asked for: refs, else branchName, else tagName; undefined when none was given. */
export function requestedRef(input: ManualRunInput): string | undefined {
  if (input.refs) {
    if (input.refs.kind !== "branch" && input.refs.kind !== "tag")
      throw new ManualRunError("refs.kind must be branch or tag");
    return (input.refs.kind === "tag" ? "refs/tags/" : "refs/heads/") + checkName(input.refs.name);
  }
  if (input.branchName !== undefined) return "refs/heads/" + checkName(input.branchName);
  if (input.tagName !== undefined) return "refs/tags/" + checkName(input.tagName);
  return undefined;
}

/** Quay's determine_build_ref for hosted services: the requested ref, else the default branch (or master). */
export function determineBuildRef(input: ManualRunInput, defaultBranch?: string): string {
  return requestedRef(input) ?? "refs/heads/" + checkName(defaultBranch || "master");
}

/** { commit, ref?, default_branch? } for a manual run; the commit is required (custom git cannot look it up). */
export function manualMetadata(input: ManualRunInput, defaultBranch?: string): ManualMetadata {
  const commit = input.commitSha?.trim();
  if (!commit) throw new ManualRunError("missing required parameter commit_sha");
  if (!HEX_COMMIT.test(commit)) throw new ManualRunError("commit_sha must be 7 to 64 hexadecimal characters");
  const ref = requestedRef(input);
  return {
    commit,
    ...(ref !== undefined ? { ref } : {}),
    ...(defaultBranch ? { default_branch: defaultBranch } : {}),
  };
}
