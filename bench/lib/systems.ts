// Starts the two registries under test as separate production processes, each on its own temporary storage:
// ours (the built apps/api/dist/main.js on a fresh PostgreSQL database and Redis prefix) and CNCF
// distribution (Debian's docker-registry, filesystem storage, no auth).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { HttpClient, expectStatus } from "./http.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? "postgresql://root@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface Target {
  name: "ours" | "distribution";
  base: string;
  pid: number;
  /** An HTTP client allowed to pull and push the given repositories (ours: one Bearer token, ≤ 20 names). */
  client(repos: string[], extraScopes?: string[]): Promise<HttpClient>;
  /** The Authorization header `client(repos)` sends (empty for distribution), for external load generators. */
  authHeaders(repos: string[]): Promise<Record<string, string>>;
  /** Stops the process and removes its data (`keepLog`: leave our server's log for a look). */
  stop(keepLog?: boolean): Promise<void>;
}

export interface Ours extends Target {
  name: "ours";
  dbUrl: string;
  redisUrl: string;
  redisPrefix: string;
  user: string;
  /** POST /graphql with the superuser's session cookie. */
  graphql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** GET /api/v1<path> (the REST API) with the same session. */
  rest<T = any>(path: string): Promise<T>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, child: ChildProcess, log: string, probe: () => Promise<boolean>) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  const tail = fs.existsSync(log) ? fs.readFileSync(log, "utf8").slice(-3000) : "";
  child.kill("SIGKILL");
  throw new Error(`${what} did not become ready (exit code ${child.exitCode}). Log tail:\n${tail}`);
}

