// Starts the real system for a test file: its own PostgreSQL database, Redis key prefix and blob directory.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { loadConfig, type Config } from "../src/config/config.js";
import { startSystem, type System } from "../src/app/system.js";
import { freePort } from "../src/infra/embedded-postgres.js";

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? "postgresql://root@127.0.0.1:5432/postgres";

export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `hm_test_${process.pid}_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestSystem extends System {
  url: string;
  host: string;
  config: Config;
  dataDir: string;
  dbUrl: string;
  stop(): Promise<void>;
}

export async function startTestSystem(
  env: Record<string, string> = {},
  opts = { workers: true },
): Promise<TestSystem> {
  const db = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-test-"));
  const prefix = `hmtest:${crypto.randomBytes(4).toString("hex")}`;
  // The port is chosen by the OS; SERVER_HOSTNAME is fixed up once we know it (token realm and service).
  const port = await freePort();
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    SERVER_HOSTNAME: `127.0.0.1:${port}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    INITIAL_SUPERUSER: "admin",
    INITIAL_SUPERUSER_PASSWORD: "admin-password",
    ...env,
  });
  const system = await startSystem(config, { http: true, workers: opts.workers });
  return {
    ...system,
    url: system.url!,
    host: `127.0.0.1:${port}`,
    config,
    dataDir,
    dbUrl: db.url,
    stop: async () => {
      await system.stop();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

/** Fetches a registry token the way clients do. */
export async function registryToken(
  sys: Pick<TestSystem, "url" | "host">,
  scopes: string[],
  creds?: [string, string],
): Promise<string> {
  const q = new URLSearchParams(scopes.map((s) => ["scope", s]));
  q.set("service", sys.host);
  const res = await fetch(`${sys.url}/v2/auth?${q}`, {
    headers: creds ? { authorization: basic(...creds) } : {},
  });
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * Adds a notification for each event to a repository that exists ($1 namespace, $2 name, $3 events): events
 * about a repository become notifications jobs only when it has one (hm_event_wanted).
 */
export const WATCH_REPOSITORY_SQL = `
  INSERT INTO "RepositoryNotification" ("repositoryId", event, method, config)
  SELECT r.id, e, 'quay_notification', '{"target": {"kind": "user", "name": "admin"}}'
  FROM "Repository" r JOIN "Namespace" n ON n.id = r."namespaceId", unnest($3::text[]) AS e
  WHERE n.name = $1 AND r.name = $2`;

export async function watchRepository(sys: Pick<TestSystem, "db">, full: string, events: string[]) {
  const [namespace, ...rest] = full.split("/");
  const n = await sys.db.$executeRawUnsafe(WATCH_REPOSITORY_SQL, namespace, rest.join("/"), events);
  if (n !== events.length) throw new Error(`watchRepository: ${full} does not exist`);
}
