// Real upstream registries for the remote client's tests: Debian's CNCF distribution (`docker-registry`)
// started on 127.0.0.1 with a generated config (open, htpasswd, or TLS with a self-signed certificate).
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../src/infra/embedded-postgres.js";

export const DOCKER_REGISTRY = "/usr/bin/docker-registry";

/** Fails (never skips) when a binary the suite needs is missing. */
export function requireBinaries(...names: string[]): void {
  const dirs = (process.env.PATH ?? "").split(":").concat("/usr/sbin", "/usr/bin");
  for (const n of names) {
    const found = n.startsWith("/") ? fs.existsSync(n) : dirs.some((d) => fs.existsSync(path.join(d, n)));
    assert.ok(
      found,
      `${n} is required by the remote-registry tests; .ci/run installs it (Debian packages docker-registry, ` +
        `skopeo, openssl, apache2-utils)`,
    );
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `hm-remote-${prefix}-`));
}

export interface Distribution {
  /** `127.0.0.1:PORT` */
  host: string;
  /** `http://…` or `https://…` */
  url: string;
  dir: string;
  /** PEM of the self-signed certificate (TLS instances). */
  cert?: string;
  stop(): Promise<void>;
}

export interface DistributionOptions {
  htpasswd?: { username: string; password: string };
  tls?: boolean;
}

/** A self-signed certificate for 127.0.0.1 made with the openssl CLI. */
export function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", key, "-out", cert].concat([
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ]),
    { stdio: "pipe" },
  );
  return { cert, key };
}

async function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited (${child.exitCode}): ${fs.readFileSync(log, "utf8")}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not listen on ${port}: ${fs.readFileSync(log, "utf8")}`);
}

export async function startDistribution(opts: DistributionOptions = {}): Promise<Distribution> {
  const dir = tempDir("distribution");
  const port = await freePort();
  const lines = [
    "version: 0.1",
    "log:",
    "  level: error",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${dir}/data`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: 127.0.0.1:${port}`,
  ];
  let cert: string | undefined;
  if (opts.tls) {
    const pair = selfSignedCert(dir);
    cert = fs.readFileSync(pair.cert, "utf8");
    lines.push("  tls:", `    certificate: ${pair.cert}`, `    key: ${pair.key}`);
  }
  if (opts.htpasswd) {
    const { username, password } = opts.htpasswd;
    // bcrypt lines, as distribution requires: apache2-utils' htpasswd.
    const line = execFileSync("htpasswd", ["-nbB", username, password], { encoding: "utf8" }).trim();
    fs.writeFileSync(path.join(dir, "htpasswd"), `${line}\n`);
    lines.push("auth:", "  htpasswd:", "    realm: harbormaster-test", `    path: ${dir}/htpasswd`);
  }
  fs.writeFileSync(path.join(dir, "config.yml"), `${lines.join("\n")}\n`);
  const log = path.join(dir, "registry.log");
  const out = fs.openSync(log, "a");
  const child = spawn(DOCKER_REGISTRY, ["serve", path.join(dir, "config.yml")], {
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  try {
    await waitForPort(port, child, log);
  } catch (e) {
    child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const host = `127.0.0.1:${port}`;
  return {
    host,
    url: `${opts.tls ? "https" : "http"}://${host}`,
    dir,
    cert,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
