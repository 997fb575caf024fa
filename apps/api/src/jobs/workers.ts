// Job handlers by queue. Each is small and calls domain services; the job system records outcomes.
import type { Services } from "../app/services.js";
import { EVENT_QUEUES, type EventName } from "../events/catalogue.js";
import { METHOD_NAMES } from "../notifications/methods.js";
import type { Handlers } from "./job-system.js";

/** How long a background job waits for a moment without requests in this process before it runs. */
const YIELD_MS = 250;

export function createHandlers(s: Services): Handlers {
  // Notification work runs between requests rather than beside them (the push bench's throughput with
  // webhooks); under constant load it still starts after YIELD_MS.
  const yielding =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      await s.foreground.quiet(YIELD_MS);
      return fn(...a);
    };
  return {
    maintenance: {
      "upload-cleanup": async () => s.blobs.cleanupUploads(s.config.UPLOAD_SESSION_TTL),
      heartbeat: async () => ({ at: new Date().toISOString() }),
      // The books' check: a kept size that differs from a recomputation is drift, which must never happen.
      "quota-verify": async () => {
        const r = await s.quota.verify();
        if (r.drift.length)
          s.log.error({ drift: r.drift.slice(0, 20).map((d) => d.repository) }, "quota: usage drift");
        return { repositories: r.repositories, drift: r.drift.length };
      },
      "usage-compact": async () => ({ repositories: await s.quota.compact() }),
      "build-watchdog": async () =>
        s.config.FEATURE_BUILD_SUPPORT
          ? { ...(await s.buildRunner.watchdog()), uploadsDropped: await s.fileDrops.cleanup() }
          : { off: true },
    },
    gc: {
      // Then the scans of what it removed (the scanning capability owns those rows).
      gc: async () => ({ ...(await s.gc.run()), scansDropped: await s.scanner.sweep() }),
      "gc-repository": async (payload) => s.gc.collectRepository(BigInt(String(payload.repositoryId))),
    },
    // One job per event: its deliveries (and the bell), then one job per delivery.
    notifications: {
      ...Object.fromEntries(
        (Object.keys(EVENT_QUEUES) as EventName[])
          .filter((event) => EVENT_QUEUES[event].includes("notifications"))
          .map((event) => [
            event,
            yielding((payload: Record<string, unknown>) => s.deliveries.fanOut(event, payload)),
          ]),
      ),
      "expiry-scan": async () => s.deliveries.expiryScan(),
    },
    // Without the feature nothing is queued, and the periodic look finds nothing to do.
    scan: {
      repo_push: async (payload) => s.scanner.scan(String(payload.digest)),
      "scan-manifest": async (payload) => s.scanner.scan(String(payload.digest)),
      rematch: async () => s.scanner.rematch(),
      "scan-backlog": async () => (s.config.FEATURE_SECURITY_SCANNER ? s.scanner.backlog() : { queued: 0 }),
    },
    // Only processes with FEATURE_BUILD_SUPPORT and BUILD_WORKERS > 0 take these (startWorkers).
    builds: { build: async (payload) => s.buildRunner.run(BigInt(String(payload.buildId))) },
    // The config row holds each sync's state: a job of a mirror another worker syncs does nothing.
    mirror: {
      "mirror-sync": async (payload) => s.mirrorSync.run(BigInt(String(payload.configId))),
      "mirror-schedule": async () => s.mirrorSync.schedule(),
    },
    mail: {
      team_invite_created: (payload) => s.accountMail.teamInvite(BigInt(String(payload.inviteId))),
      user_email_unconfirmed: (payload) => s.accountMail.confirmAddress(BigInt(String(payload.userId))),
    },
    deliveries: Object.fromEntries(
      METHOD_NAMES.map((method) => [
        method,
        yielding((payload: Record<string, unknown>, ctx: { final: boolean }) =>
          s.deliveries.deliver(BigInt(String(payload.deliveryId)), { final: ctx.final }),
        ),
      ]),
    ),
  };
}
