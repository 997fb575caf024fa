// Runs the real entry point (`apps/api/src/main.ts`) as a child process on its own database, Redis prefix
// and data directory, for tests that must kill it or read its logs.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, stopPostmaster } from "../src/infra/embedded-postgres.js";
import { createTestDatabase } from "./harness.js";

export class ChildServer {
  child: ChildProcess | null = null;
  output = "";
  private constructor(
    readonly env: Record<string, string>,
    readonly port: number,
    private readonly cleanup: () => Promise<void>,
  ) {}

  /** `embeddedDb`: no DATABASE_URL, so the server runs its own PostgreSQL under DATA_DIR (the quickstart). */
  static async create(
    extra: Record<string, string> = {},
    opts: { embeddedDb?: boolean } = {},
  ): Promise<ChildServer> {
    const db = opts.embeddedDb ? null : await createTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-child-"));
    // As root, the embedded PostgreSQL runs as `postgres`, which must reach the directory (mkdtemp gives 0700).
    if (opts.embeddedDb) fs.chmodSync(dataDir, 0o755);
    const port = await freePort();
    const env: Record<string, string> = {
      ...(db ? { DATABASE_URL: db.url } : {}),
      REDIS_PREFIX: `hmchild:${crypto.randomBytes(4).toString("hex")}`,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      SERVER_HOSTNAME: `127.0.0.1:${port}`,
      LOG_LEVEL: "silent",
      INITIAL_SUPERUSER: "admin",
      INITIAL_SUPERUSER_PASSWORD: "admin-password",
      ...extra,
    };
    return new ChildServer(env, port, async () => {
      await db?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
  }

  /** Another server on the same environment and data directory, on its own port (cleaned up with this one). */
  async twin(): Promise<ChildServer> {
    const port = await freePort();
    return new ChildServer(
      { ...this.env, PORT: String(port), SERVER_HOSTNAME: `127.0.0.1:${port}` },
      port,
      async () => {},
    );
  }

  /** Starts the process and waits for it to exit on its own; resolves with its exit code. */
  async run(timeoutMs = 60_000): Promise<number | null> {
    const child = this.spawn();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs);
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  private spawn(): ChildProcess {
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.env };
    if (!this.env.DATABASE_URL) delete env.DATABASE_URL; // the embedded database, whatever the runner has
    const child = spawn(process.execPath, ["--import", "tsx", "apps/api/src/main.ts"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    child.stdout!.on("data", (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (this.output += d.toString()));
    return child;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    const child = this.spawn();
    for (let i = 0; i < timeoutMs / 100; i++) {
      const ok = await fetch(`${this.url}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return;
      if (child.exitCode !== null) throw new Error(`server exited: ${this.output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("server did not become ready");
  }

  /** SIGTERM (a clean stop); resolves with the exit code once the process is gone. */
  terminate(): Promise<number | null> {
    return new Promise((resolve) => {
      const c = this.child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve(c?.exitCode ?? null);
      c.once("exit", (code) => resolve(code));
      c.kill("SIGTERM");
    });
  }

  /** kill -9; resolves once the process is gone. */
  kill9(): Promise<void> {
    return new Promise((resolve) => {
      const c = this.child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once("exit", () => resolve());
      c.kill("SIGKILL");
    });
  }

  async destroy(): Promise<void> {
    await this.kill9();
    // A killed server leaves its embedded PostgreSQL running (that is what the next start takes over).
    if (!this.env.DATABASE_URL) stopPostmaster(path.join(this.env.DATA_DIR!, "pg"));
    await this.cleanup();
  }
}
