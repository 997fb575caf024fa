// The content capability's error kinds. They are domain errors (each door maps the code to its own format);
// the reason names what went wrong precisely enough for /v2 to answer with the distribution error code.
import { DomainError, type DomainErrorCode } from "../common/errors.js";

const CODE_OF = {
  MANIFEST_INVALID: "BAD_USER_INPUT",
  DIGEST_INVALID: "BAD_USER_INPUT",
  /** The manifest names a blob or child manifest the repository does not hold. */
  MANIFEST_BLOB_UNKNOWN: "BAD_USER_INPUT",
  MANIFEST_UNKNOWN: "NOT_FOUND",
  REPOSITORY_UNKNOWN: "NOT_FOUND",
  /** An index still lists the manifest. */
  MANIFEST_REFERENCED: "CONFLICT",
  /** The repository's state (read-only, mirror) refuses writes. */
  REPOSITORY_READ_ONLY: "FORBIDDEN",
  BLOB_UNKNOWN: "NOT_FOUND",
  UPLOAD_UNKNOWN: "NOT_FOUND",
} as const satisfies Record<string, DomainErrorCode>;

export type ContentReason = keyof typeof CODE_OF;

export class ContentError extends DomainError {
  constructor(
    readonly reason: ContentReason,
    message: string,
    /** What the protocol reports with it (the digest or tag concerned). */
    readonly detail?: Record<string, unknown>,
  ) {
    super(CODE_OF[reason], message);
  }
}

export class BlobUnknownError extends ContentError {
  constructor(digest: string) {
    super("BLOB_UNKNOWN", `blob ${digest} unknown`, { digest });
  }
}

export class UploadUnknownError extends ContentError {
  constructor() {
    super("UPLOAD_UNKNOWN", "upload unknown");
  }
}

/** Whether the repository's state takes writes from anyone (Quay's read-only and mirror states do not). */
export const isWritable = (repo: { state: string }) => repo.state === "normal";

/** Why a state refuses a write: a mirror names itself, so users see why their push was refused. */
export function stateRefusal(repo: { state: string }): ContentError {
  return repo.state === "mirror"
    ? new ContentError("REPOSITORY_READ_ONLY", "repository is mirrored: only its mirror robot writes to it")
    : new ContentError("REPOSITORY_READ_ONLY", `repository is ${repo.state.replace("_", "-")}`);
}

/** Refuses writes to a repository whose state does not take them (from anyone). */
export function assertWritable(repo: { state: string }): void {
  if (!isWritable(repo)) throw stateRefusal(repo);
}

/**
 * The robot id of a writer as each door names it: a principal, a registry token's reference, or an audit
 * actor (a robot's name holds "+", a user's never does). Null for users and anonymous callers.
 */
export function writerRobotId(
  who: { kind: string; robotId?: bigint; id?: bigint } | { name: string | null; id: bigint | null },
): bigint | null {
  if ("kind" in who) {
    if (who.kind !== "robot") return null;
    return who.robotId ?? who.id ?? null;
  }
  return who.name?.includes("+") ? who.id : null;
}
