// The shapes the builds capability's parts share: Quay's build phases, trigger metadata (what a commit
// tells a build), log lines, and the trigger configuration keys as Quay names them.

/** Quay's build phases (buildman's BUILD_PHASE), in the order a build normally goes through them. */
export const PHASES = [
  "waiting",
  "build-scheduled",
  "unpacking",
  "pulling",
  "building",
  "pushing",
  "complete",
  "error",
  "cancelled",
  "expired",
  "internalerror",
] as const;
export type Phase = (typeof PHASES)[number];

/** Phases a build never leaves. */
export const TERMINAL_PHASES: readonly Phase[] = [
  "complete",
  "error",
  "cancelled",
  "expired",
  "internalerror",
];
export const isTerminal = (p: string) => (TERMINAL_PHASES as readonly string[]).includes(p);

/** A person in a commit, as Quay's trigger metadata carries them. */
export interface CommitPerson {
  username: string;
  url?: string;
  avatar_url?: string;
}

/** Seed 001 §8.2.2: the commit's details (optional in a custom git webhook). */
export interface CommitInfo {
  url?: string;
  message?: string;
  date?: string;
  author?: CommitPerson;
  committer?: CommitPerson;
}

/** Quay's trigger_metadata: what a webhook or "Run trigger now" says about the commit to build. */
export interface TriggerMetadata {
  commit: string;
  ref: string;
  default_branch?: string;
  git_url?: string;
  commit_info?: CommitInfo;
}

/** One line of a build's log (Quay's log entry: type "phase", "command", "error" or plain ""). */
export interface LogLine {
  type: "phase" | "command" | "error" | "";
  message: string;
  data?: Record<string, unknown>;
}

/** A trigger's configuration, with Quay's key names (trigger.config). */
export interface TriggerConfig {
  /** custom-git: the git URL (ssh); GitHub/GitLab/Bitbucket: "owner/repo". */
  build_source?: string;
  /** Path of the Dockerfile from the root of the source, e.g. "/Dockerfile" or "/app/Dockerfile". */
  dockerfile_path?: string;
  /** The build context from the root of the source, e.g. "/" or "/app". */
  context?: string;
  /** Matched against the ref without "refs/" ("heads/main", "tags/v1"); absent: every branch and tag. */
  branchtag_regex?: string;
  /** Tag the image with the branch or tag name (default true). */
  default_tag_from_ref?: boolean;
  /** Add "latest" when the ref is the default branch (default true). */
  latest_for_default_branch?: boolean;
  /** Custom tags and templates (${commit_info.short_sha}, ${parsed_ref.branch}, ...). */
  tag_templates?: string[];
}

/** The trigger services (Quay's TRIGGER_SERVICES names). */
export const TRIGGER_SERVICES = ["custom-git", "github", "gitlab", "bitbucket"] as const;
export type TriggerService = (typeof TRIGGER_SERVICES)[number];
