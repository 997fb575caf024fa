// The "pulling", "building" and "pushing" phases: one `buildah build` (its FROM steps are the pull), then
// one `buildah push` per tag, each reporting its digest, which must be the same for all of them.
import fs from "node:fs/promises";
import path from "node:path";
import { BuildFailure, type ExecutorPhase } from "./job.js";
import type { Hermetic, Layout } from "./hermetic.js";
import type { BuildLog } from "./log.js";
import { run, type RunResult } from "./proc.js";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface StepContext {
  layout: Layout;
  hermetic: Hermetic;
  signal: AbortSignal;
  log: BuildLog;
}

/** A child's failure: its own last error line (already in the log), or its exit code. */
function failed(what: string, r: RunResult): BuildFailure {
  // 127 from the shell: the binary itself is missing, which is the worker's problem, not the user's.
  if (r.code === 127) return new BuildFailure("internal", `${what} could not be started: ${r.lastError}`);
  const f = new BuildFailure("error", r.lastError || `${what} exited with code ${r.code}`);
  f.logged = r.lastError !== "";
  return f;
}

/** A build's first step that is not a FROM (or its first commit) ends the pulling. */
const endsPulling = (line: string) => /^STEP \d+\/\d+: (?!FROM\b)/i.test(line) || /^COMMIT\b/.test(line);

export async function build(
  c: StepContext,
  at: { contextDir: string; dockerfile: string },
  image: string,
  phase: (p: ExecutorPhase) => void,
): Promise<void> {
  let pulling = true;
  // No --tls-verify: it would apply to every registry (Docker Hub too); registries.conf marks the
  // insecure ones instead.
  const args = [
    "build",
    "--signature-policy",
    c.hermetic.policy,
    "--isolation",
    "chroot",
    "--layers=false",
    "--format",
    "oci",
    "-f",
    at.dockerfile,
    "-t",
    image,
    at.contextDir,
  ];
  const r = await run("buildah", args, {
    env: c.hermetic.env,
    cwd: c.layout.workdir,
    signal: c.signal,
    log: c.log,
    onLine: (line) => {
      if (pulling && endsPulling(line)) {
        pulling = false;
        phase("building");
      }
    },
  });
  if (r.code !== 0) throw failed("buildah build", r);
  if (pulling) phase("building");
}

export async function pushAll(
  c: StepContext,
  image: string,
  tags: string[],
  tlsVerify: boolean,
): Promise<string> {
  let digest = "";
  for (const [i, tag] of tags.entries()) {
    const file = path.join(c.layout.workdir, `digest-${i}`);
    const args = [
      "push",
      "--signature-policy",
      c.hermetic.policy,
      `--tls-verify=${tlsVerify}`,
      "--format",
      "oci",
      "--digestfile",
      file,
      image,
      `docker://${tag}`,
    ];
    const r = await run("buildah", args, {
      env: c.hermetic.env,
      cwd: c.layout.workdir,
      signal: c.signal,
      log: c.log,
    });
    if (r.code !== 0) throw failed("buildah push", r);
    const got = (await fs.readFile(file, "utf8").catch(() => "")).trim();
    if (!DIGEST.test(got)) throw new BuildFailure("internal", `buildah push reported no digest for ${tag}`);
    if (digest && got !== digest)
      throw new BuildFailure("internal", `${tag} was pushed as ${got}, not ${digest} like ${tags[0]}`);
    digest = got;
    c.log.info(`Pushed ${tag} (${got})`);
  }
  return digest;
}
