// The event catalogue: every event the system emits, and which queues react to it.
// Adding a subscriber is one line in EVENT_QUEUES; nothing else wires side effects of events.
import type { QueueName } from "../jobs/queues.js";

export interface EventPayloads {
  repo_push: { repository: string; namespace: string; tags: string[]; digest: string; pusher: string | null };
  tag_deleted: { repository: string; namespace: string; tags: string[]; performer: string | null };
  repo_image_expiry: { repository: string; namespace: string; tags: string[] };
  build_queued: { repository: string; buildId: string };
  build_start: { repository: string; buildId: string };
  build_success: { repository: string; buildId: string };
  build_failure: { repository: string; buildId: string; error: string };
  build_cancelled: { repository: string; buildId: string };
  vulnerability_found: { repository: string; digest: string; severity: string };
  quota_warning: { namespace: string; usedBytes: number; limitBytes: number };
  quota_error: { namespace: string; usedBytes: number; limitBytes: number };
  repo_mirror_sync_started: { repository: string };
  repo_mirror_sync_success: { repository: string };
  repo_mirror_sync_failed: { repository: string; error: string };
}

export type EventName = keyof EventPayloads;

/**
 * Which queues receive a job for each event (the job name is the event name). A queue may still decline an
 * event about a repository: the notifications queue takes one only when the repository has a notification
 * for it (SQL function hm_event_wanted, applied where outbox rows are written).
 */
export const EVENT_QUEUES: Record<EventName, QueueName[]> = {
  repo_push: ["notifications"],
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
};
