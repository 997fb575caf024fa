// The "unpacking" phase for git sources: a clone with the trigger's deploy key (a key file only the
// worker can read, a known_hosts of the build's own), then the commit checked out, detached.
import fs from "node:fs/promises";
import { BuildFailure, userError } from "./job.js";
import { baseEnv, type Layout } from "./hermetic.js";
import type { BuildLog } from "./log.js";
import { run } from "./proc.js";
import { urlSecrets } from "./source.js";

/** The transports a build may clone over (GIT_ALLOW_PROTOCOL): no ext::, fd:: or other helpers. */
const PROTOCOLS = "ssh:git:http:https:file";
const COMMIT = /^[0-9a-f]{4,64}$/i;

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The ssh command git runs: only the deploy key, a known_hosts of the build's own, no prompts. */
export function sshCommand(keyFile: string | null, knownHosts: string): string {
  return [
    "ssh",
    ...(keyFile ? ["-i", shq(keyFile)] : []),
    "-F /dev/null",
    "-o IdentitiesOnly=yes",
    "-o StrictHostKeyChecking=accept-new",
    `-o UserKnownHostsFile=${shq(knownHosts)}`,
    "-o BatchMode=yes",
  ].join(" ");
}

export interface GitSource {
  url: string;
  commit: string;
  privateKey?: string;
  ref?: string;
}

export async function cloneSource(
  g: GitSource,
  l: Layout,
  signal: AbortSignal,
  log: BuildLog,
): Promise<void> {
  if (!g.url || g.url.startsWith("-") || /[\0\r\n]/.test(g.url)) throw userError(`Invalid git URL: ${g.url}`);
  if (!COMMIT.test(g.commit)) throw userError(`Invalid commit SHA: ${g.commit}`);
  if (g.ref !== undefined && (g.ref.startsWith("-") || /[\0\s]/.test(g.ref)))
    throw userError(`Invalid git ref: ${g.ref}`);
  let keyFile: string | null = null;
  if (g.privateKey) {
    log.addSecret(g.privateKey);
    keyFile = l.sshKey;
    // OpenSSH refuses keys without a final newline or readable by others.
    const key = g.privateKey.replace(/\r\n?/g, "\n");
    await fs.writeFile(keyFile, key.endsWith("\n") ? key : `${key}\n`, { mode: 0o600 });
    await fs.chmod(keyFile, 0o600);
  }
  try {
    for (const pw of urlSecrets(new URL(g.url))) log.addSecret(pw);
  } catch {
    // scp-like "git@host:path" or a plain path: no password to hide.
  }
  const env = {
    ...baseEnv(l),
    GIT_SSH_COMMAND: sshCommand(keyFile, l.knownHosts),
    GIT_ALLOW_PROTOCOL: PROTOCOLS,
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_ASKPASS: "/bin/false",
  };
  const git = async (args: string[], failure: string) => {
    const r = await run("git", args, { env, signal, log, cwd: l.workdir });
    if (r.code === 0) return true;
    if (failure === "") return false;
    throw new BuildFailure("error", `${failure}: ${r.lastError || `git exited with code ${r.code}`}`);
  };
  await git(["clone", "--no-checkout", "--", g.url, l.source], "Could not clone the repository");
  const src = ["-C", l.source];
  // A commit no branch or tag reaches (a pull request's head, say) needs its ref or itself fetched.
  if (!(await git([...src, "cat-file", "-e", `${g.commit}^{commit}`], "")))
    await git([...src, "fetch", "origin", g.ref ?? g.commit], "Could not fetch the commit");
  await git(
    [...src, "-c", "advice.detachedHead=false", "checkout", "--detach", g.commit, "--"],
    `Could not check out ${g.commit}`,
  );
}
