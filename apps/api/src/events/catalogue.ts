// The event catalogue: every event the system emits, and which queues react to it.
// Adding a subscriber is one line in EVENT_QUEUES; nothing else wires side effects of events.
import type { QueueName } from "../jobs/queues.js";

/** A build's part of every build event (the builds capability emits them; seed 001 §12.1.2–12.1.6). */
export interface BuildEventPayload {
  repository: string;
  namespace: string;
  buildId: string;
  buildName?: string;
  dockerTags: string[];
  triggerKind?: string | null;
  triggerId?: string | null;
  /** The trigger's commit metadata, as Quay's trigger_metadata (commit, ref, default_branch, git_url, commit_info). */
  triggerMetadata?: Record<string, unknown> | null;
  isManual?: boolean;
  manualUser?: string | null;
}

export interface EventPayloads {
  repo_push: { repository: string; namespace: string; tags: string[]; digest: string; pusher: string | null };
  tag_deleted: { repository: string; namespace: string; tags: string[]; performer: string | null };
  /**
   * Tags about to expire (`notification`: for that image-expiry notification, within `expiringInDays`), or
   * that expired just now (garbage collection; for notifications without a number of days).
   */
  repo_image_expiry: {
    repository: string;
    namespace: string;
    tags: string[];
    notification?: string;
    expiringInDays?: number;
  };
  build_queued: BuildEventPayload;
  build_start: BuildEventPayload;
  build_success: BuildEventPayload & { imageId?: string; manifestDigests?: string[] };
  build_failure: BuildEventPayload & { errorMessage: string };
  build_cancelled: BuildEventPayload;
  /** `priority`: one of Quay's severities (Critical, High, Medium, Low, Negligible, Unknown). */
  vulnerability_found: {
    repository: string;
    namespace: string;
    tags: string[];
    vulnerability: { id: string; description: string; link: string; priority: string; has_fix: boolean };
  };
  quota_warning: { namespace: string; usedBytes: number; limitBytes: number };
  quota_error: { namespace: string; usedBytes: number; limitBytes: number };
  repo_mirror_sync_started: { repository: string; namespace: string; message?: string };
  repo_mirror_sync_success: { repository: string; namespace: string; message?: string };
  repo_mirror_sync_failed: { repository: string; namespace: string; message?: string; error: string };
  /** A team invitation to send by e-mail (mail queue). */
  team_invite_created: { inviteId: string };
  /** An account's new address, to confirm by the link e-mailed to it (mail queue). */
  user_email_unconfirmed: { userId: string };
}

export type EventName = keyof EventPayloads;

/**
 * Which queues receive a job for each event (the job name is the event name). A queue may still decline an
 * event about a repository: the notifications queue takes one only when the repository has a notification
 * for it (SQL function hm_event_wanted, applied where outbox rows are written).
 */
export const EVENT_QUEUES: Record<EventName, QueueName[]> = {
  repo_push: ["notifications", "scan"],
  tag_deleted: ["notifications"],
  repo_image_expiry: ["notifications"],
  build_queued: ["notifications"],
  build_start: ["notifications"],
  build_success: ["notifications"],
  build_failure: ["notifications"],
  build_cancelled: ["notifications"],
  vulnerability_found: ["notifications"],
  quota_warning: ["notifications"],
  quota_error: ["notifications"],
  repo_mirror_sync_started: ["notifications"],
  repo_mirror_sync_success: ["notifications"],
  repo_mirror_sync_failed: ["notifications"],
  team_invite_created: ["mail"],
  user_email_unconfirmed: ["mail"],
};

/** Which queues an event goes to here: the catalogue less the capabilities this configuration turns off. */
export type QueuesOf = (event: EventName) => readonly QueueName[];

export function queuesOf(off: { scan: boolean }): QueuesOf {
  return (event) => EVENT_QUEUES[event].filter((q) => !(q === "scan" && off.scan));
}
