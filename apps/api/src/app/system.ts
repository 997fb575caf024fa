// The composition root: builds the whole system from a Config, in dependency order, and tears it down.
import http from "node:http";
import type pg from "pg";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import type { Config } from "../config/config.js";
import { connectDatabase, type Db } from "../infra/database.js";
import { warmUpRegistryStatements } from "../content/registry-lookups.js";
import type { BlobStore } from "../storage/blob-store.js";
import { startEmbeddedPostgres } from "../infra/embedded-postgres.js";
import { createLogger } from "../infra/logger.js";
import { createMetrics } from "../infra/metrics.js";
import { applyMigrations } from "../infra/migrate.js";
import { ensureRedis } from "../infra/redis.js";
import { JobSystem } from "../jobs/job-system.js";
import { createHandlers } from "../jobs/workers.js";
import { FsBlobStore } from "../storage/fs-blob-store.js";
import { attachSubscriptions, createGraphQLMiddleware } from "../graphql/server.js";
import { createApp } from "../http/app.js";
import { createServices, type Services } from "./services.js";

export interface SystemOptions {
  /** Serve HTTP (false for the worker-only entry point). */
  http: boolean;
  workers: boolean;
}

export interface System {
  services: Services;
  server: http.Server | null;
  url: string | null;
  /** The database connection pool (readiness checks; tests count queries on it). */
  pool: pg.Pool;
  /** Direct data access, for tests' arrange and assert steps only: doors go through `services`. */
  db: Db;
  store: BlobStore;
  jobs: JobSystem;
  stop(): Promise<void>;
}

const DEFAULT_WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../web/dist");

export async function startSystem(config: Config, opts: SystemOptions): Promise<System> {
  const log = createLogger(config.LOG_LEVEL);
  // What loadConfig ignored or found deprecated, one line per key, before anything else can fail.
  for (const w of config.warnings) log.warn({ key: w.key }, w.message);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((e) => log.warn({ err: String(e) }, "stop failed"));
  };
  try {
    let dbUrl = config.DATABASE_URL;
    if (!dbUrl) {
      const embedded = await startEmbeddedPostgres(config.DATA_DIR, log);
      stops.push(embedded.stop);
      dbUrl = embedded.url;
    }
    const applied = await applyMigrations(dbUrl);
    if (applied.length) log.info({ applied }, "database migrated");
    const database = connectDatabase(dbUrl, 20, warmUpRegistryStatements);
    stops.push(database.close);

    const redisEndpoint = await ensureRedis(config.REDIS_URL, config.REDIS_DEFAULTED, config.DATA_DIR, log);
    stops.push(redisEndpoint.stop);
    const redis = new Redis(redisEndpoint.url, { maxRetriesPerRequest: 2, lazyConnect: false });
    redis.on("error", () => {});
    stops.push(async () => void redis.disconnect());

    const metrics = createMetrics();
    const jobs = new JobSystem(
      database.prisma,
      database.pool,
      redisEndpoint.url,
      config.REDIS_PREFIX,
      log,
      metrics,
      {
        deliveries: {
          attempts: config.NOTIFICATION_DELIVERY_ATTEMPTS,
          backoff: { type: "exponential", delay: Math.round(config.NOTIFICATION_RETRY_DELAY_SECONDS * 1000) },
        },
      },
    );
    stops.push(() => jobs.close());
    const store = new FsBlobStore(config.STORAGE_PATH);
    const services = await createServices({
      config,
      db: database.prisma,
      log,
      metrics,
      jobs,
      store,
      redis,
      pool: database.pool,
    });
    if (
      await services.accounts.ensureInitialSuperuser(
        config.INITIAL_SUPERUSER,
        config.INITIAL_SUPERUSER_PASSWORD,
      )
    ) {
      log.info({ username: config.INITIAL_SUPERUSER }, "created the initial superuser");
    }
    if (opts.workers)
      await jobs.startWorkers(
        createHandlers(services),
        2,
        {
          gc: config.GC_INTERVAL * 1000,
          "expiry-scan": config.NOTIFICATION_TASK_RUN_MINIMUM_INTERVAL_MINUTES * 60_000,
          "scan-backlog": Math.max(1000, config.SECURITY_SCANNER_INDEXING_INTERVAL * 1000),
          "mirror-schedule": config.FEATURE_REPO_MIRROR
            ? Math.max(1000, config.REPO_MIRROR_INTERVAL * 1000)
            : 0,
          // A quarter of the heartbeat timeout: a dead worker's build fails within 1.25 times that.
          "build-watchdog": config.FEATURE_BUILD_SUPPORT
            ? Math.max(1000, (config.BUILD_HEARTBEAT_TIMEOUT * 1000) / 4)
            : 0,
        },
        { builds: config.FEATURE_BUILD_SUPPORT ? config.BUILD_WORKERS : 0 },
      );

    let server: http.Server | null = null;
    let url: string | null = null;
    if (opts.http) {
      const gql = await createGraphQLMiddleware(services);
      stops.push(gql.stop);
      const app = createApp({
        services,
        pool: database.pool,
        store,
        redisPing: async () => (await redis.ping()) === "PONG",
        graphql: gql.middleware,
        webDist: config.WEB_DIST ?? DEFAULT_WEB_DIST,
      });
      server = http.createServer(app);
      stops.push(attachSubscriptions(server, services, gql.schema).stop);
      // Large blob uploads may take long: no overall request deadline, but headers must arrive promptly.
      server.requestTimeout = 0;
      server.headersTimeout = 60_000;
      server.keepAliveTimeout = 65_000;
      // Clients probing TLS on the plain-HTTP port (and other garbage) get dropped quietly.
      server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
        const status =
          err.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
        if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
        socket.destroy();
      });
      const srv = server;
      await new Promise<void>((resolve, reject) => {
        srv.once("error", reject);
        srv.listen(config.PORT, config.HOST, () => resolve());
      });
      const port = (server.address() as { port: number }).port;
      url = `http://127.0.0.1:${port}`;
      stops.push(
        () =>
          new Promise<void>((resolve) => {
            srv.close(() => resolve());
            srv.closeAllConnections();
          }),
      );
      log.info({ url, hostname: config.SERVER_HOSTNAME }, "listening");
    }
    return { services, server, url, pool: database.pool, db: database.prisma, store, jobs, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
