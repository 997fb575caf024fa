import client from "prom-client";

/** One registry of Prometheus metrics per process (passed explicitly; no global default registry). */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new client.Counter({
      name: "hm_http_requests_total",
      help: "HTTP requests by route group, method and status",
      labelNames: ["group", "method", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new client.Histogram({
      name: "hm_http_request_duration_seconds",
      help: "HTTP request duration",
      labelNames: ["group"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers: [registry],
    }),
    jobs: new client.Counter({
      name: "hm_jobs_total",
      help: "Background jobs by queue and outcome",
      labelNames: ["queue", "outcome"] as const,
      registers: [registry],
    }),
    quotaRejections: new client.Counter({
      name: "hm_quota_rejections_total",
      help: "Pushes refused by a namespace's Reject limit, by stage (upload_start, manifest)",
      labelNames: ["stage"] as const,
      registers: [registry],
    }),
    quotaDrift: new client.Gauge({
      name: "hm_quota_drift_repositories",
      help: "Repositories whose kept size differed from a recomputation at the last verification",
      registers: [registry],
    }),
    gcRemoved: new client.Counter({
      name: "hm_gc_removed_total",
      help: "Objects removed by garbage collection",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
