// Starts the real system once for the whole Playwright run: `node apps/api/dist/main.js` (which serves
// apps/web/dist at /) on a free port, with a fresh PostgreSQL database, its own Redis key prefix and data
// directory, and the initial superuser admin/admin-password. Set HM_E2E_URL to test a system that is
// already running instead (e.g. `npm run dev -w @hm/api`). Security scanning is on; the specs get the server's
// database, Redis and data directory (HM_E2E_SERVER_*) to run the vulnerability database's import against it.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { ARTIFACTS } from "./artifacts.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PG_ADMIN_URL = process.env.TEST_PG_URL ?? "postgresql://root@127.0.0.1:5432/postgres";

async function adminQuery(sql: string) {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function waitReady(url: string, exited: () => string | null) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const why = exited();
    if (why) throw new Error(`the API exited during start-up (${why}); see e2e/artifacts/api.log`);
    const ok = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the API at ${url} did not become ready; see e2e/artifacts/api.log`);
}

export default async function globalSetup() {
  if (process.env.HM_E2E_URL) return;
  for (const built of ["apps/api/dist/main.js", "apps/web/dist/index.html"]) {
    if (!fs.existsSync(path.join(ROOT, built)))
      throw new Error(`${built} is missing: run npm run build first`);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const dbName = `hm_e2e_${process.pid}_${crypto.randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(PG_ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-e2e-"));
  const port = await freePort();
  const redisPrefix = `hme2e:${crypto.randomBytes(4).toString("hex")}`;
  const host = `127.0.0.1:${port}`;
  const log = fs.openSync(path.join(ARTIFACTS, "api.log"), "w");
  const child = spawn(process.execPath, [path.join(ROOT, "apps/api/dist/main.js")], {
    cwd: ROOT,
    stdio: ["ignore", log, log],
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: dbUrl.toString(),
      REDIS_PREFIX: redisPrefix,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      SERVER_HOSTNAME: host,
      LOG_LEVEL: process.env.E2E_API_LOG_LEVEL ?? "warn",
      INITIAL_SUPERUSER: "admin",
      INITIAL_SUPERUSER_PASSWORD: "admin-password",
      // Quota management on: the console's quota sections are part of what the specs see.
      FEATURE_QUOTA_MANAGEMENT: "true",
      // Security scanning on (the Tags view's Security column, the tag page's reports). Scans come from push
      // events and imports only: the periodic look for unscanned manifests waits an hour, so an image a spec
      // tags without pushing stays "Queued" for as long as the spec needs.
      FEATURE_SECURITY_SCANNER: "true",
      SECURITY_SCANNER_INDEXING_INTERVAL: "3600",
      // Dockerfile builds on (the repository's Builds tab, build pages, triggers): buildah in this server's
      // own workers, pushing to this registry.
      FEATURE_BUILD_SUPPORT: "true",
      // Repository mirroring (the Mirroring tab, the repository state) and proxy-cache organizations.
      FEATURE_REPO_MIRROR: "true",
      FEATURE_PROXY_CACHE: "true",
    },
  });
  let exit: string | null = null;
  child.on("exit", (code, signal) => (exit = `code ${code}, signal ${signal}`));
  const url = `http://${host}`;

  const teardown = async () => {
    if (!exit) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (!exit) child.kill("SIGKILL");
    }
    fs.closeSync(log);
    await adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, () => exit);
  } catch (e) {
    await teardown();
    throw e;
  }
  // Workers inherit the environment set here.
  process.env.HM_E2E_URL = url;
  process.env.HM_E2E_REGISTRY = host;
  // What `node apps/api/dist/scanning/cli.js` needs to import into this server's database and queue the
  // re-match for its workers (REDIS_URL is the inherited one, as for the server).
  process.env.HM_E2E_SERVER_DATABASE_URL = dbUrl.toString();
  process.env.HM_E2E_SERVER_REDIS_PREFIX = redisPrefix;
  process.env.HM_E2E_SERVER_DATA_DIR = dataDir;
  return teardown;
}
