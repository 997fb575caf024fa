// Builds the builds capability from its dependencies: uploads, logs, the doors' services and the runner.
import path from "node:path";
import type { Redis } from "ioredis";
import type pg from "pg";
import { siteBase, type Config } from "../config/config.js";
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { Encryptor } from "../access/secrets.js";
import type { RepositoryService } from "../content/repositories.js";
import type { RobotService } from "../tenancy/robots.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import { FileDrops } from "./filedrop.js";
import { BuildLogs } from "./logs.js";
import { BuildRunner } from "./runner.js";
import { BuildService } from "./service.js";
import { BuildTriggers } from "./triggers.js";

export function createBuilds(d: {
  db: Db;
  pool: pg.Pool;
  redis: Redis;
  repos: RepositoryService;
  robots: RobotService;
  uow: UnitOfWork;
  encryptor: Encryptor;
  config: Config;
  log: Logger;
  storagePath: string;
}) {
  const { config } = d;
  const files = new FileDrops(
    d.db,
    path.join(d.storagePath, "userfiles"),
    config.BUILD_MAX_CONTEXT_BYTES,
    siteBase(config),
  );
  const logs = new BuildLogs(d.pool, d.redis, config.REDIS_PREFIX, config.BUILD_LOG_LIMIT);
  const builds = new BuildService(d.db, d.repos, d.robots, d.uow, files, logs, config.FEATURE_BUILD_SUPPORT);
  const triggers = new BuildTriggers(d.db, d.uow, d.encryptor, builds, {
    scheme: config.PREFERRED_URL_SCHEME,
    host: config.SERVER_HOSTNAME ?? "localhost",
  });
  const buildRunner = new BuildRunner(d.db, d.uow, d.encryptor, files, logs, d.log, {
    registry: config.BUILD_REGISTRY ?? config.SERVER_HOSTNAME ?? "localhost",
    tlsVerify: config.PREFERRED_URL_SCHEME === "https",
    workDir: config.BUILD_WORK_DIR ?? path.resolve(config.DATA_DIR, "builds"),
    timeoutMs: config.BUILD_TIMEOUT * 1000,
    maxContextBytes: config.BUILD_MAX_CONTEXT_BYTES,
    staleMs: config.BUILD_HEARTBEAT_TIMEOUT * 1000,
    namespaceConcurrency: config.BUILD_NAMESPACE_CONCURRENCY,
    failureThreshold: config.SUCCESSIVE_TRIGGER_FAILURE_DISABLE_THRESHOLD,
    internalThreshold: config.SUCCESSIVE_TRIGGER_INTERNAL_ERROR_DISABLE_THRESHOLD,
  });
  return { builds, triggers, buildRunner, fileDrops: files };
}
