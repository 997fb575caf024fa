// Redis for Bull. When nothing answers at the configured URL (and it is the default one), start
// redis-server from PATH on a private port with its data under DATA_DIR/redis.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Logger } from "./logger.js";

export interface RedisEndpoint {
  url: string;
  stop(): Promise<void>;
}

function answers(url: string, timeoutMs = 1000): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on("error", () => done(false));
    sock.on("connect", () => sock.write("PING\r\n"));
    sock.on("data", (d) => done(d.toString().startsWith("+PONG") || d.toString().startsWith("-NOAUTH")));
  });
}

export async function ensureRedis(
  url: string,
  isDefault: boolean,
  dataDir: string,
  log: Logger,
): Promise<RedisEndpoint> {
  if (await answers(url)) return { url, stop: async () => {} };
  if (!isDefault) throw new Error(`Redis does not answer at ${url}`);
  if (spawnSync("sh", ["-c", "command -v redis-server"]).status !== 0) {
    throw new Error(
      "Redis is not running at 127.0.0.1:6379 and redis-server is not installed: apt-get install redis-server",
    );
  }
  const dir = path.join(dataDir, "redis");
  fs.mkdirSync(dir, { recursive: true });
  const port = 16379 + Math.floor(Math.random() * 1000);
  const child: ChildProcess = spawn(
    "redis-server",
    ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--save", "60 1", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const local = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await answers(local, 200)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers(local))) throw new Error("could not start redis-server");
  log.info({ port, dir }, "started a private redis-server");
  return {
    url: local,
    stop: async () => {
      child.kill("SIGTERM");
    },
  };
}
