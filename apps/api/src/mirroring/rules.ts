// The mirror's schedule as pure rules: when a sync is due, what the periodic look does with each mirror, how
// retries count. The status is Quay's RepoMirrorStatus; syncExpirationDate is a lease whose meaning follows
// the status: while SYNC_NOW, the time by which a worker should have taken the queued job (else it is queued
// again); while SYNCING, the worker's claim, renewed by its heartbeat (a lapsed one is taken over).
import { minimatch } from "minimatch";

export const MAX_SYNC_RETRIES = 3;
/** A running sync renews its claim this often; the same tick looks for a cancel and writes its log. */
export const HEARTBEAT_MS = 1000;
/** A claim not renewed for this long belongs to a worker that is gone. */
export const CLAIM_LEASE_MS = 30_000;
/** A queued sync no worker took within this long is queued again. */
export const QUEUE_LEASE_MS = 10 * 60_000;
/** Tags copied at once by one sync. */
export const TAG_CONCURRENCY = 4;

export type SyncStatus = "NEVER_RUN" | "SYNC_NOW" | "SYNCING" | "SUCCESS" | "FAIL" | "CANCEL";

export interface ScheduleFacts {
  isEnabled: boolean;
  syncStatus: SyncStatus;
  syncInterval: number;
  syncStartDate: Date;
  syncExpirationDate: Date | null;
  syncRetriesRemaining: number;
  lastSyncAt: Date | null;
}

/**
 * When the next sync is due on its own: a failure with retries left is retried at once (Quay's rule), else the
 * start date and then one interval after each sync's start. Null when nothing is scheduled (disabled,
 * cancelled: Quay waits for a sync-now) or a sync is queued or running.
 */
export function nextSyncAt(c: ScheduleFacts): Date | null {
  if (!c.isEnabled || c.syncStatus === "CANCEL" || c.syncStatus === "SYNC_NOW" || c.syncStatus === "SYNCING")
    return null;
  if (c.syncStatus === "FAIL" && c.syncRetriesRemaining > 0 && c.lastSyncAt) return c.lastSyncAt;
  const after = c.lastSyncAt ? new Date(c.lastSyncAt.getTime() + c.syncInterval * 1000) : c.syncStartDate;
  return after > c.syncStartDate ? after : c.syncStartDate;
}

/** What the periodic look does with a mirror at `now`. */
export type ScheduleAction =
  | "queue" // due: becomes SYNC_NOW with a job
  | "requeue" // SYNC_NOW whose job no worker took in time
  | "take_over" // SYNCING whose worker stopped renewing its claim
  | "none";

export function scheduleAction(c: ScheduleFacts, now: Date): ScheduleAction {
  const lapsed = !c.syncExpirationDate || c.syncExpirationDate <= now;
  if (c.syncStatus === "SYNCING") return lapsed ? "take_over" : "none";
  if (c.syncStatus === "SYNC_NOW") return lapsed ? "requeue" : "none";
  const next = nextSyncAt(c);
  return next && next <= now ? "queue" : "none";
}

/** Retries left after a sync ends: a success restores them, a failure spends one. */
export function retriesAfter(outcome: "SUCCESS" | "FAIL" | "CANCEL", before: number): number {
  if (outcome === "SUCCESS") return MAX_SYNC_RETRIES;
  if (outcome === "FAIL") return Math.max(0, before - 1);
  return before;
}

/**
 * The upstream tags a sync copies: those matching any of the rule's globs (Quay's fnmatch: `*`, `?`, `[seq]`,
 * `[!seq]`), without duplicates, in order.
 */
export function matchTags(tags: string[], globs: string[]): string[] {
  const matchers = globs.map(
    (g) => (t: string) =>
      minimatch(t, g, { dot: true, nobrace: true, noext: true, nonegate: true, nocomment: true }),
  );
  return [...new Set(tags.filter((t) => matchers.some((m) => m(t))))].sort();
}
