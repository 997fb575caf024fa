// Real parts for the build executor's tests: archives made in memory (tar-stream, gzip, a small stored-zip
// writer that can also write the hostile entries real zip tools refuse), a busybox base image pushed with
// buildah from scratch, local git repositories, and an OpenSSH server on a free port for ssh:// clones.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import tar from "tar-stream";
import { freePort } from "../../src/infra/embedded-postgres.js";

export const BUSYBOX = "/bin/busybox";

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `hm-exec-${prefix}-`));
}

export interface Entry {
  name: string;
  type?: "file" | "directory" | "symlink" | "link" | "character-device" | "fifo";
  /** File content: a string, bytes, or { file } to read from the host. */
  data?: string | Buffer | { file: string };
  linkname?: string;
  mode?: number;
}

const bytesOf = (d: Entry["data"]) =>
  d === undefined
    ? Buffer.alloc(0)
    : typeof d === "string"
      ? Buffer.from(d)
      : Buffer.isBuffer(d)
        ? d
        : fs.readFileSync(d.file);

export async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((r) => pack.on("end", () => r()));
  for (const e of entries) {
    const type = e.type ?? "file";
    const mode = e.mode ?? (type === "directory" ? 0o755 : 0o644);
    if (type === "file") pack.entry({ name: e.name, mode }, bytesOf(e.data));
    else pack.entry({ name: e.name, type, mode, linkname: e.linkname, devmajor: 1, devminor: 3 });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export const tgzOf = async (entries: Entry[]) => zlib.gzipSync(await tarOf(entries));

/** A zip with stored (uncompressed) entries and Unix modes, names written exactly as given. */
export function zipOf(entries: Entry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const type = e.type ?? "file";
    const name = Buffer.from(type === "directory" && !e.name.endsWith("/") ? `${e.name}/` : e.name);
    const data = type === "symlink" ? Buffer.from(e.linkname ?? "") : bytesOf(e.data);
    const kind = {
      file: 0o100000,
      directory: 0o040000,
      symlink: 0o120000,
      link: 0,
      "character-device": 0o020000,
      fifo: 0o010000,
    }[type];
    const mode = kind | (e.mode ?? (type === "directory" ? 0o755 : 0o644));
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(10, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE((3 << 8) | 20, 4); // made by Unix: the high half of the attributes is st_mode
    cd.writeUInt16LE(10, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE((mode << 16) >>> 0, 38);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += local.length + name.length + data.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuf, end]);
}

/** Pushes a busybox-only image (FROM scratch, made with buildah from/copy/commit) to `ref`. */
export function pushBusyboxBase(ref: string, creds: { username: string; password: string }): void {
  const dir = tempDir("base");
  try {
    const host = ref.split("/")[0]!;
    fs.writeFileSync(
      `${dir}/storage.conf`,
      `[storage]\ndriver="vfs"\ngraphroot="${dir}/storage"\nrunroot="${dir}/run"\n`,
    );
    fs.writeFileSync(`${dir}/registries.conf`, `[[registry]]\nlocation="${host}"\ninsecure=true\n`);
    fs.writeFileSync(`${dir}/policy.json`, '{"default":[{"type":"insecureAcceptAnything"}]}\n');
    const auth = Buffer.from(`${creds.username}:${creds.password}`).toString("base64");
    fs.writeFileSync(`${dir}/auth.json`, JSON.stringify({ auths: { [host]: { auth } } }));
    fs.mkdirSync(`${dir}/tmp`);
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      TMPDIR: `${dir}/tmp`,
      CONTAINERS_STORAGE_CONF: `${dir}/storage.conf`,
      CONTAINERS_REGISTRIES_CONF: `${dir}/registries.conf`,
      REGISTRY_AUTH_FILE: `${dir}/auth.json`,
      BUILDAH_ISOLATION: "chroot",
    };
    const buildah = (...args: string[]) =>
      execFileSync("buildah", args, { env, encoding: "utf8", stdio: "pipe" }).trim();
    const ctr = buildah("from", "scratch");
    buildah("copy", ctr, BUSYBOX, "/bin/busybox");
    buildah(
      "config",
      "--entrypoint",
      '["/bin/busybox"]',
      "--cmd",
      "sh",
      "--os",
      "linux",
      "--arch",
      "amd64",
      ctr,
    );
    buildah("commit", "-q", "--signature-policy", `${dir}/policy.json`, ctr, "localhost/busybox:base");
    buildah(
      "push",
      "--signature-policy",
      `${dir}/policy.json`,
      "--tls-verify=false",
      "localhost/busybox:base",
      `docker://${ref}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A bare repository holding `files` in one commit (plus symlinks), and that commit's SHA. */
export function gitRepo(
  dir: string,
  files: Record<string, string | { file: string } | { symlink: string }>,
): { bare: string; commit: string } {
  const work = path.join(dir, "work");
  const bare = path.join(dir, "repo.git");
  const env = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: "1",
    HOME: dir,
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@example.com",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@example.com",
  };
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: work, env, encoding: "utf8", stdio: "pipe" }).trim();
  fs.mkdirSync(work, { recursive: true });
  git("init", "-q", "-b", "main");
  for (const [name, v] of Object.entries(files)) {
    const p = path.join(work, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof v === "string") fs.writeFileSync(p, v);
    else if ("file" in v) fs.copyFileSync(v.file, p);
    else fs.symlinkSync(v.symlink, p);
  }
  git("add", "-A");
  git("commit", "-q", "-m", "build me");
  const commit = git("rev-parse", "HEAD");
  execFileSync("git", ["clone", "-q", "--bare", work, bare], { env, stdio: "pipe" });
  return { bare, commit };
}

export interface Sshd {
  port: number;
  /** The private key whose public half is authorized for root. */
  privateKey: string;
  stop(): Promise<void>;
}

/** OpenSSH's sshd as root on 127.0.0.1 with a config, host key and authorized_keys of its own. */
export async function startSshd(dir: string): Promise<Sshd> {
  // sshd insists on its privilege separation directory (compiled in, not configurable).
  fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const port = await freePort();
  const keygen = (file: string) =>
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file], { stdio: "pipe" });
  keygen(`${dir}/host_key`);
  keygen(`${dir}/user_key`);
  fs.copyFileSync(`${dir}/user_key.pub`, `${dir}/authorized_keys`);
  const config = [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${dir}/host_key`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    "PermitRootLogin prohibit-password",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    "StrictModes no",
    `PidFile ${dir}/sshd.pid`,
  ];
  fs.writeFileSync(`${dir}/sshd_config`, `${config.join("\n")}\n`);
  const log = fs.openSync(`${dir}/sshd.log`, "a");
  const child: ChildProcess = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", `${dir}/sshd_config`], {
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`sshd exited: ${fs.readFileSync(`${dir}/sshd.log`, "utf8")}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => (s.destroy(), resolve(true)));
      s.on("error", () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline)
      throw new Error(`sshd did not listen: ${fs.readFileSync(`${dir}/sshd.log`, "utf8")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    privateKey: fs.readFileSync(`${dir}/user_key`, "utf8"),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Processes whose command line, root or working directory names `dir` (what a cancel must leave none of). */
export function processesMentioning(dir: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    if (Number(pid) === process.pid) continue;
    const read = (f: () => string) => {
      try {
        return f();
      } catch {
        return "";
      }
    };
    const cmd = read(() => fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "));
    const root = read(() => fs.readlinkSync(`/proc/${pid}/root`));
    const cwd = read(() => fs.readlinkSync(`/proc/${pid}/cwd`));
    if ([cmd, root, cwd].some((s) => s.includes(dir))) found.push(`${pid}: ${cmd}`);
  }
  return found;
}
