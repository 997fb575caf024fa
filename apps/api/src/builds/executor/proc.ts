// Child processes of a build: each in its own process group (so a cancel reaches buildah's RUN steps
// too), stdout and stderr through one pipe (so lines keep their order), killed as a tree on abort.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { isErrorLine, LineSplitter, showCommand, type BuildLog } from "./log.js";

/** Grace between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 5_000;
/** After a child exits, how long its stragglers may keep the output pipe open. */
const DRAIN_MS = 2_000;

export interface RunOptions {
  env: Record<string, string>;
  cwd?: string;
  signal: AbortSignal;
  log: BuildLog;
  /** Sees every output line before it is logged (phase detection). */
  onLine?(line: string): void;
  /** Log the command line (default true). */
  announce?: boolean;
}

export interface RunResult {
  code: number | null;
  /** The last line that looked like an error, else the last non-blank line. */
  lastError: string;
}

export function run(cmd: string, args: string[], o: RunOptions): Promise<RunResult> {
  if (o.announce !== false) o.log.command(showCommand(cmd, args));
  return new Promise((resolve, reject) => {
    if (o.signal.aborted) return reject(o.signal.reason);
    // `exec … 2>&1` in a shell gives both streams one pipe without an extra process staying around.
    const child = spawn("/bin/sh", ["-c", 'exec "$0" "$@" 2>&1', cmd, ...args], {
      cwd: o.cwd,
      env: o.env,
      detached: true,
      stdio: ["ignore", "pipe", "ignore"],
    });
    let lastError = "";
    let lastLine = "";
    const splitter = new LineSplitter((line) => {
      if (line.trim() === "") return;
      lastLine = line;
      if (isErrorLine(line)) lastError = line;
      o.onLine?.(line);
      o.log.output(line);
    }, o.log.keep);
    child.stdout.on("data", (c: Buffer) => splitter.push(c));
    child.stdout.on("error", () => {});

    const timers: NodeJS.Timeout[] = [];
    const onAbort = () => {
      if (child.pid === undefined) return;
      killTree(child.pid, "SIGTERM");
      timers.push(setTimeout(() => killTree(child.pid!, "SIGKILL"), KILL_GRACE_MS));
    };
    o.signal.addEventListener("abort", onAbort, { once: true });
    child.on("exit", () => {
      // A background process of a RUN step may hold the pipe: end it, or "close" never comes.
      timers.push(
        setTimeout(() => {
          if (child.pid !== undefined) killTree(child.pid, "SIGKILL");
          child.stdout.destroy();
        }, DRAIN_MS),
      );
    });
    let settled = false;
    const finish = (err: unknown, code: number | null) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      o.signal.removeEventListener("abort", onAbort);
      splitter.end();
      if (err) reject(err);
      else if (o.signal.aborted) reject(o.signal.reason);
      else resolve({ code, lastError: o.log.redact(lastError || lastLine) });
    };
    child.on("error", (e) => finish(e, null));
    child.on("close", (code) => finish(null, code));
  });
}

/** Parent of each process, from /proc. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const name of safeReaddir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name (field 2) may hold spaces and parentheses: fields count from the last ')'.
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      map.set(Number(name), Number(rest[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  return map;
}

function descendants(root: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) byParent.set(ppid, [...(byParent.get(ppid) ?? []), pid]);
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop()!;
    for (const c of byParent.get(p) ?? []) {
      out.push(c);
      todo.push(c);
    }
  }
  return out;
}

const signal = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
};

/** Signals a child's process group and every descendant (some may have left the group). */
export function killTree(pid: number, sig: NodeJS.Signals): void {
  const tree = descendants(pid);
  signal(-pid, sig);
  for (const p of tree) signal(p, sig);
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Processes that belong to a build: running in, rooted in, or naming its work directory. */
export function processesOf(workdir: string): number[] {
  const inside = (p: string | null) => p !== null && (p === workdir || p.startsWith(`${workdir}/`));
  const link = (p: string) => {
    try {
      return fs.readlinkSync(p);
    } catch {
      return null;
    }
  };
  const found: number[] = [];
  for (const name of safeReaddir("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let cmdline = "";
    try {
      cmdline = fs.readFileSync(`/proc/${name}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
      continue;
    }
    // "/w/1" must not match another build's "/w/10": the path itself, or something below it.
    const named = cmdline.includes(`${workdir}/`) || cmdline.split(" ").includes(workdir);
    if (named || inside(link(`/proc/${name}/root`)) || inside(link(`/proc/${name}/cwd`)))
      found.push(Number(name));
  }
  return found;
}

/** Kills whatever of a build still runs (SIGKILL) and waits until it is gone. */
export async function killLeftovers(workdir: string, waitMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + waitMs;
  let left = processesOf(workdir);
  while (left.length && Date.now() < deadline) {
    for (const p of left) signal(p, "SIGKILL");
    await new Promise((r) => setTimeout(r, 100));
    left = processesOf(workdir);
  }
  return left;
}
