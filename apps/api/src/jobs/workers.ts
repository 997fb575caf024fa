// Job handlers by queue. Each is small and calls domain services; the job system records outcomes.
import type { Services } from "../app/services.js";
import type { Handlers } from "./job-system.js";

export function createHandlers(s: Services): Handlers {
  return {
    maintenance: {
      "upload-cleanup": async () => s.blobs.cleanupUploads(s.config.UPLOAD_SESSION_TTL),
      heartbeat: async () => ({ at: new Date().toISOString() }),
    },
    notifications: Object.fromEntries(
      [
        "repo_push",
        "tag_deleted",
        "repo_image_expiry",
        "build_queued",
        "build_start",
        "build_success",
        "build_failure",
        "build_cancelled",
        "vulnerability_found",
        "quota_warning",
        "quota_error",
        "repo_mirror_sync_started",
        "repo_mirror_sync_success",
        "repo_mirror_sync_failed",
      ].map((event) => [
        event,
        async () => ({ event, delivered: 0, reason: "no notification methods configured" }),
      ]),
    ),
  };
}