function stopChild(child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

async function adminQuery(sql: string) {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function startOurs(
  opts: {
    profileDir?: string;
    keepLogs?: boolean;
    env?: Record<string, string>;
    /** Another checkout's server (built), for a before/after comparison; this one by default. */
    root?: string;
  } = {},
): Promise<Ours> {
  const root = opts.root ?? ROOT;
  const main = path.join(root, "apps/api/dist/main.js");
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  const tag = `${process.pid}_${crypto.randomBytes(3).toString("hex")}`;
  const dbName = `hm_bench_${tag}`;
  await adminQuery(`CREATE DATABASE "${dbName}"`);
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-bench-ours-"));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const user = "bench";
  const password = crypto.randomBytes(12).toString("hex");
  const redisPrefix = `hmbench:${tag}`;
  const log = path.join(dataDir, "server.log");
  const out = fs.openSync(log, "a");
  const nodeArgs = opts.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.profileDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, main], {
    cwd: root,
    stdio: ["ignore", out, out],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      DATABASE_URL: dbUrl,
      REDIS_URL,
      REDIS_PREFIX: redisPrefix,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      SERVER_HOSTNAME: host,
      LOG_LEVEL: "warn",
      INITIAL_SUPERUSER: user,
      INITIAL_SUPERUSER_PASSWORD: password,
      REGISTRY_TOKEN_TTL: "7200", // the runner reuses one token per set of repositories for the whole run
      GC_INTERVAL: "0", // no periodic GC in the middle of a measurement; the GC workload enqueues its own
      CHECKPOINT_DISABLE: "1",
      ...opts.env,
    },
  });
  const base = `http://${host}`;
  const http = new HttpClient(base);
  await waitFor(
    "our server",
    child,
    log,
    async () => (await http.request("GET", "/health/ready")).status === 200,
  );

  const basic = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  const tokens = new Map<string, string>();
  const token = async (scopes: string[]) => {
    const key = scopes.join(" ");
    const cached = tokens.get(key);
    if (cached) return cached;
    if (scopes.length > 20) throw new Error("at most 20 scopes per token");
    const q = new URLSearchParams(scopes.map((s): [string, string] => ["scope", s]));
    q.set("service", host);
    const r = await http.request("GET", `/v2/auth?${q}`, { headers: { authorization: basic } });
    expectStatus(r, 200, "token endpoint");
    const t = (JSON.parse(r.body.toString()) as { token: string }).token;
    tokens.set(key, t);
    return t;
  };
  const scopesOf = (repos: string[], extra: string[] = []) => [
    ...repos.map((r) => `repository:${r}:pull,push,delete`),
    ...extra,
  ];
  const authHeaders = async (repos: string[], extra?: string[]) => ({
    authorization: `Bearer ${await token(scopesOf(repos, extra))}`,
  });

  let cookie: string | null = null;
  const session = async (): Promise<string> => {
    if (!cookie) {
      const r = await http.request("POST", "/graphql", {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          query: "mutation($u:String!,$p:String!){login(username:$u,password:$p){username}}",
          variables: { u: user, p: password },
        }),
      });
      expectStatus(r, 200, "GraphQL login");
      const set = r.headers["set-cookie"]?.find((c) => c.startsWith("hm_session="));
      if (!set) throw new Error(`GraphQL login set no session cookie: ${r.body.toString().slice(0, 200)}`);
      cookie = set.split(";")[0]!;
    }
    return cookie;
  };
  const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
    const r = await http.request("POST", "/graphql", {
      headers: { "content-type": "application/json", cookie: await session() },
      body: JSON.stringify({ query, variables }),
    });
    const body = JSON.parse(r.body.toString()) as { data?: any; errors?: { message: string }[] };
    if (r.status !== 200 || body.errors?.length)
      throw new Error(`GraphQL: HTTP ${r.status} ${JSON.stringify(body.errors ?? body).slice(0, 300)}`);
    return body.data;
  };
  const rest = async (path: string) => {
    const r = await http.request("GET", `/api/v1${path}`, { headers: { cookie: await session() } });
    expectStatus(r, 200, `REST ${path}`);
    return JSON.parse(r.body.toString());
  };

  return {
    name: "ours",
    base,
    pid: child.pid!,
    dbUrl,
    redisUrl: REDIS_URL,
    redisPrefix,
    user,
    graphql,
    rest,
    authHeaders,
    client: async (repos, extra) => http.with(await authHeaders(repos, extra)),
    stop: async (keepLog = false) => {
      http.close();
      await stopChild(child);
      await adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
      const { default: Redis } = await import("ioredis");
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
      const keys = await redis.keys(`${redisPrefix}:*`).catch(() => [] as string[]);
      for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
      redis.disconnect();
      if (opts.keepLogs || keepLog) {
        fs.rmSync(path.join(dataDir, "blobs"), { recursive: true, force: true });
        console.error(`our server's log: ${log}`);
      } else fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function distributionBinary(): string | null {
  const r = spawnSync("sh", ["-c", "command -v docker-registry"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

export async function startDistribution(): Promise<Target> {
  const bin = distributionBinary();
  if (!bin)
    throw new Error(
      "CNCF distribution is not installed: `apt-get install -y docker-registry wrk` (Debian's package, 2.8)",
    );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-bench-dist-"));
  const port = await freePort();
  const config = path.join(dir, "config.yml");
  // Access log off and errors only, like ours at LOG_LEVEL=warn; in-memory blob descriptor cache, as in
  // Debian's default config.
  fs.writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${path.join(dir, "storage")}`,
      "  cache:",
      "    blobdescriptor: inmemory",
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "catalog:",
      "  maxentries: 1000",
      "",
    ].join("\n"),
  );
  const log = path.join(dir, "registry.log");
  const out = fs.openSync(log, "a");
  const child = spawn(bin, ["serve", config], {
    stdio: ["ignore", out, out],
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  const base = `http://127.0.0.1:${port}`;
  const http = new HttpClient(base);
  await waitFor(
    "docker-registry",
    child,
    log,
    async () => (await http.request("GET", "/v2/")).status === 200,
  );
  return {
    name: "distribution",
    base,
    pid: child.pid!,
    authHeaders: async () => ({}),
    client: async () => http,
    stop: async () => {
      http.close();
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resident set size of a process, in MiB: the current value and the high-water mark. */
export function rss(pid: number): { rssMiB: number; hwmMiB: number } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(s)?.[1] ?? NaN);
    return { rssMiB: kb("VmRSS") / 1024, hwmMiB: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/** CPU time (user + system) the process has used so far, in ms: a server's cost, whatever else runs. */
export function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}
