// The executor's contract with a build worker: what one build is (BuildJob), what it yields (BuildOutcome)
// and how it fails (BuildFailure, whose kind maps onto Quay's terminal phases).
import type { LogLine } from "../types.js";

export type BuildSource =
  /** An uploaded file: a lone Dockerfile, a tar, a gzip-compressed tar or a zip (told apart by content). */
  | { kind: "file"; path: string }
  /** An http(s) URL to a Dockerfile or an archive: downloaded, then handled like "file". */
  | { kind: "url"; url: string }
  /** A git repository (ssh, http(s), file or a local path), checked out at `commit`. */
  | { kind: "git"; url: string; commit: string; privateKey?: string; ref?: string };

export interface RegistryCreds {
  /** A registry host ("127.0.0.1:8080"), or host/namespace[/repo] for narrower credentials. */
  registry: string;
  username: string;
  password: string;
}

export type ExecutorPhase = "unpacking" | "pulling" | "building" | "pushing";

export interface BuildJob {
  /** A fresh directory the executor may use; removed at the end whatever happens. */
  workdir: string;
  source: BuildSource;
  /** Build context from the root of the source ("/" or "" = root, "/app", "app/"). */
  context: string;
  /** Dockerfile path from the root of the source; empty: <context>/Dockerfile. Ignored for a lone Dockerfile. */
  dockerfilePath: string;
  /** Full image references to push; the first is built, all are pushed (same digest). */
  tags: string[];
  push: RegistryCreds & { tlsVerify: boolean };
  /** Credentials for base images (a pull robot), or null. */
  pull: (RegistryCreds & { tlsVerify: boolean }) | null;
  timeoutMs: number;
  /** Abort = cancel. */
  signal: AbortSignal;
  onPhase(phase: ExecutorPhase): Promise<void>;
  /** Every line of output, in order, secrets redacted. */
  onLog(line: LogLine): void;
  /** Strings that must never appear in logs: replaced by "********". */
  secrets: string[];
  /** Largest download and total extracted size (BUILD_MAX_CONTEXT_BYTES); default 1 GiB. */
  maxContextBytes?: number;
  /** Most entries an archive may have; default 200,000. */
  maxContextEntries?: number;
}

export interface BuildOutcome {
  digest: string;
  tags: string[];
}

export type FailureKind = "error" | "cancelled" | "timeout" | "internal";

export class BuildFailure extends Error {
  /** Set when the message already reached the build log (a child's own error line). */
  logged = false;

  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = "BuildFailure";
  }
}

export const DEFAULT_MAX_CONTEXT_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_MAX_CONTEXT_ENTRIES = 200_000;

/** A failure the user caused (bad source, bad Dockerfile): Quay's "error" phase. */
export const userError = (message: string) => new BuildFailure("error", message);
