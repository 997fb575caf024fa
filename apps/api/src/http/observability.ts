// Request ids, structured access logs and Prometheus counters for every request.
import crypto from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../infra/logger.js";
import type { Metrics } from "../infra/metrics.js";
import type { Foreground } from "../infra/foreground.js";

const group = (path: string) =>
  path.startsWith("/v2")
    ? "registry"
    : path.startsWith("/graphql")
      ? "graphql"
      : path.startsWith("/health") || path === "/metrics"
        ? "ops"
        : "web";

export function observability(log: Logger, metrics: Metrics, foreground?: Foreground) {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = (req.headers["x-request-id"] as string | undefined)?.slice(0, 64) || crypto.randomUUID();
    res.setHeader("X-Request-Id", id);
    const start = process.hrtime.bigint();
    const g = group(req.path);
    const p = req.path; // before routers rewrite it
    // Read now: once a request is answered before its body has arrived, its socket may be gone at close.
    const ip = req.ip;
    const counted = g !== "ops" && foreground;
    if (counted) foreground.begin();
    res.on("close", () => {
      if (counted) foreground.end();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.httpRequests.inc({ group: g, method: req.method, status: String(res.statusCode) });
      metrics.httpDuration.observe({ group: g }, seconds);
      if (g === "ops") return;
      const level = res.statusCode >= 500 ? "error" : "info";
      log[level](
        {
          reqId: id,
          method: req.method,
          path: p,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          ip,
        },
        "request",
      );
    });
    next();
  };
}
