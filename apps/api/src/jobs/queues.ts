// Every Bull queue, its options and its periodic jobs, in one place.
import type Bull from "bull";

export const QUEUES = {
  /** Housekeeping: expired upload sessions, heartbeat, the quota's hourly check of its books and the fold of
   *  appended size changes every minute. */
  maintenance: {
    markRunning: true,
    options: {
      attempts: 3,
      backoff: { type: "exponential", delay: 5000 },
      removeOnComplete: 100,
      removeOnFail: 500,
    },
    repeat: [
      { name: "upload-cleanup", every: 10 * 60 * 1000 },
      { name: "heartbeat", every: 60 * 1000 },
      { name: "quota-verify", every: 60 * 60 * 1000 },
      { name: "usage-compact", every: 60 * 1000 },
      // Fails builds whose worker stopped beating, expires builds that waited too long, drops old uploads.
      { name: "build-watchdog", every: 15 * 1000 },
    ],
  },
  /**
   * Events for notifications: each job fans one event out into deliveries (one per notification that wants
   * it) and the bell; "expiry-scan" looks for tags about to expire (NOTIFICATION_TASK_RUN_MINIMUM_INTERVAL_MINUTES).
   */
  notifications: {
    // One job per push: its record goes from queued to its outcome in one write (recovery treats queued
    // and running alike, so nothing is lost by not marking the run's start separately).
    markRunning: false,
    options: {
      attempts: 5,
      backoff: { type: "exponential", delay: 10_000 },
      removeOnComplete: 100,
      removeOnFail: 500,
    },
    repeat: [{ name: "expiry-scan", every: 300 * 60 * 1000 }],
  },
  /**
   * One delivery of one event to one notification (webhook, e-mail, Slack...); the job name is the method.
   * Attempts and backoff come from NOTIFICATION_DELIVERY_ATTEMPTS and NOTIFICATION_RETRY_DELAY_SECONDS.
   */
  deliveries: {
    // A delivery mostly waits on its receiver: many run at once in each worker process.
    concurrency: 16,
    // Its attempt is marked on the delivery row itself (status "sending"), so the record is written once.
    markRunning: false,
    options: {
      attempts: 5,
      backoff: { type: "exponential", delay: 10_000 },
      removeOnComplete: 200,
      removeOnFail: 500,
    },
    repeat: [],
  },
  /** E-mail that is not a notification: team invitations, confirmation of an account's address. */
  mail: {
    markRunning: false,
    options: {
      attempts: 5,
      backoff: { type: "exponential", delay: 30_000 },
      removeOnComplete: 100,
      removeOnFail: 500,
    },
    repeat: [],
  },
  /**
   * Security scanning: one job per pushed image ("repo_push"), per child of an index ("scan-manifest"), the
   * re-match of every stored index after a feed import ("rematch"), and the periodic look for manifests
   * without a scan ("scan-backlog", every SECURITY_SCANNER_INDEXING_INTERVAL).
   */
  scan: {
    // Indexing reads whole layers: one at a time per worker process (start more workers to scan more).
    concurrency: 1,
    markRunning: false,
    options: {
      attempts: 3,
      backoff: { type: "exponential", delay: 30_000 },
      removeOnComplete: 100,
      removeOnFail: 500,
    },
    repeat: [{ name: "scan-backlog", every: 30 * 1000 }],
  },
  /**
   * Dockerfile builds: one job per build ("build"; the build row holds its state, so a job is never
   * retried: a worker that dies leaves the build to the watchdog, "build-watchdog" in maintenance, which
   * every process runs).
   */
  builds: {
    // BUILD_WORKERS per process (startWorkers' override); each build mostly waits on buildah.
    concurrency: 1,
    markRunning: true,
    options: { attempts: 1, removeOnComplete: 100, removeOnFail: 500 },
    repeat: [],
  },
  /**
   * Repository mirroring: one job per sync ("mirror-sync"), and the periodic look for mirrors due
   * ("mirror-schedule", every REPO_MIRROR_INTERVAL). The config row holds the sync's state and claim, so
   * a job is not retried by Bull: a sync a crash interrupted is taken over when its claim lapses.
   */
  mirror: {
    concurrency: 2,
    markRunning: true,
    options: { attempts: 1, removeOnComplete: 100, removeOnFail: 500 },
    repeat: [{ name: "mirror-schedule", every: 30 * 1000 }],
  },
  /** Online garbage collection, one repository at a time. */
  gc: {
    markRunning: true,
    options: {
      attempts: 3,
      backoff: { type: "fixed", delay: 30_000 },
      removeOnComplete: 50,
      removeOnFail: 200,
    },
    // Every GC_INTERVAL (this is the default); "gc-repository" collects one repository on demand.
    repeat: [{ name: "gc", every: 30 * 60 * 1000 }],
  },
} as const satisfies Record<
  string,
  {
    /** Whether a run is marked running when it starts (long jobs), or only recorded when it ends. */
    markRunning: boolean;
    /** Jobs run at once per worker process (default: startWorkers' argument). */
    concurrency?: number;
    options: Bull.JobOptions;
    repeat: readonly { name: string; every: number }[];
  }
>;

export type QueueName = keyof typeof QUEUES;
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];
