// Real peers for the build tests: a git server over SSH (Debian's sshd on a private port, keys of its own,
// nothing written to /etc), build contexts as tar.gz and zip, and a plain HTTP server for archive URLs.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "../apps/api/src/infra/embedded-postgres.js";

const run = promisify(execFile);
const GIT_ENV = {
  GIT_AUTHOR_NAME: "Dev One",
  GIT_AUTHOR_EMAIL: "dev@example.com",
  GIT_COMMITTER_NAME: "Dev One",
  GIT_COMMITTER_EMAIL: "dev@example.com",
};

/** A directory holding `files` (busybox copied in where a file's content is the string "@busybox"). */
export function contextDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-ctx-"));
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (content === "@busybox") fs.copyFileSync("/bin/busybox", p);
    else fs.writeFileSync(p, content);
  }
  return dir;
}

export async function tarGz(files: Record<string, string>): Promise<Buffer> {
  const dir = contextDir(files);
  const out = path.join(os.tmpdir(), `hm-ctx-${process.pid}-${Date.now()}.tar.gz`);
  await run("tar", ["-czf", out, "--owner=0", "--group=0", "-C", dir, ...fs.readdirSync(dir)]);
  const b = fs.readFileSync(out);
  fs.rmSync(out);
  fs.rmSync(dir, { recursive: true });
  return b;
}

export async function zipOf(files: Record<string, string>): Promise<Buffer> {
  const dir = contextDir(files);
  const out = path.join(os.tmpdir(), `hm-ctx-${process.pid}-${Date.now()}.zip`);
  await run("zip", ["-qr", out, "."], { cwd: dir });
  const b = fs.readFileSync(out);
  fs.rmSync(out);
  fs.rmSync(dir, { recursive: true });
  return b;
}

/** Serves fixed files over HTTP and counts the requests. */
export async function fileServer(files: Record<string, Buffer>) {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    const body = files[req.url ?? ""];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { "content-length": body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: (p: string) => `http://127.0.0.1:${port}${p}`,
    hits: () => hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Debian's sshd on a private port serving git repositories to the keys it is given. */
export class GitServer {
  private proc: ChildProcess | null = null;
  log = "";
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<GitServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-git-"));
    fs.chmodSync(dir, 0o755);
    const port = await freePort();
    const s = new GitServer(dir, port);
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "host_key")]);
    fs.writeFileSync(path.join(dir, "authorized_keys"), "", { mode: 0o600 });
    fs.writeFileSync(
      path.join(dir, "sshd_config"),
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${dir}/host_key`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        `PidFile ${dir}/sshd.pid`,
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "StrictModes no",
        "UsePAM no",
        "LogLevel VERBOSE",
      ].join("\n") + "\n",
    );
    fs.mkdirSync("/run/sshd", { recursive: true });
    const proc = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", path.join(dir, "sshd_config")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    s.proc = proc;
    proc.stderr!.on("data", (d: Buffer) => (s.log += d.toString()));
    const end = Date.now() + 20_000;
    while (!s.log.includes("Server listening")) {
      if (Date.now() > end || proc.exitCode !== null) throw new Error(`sshd did not start: ${s.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return s;
  }

  /** Grants a public key read access (a deploy key). */
  authorize(publicKey: string): void {
    fs.appendFileSync(path.join(this.dir, "authorized_keys"), `${publicKey.trim()}\n`);
  }

  /** A new repository with one commit of `files` on `main`; returns its ssh URL and helpers. */
  async repository(name: string, files: Record<string, string>) {
    const work = contextDir(files);
    const bare = path.join(this.dir, `${name}.git`);
    const git = (cwd: string, ...args: string[]) =>
      run("git", args, { cwd, env: { ...process.env, ...GIT_ENV } }).then((r) => r.stdout.trim());
    await git(work, "init", "-q", "-b", "main");
    await git(work, "add", "-A");
    await git(work, "commit", "-q", "-m", "initial commit");
    await run("git", ["clone", "-q", "--bare", work, bare]);
    await git(work, "remote", "add", "origin", bare);
    return {
      url: `ssh://root@127.0.0.1:${this.port}${bare}`,
      head: () => git(work, "rev-parse", "HEAD"),
      /** Commits more files with `message` on `branch` and pushes; returns the commit. */
      commit: async (more: Record<string, string>, message: string, branch = "main") => {
        if (branch !== "main") await git(work, "checkout", "-q", "-B", branch);
        for (const [f, c] of Object.entries(more)) fs.writeFileSync(path.join(work, f), c);
        await git(work, "add", "-A");
        await git(work, "commit", "-q", "-m", message);
        await git(work, "push", "-q", "origin", branch);
        return git(work, "rev-parse", "HEAD");
      },
    };
  }

  async stop(): Promise<void> {
    this.proc?.kill("SIGTERM");
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Processes whose command line mentions `needle` (a build's directory), other than this one. */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle)) out.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
