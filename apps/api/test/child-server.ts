// Runs the real entry point (`apps/api/src/main.ts`) as a child process on its own database, Redis prefix
// and data directory, for tests that must kill it or read its logs.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../src/infra/embedded-postgres.js";
import { createTestDatabase } from "./harness.js";

export class ChildServer {
  child: ChildProcess | null = null;
  output = "";
  private constructor(
    readonly env: Record<string, string>,
    readonly port: number,
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async create(extra: Record<string, string> = {}): Promise<ChildServer> {
    const db = await createTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-child-"));
    const port = await freePort();
    const env = {
      DATABASE_URL: db.url,
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
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, ["--import", "tsx", "apps/api/src/main.ts"], {
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    child.stdout!.on("data", (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (this.output += d.toString()));
    for (let i = 0; i < 300; i++) {
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
    await this.cleanup();
  }
}
