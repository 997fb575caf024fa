// The build executor: one build's source turned into a pushed image with buildah. Phases in Quay's order
// (unpacking, pulling, building, pushing), every output line logged with secrets masked, cancel and
// timeout ending the whole process tree, and the work directory removed whatever happened.
import fs from "node:fs";
import path from "node:path";
import { build, pushAll } from "./buildah.js";
import { removeWorkdir } from "./cleanup.js";
import { cloneSource } from "./git.js";
import { layoutOf, makeDirs, writeConfig, type Layout } from "./hermetic.js";
import {
  BuildFailure,
  DEFAULT_MAX_CONTEXT_BYTES,
  DEFAULT_MAX_CONTEXT_ENTRIES,
  userError,
  type BuildJob,
  type BuildOutcome,
  type ExecutorPhase,
} from "./job.js";
import { BuildLog } from "./log.js";
import { download, locate, unpackFile } from "./source.js";

export { BuildFailure } from "./job.js";
export type {
  BuildJob,
  BuildOutcome,
  BuildSource,
  ExecutorPhase,
  FailureKind,
  RegistryCreds,
} from "./job.js";
export { sshCommand } from "./git.js";

/** setTimeout's largest delay; longer ones would fire at once. */
const MAX_TIMER = 2 ** 31 - 1;
const REFERENCE = /^[a-z0-9][a-z0-9._:/@-]*$/i;

type Reason = "cancelled" | "timeout";

/** Calls onPhase in order; a phase reached in the middle of a command is awaited after it. */
class Phases {
  private pending: Promise<void>[] = [];
  private failure: { error: unknown } | null = null;

  constructor(private readonly job: BuildJob) {}

  enter(p: ExecutorPhase): void {
    // Called at once (before the line that triggered it is logged), its rejection caught at once: one
    // waiting for reach() must not count as unhandled.
    let done: Promise<void>;
    try {
      done = Promise.resolve(this.job.onPhase(p));
    } catch (e) {
      done = Promise.reject(e);
    }
    this.pending.push(
      done.catch((error: unknown) => {
        this.failure ??= { error };
      }),
    );
  }

  async reach(p?: ExecutorPhase): Promise<void> {
    if (p) this.enter(p);
    const all = this.pending;
    this.pending = [];
    await Promise.all(all);
    if (this.failure) throw this.failure.error;
  }
}

const usableWorkdir = (dir: string) => path.isAbsolute(dir) && path.resolve(dir) !== "/";

function validate(job: BuildJob): void {
  if (!usableWorkdir(job.workdir))
    throw new BuildFailure("internal", `The work directory must be an absolute path below /: ${job.workdir}`);
  if (job.tags.length === 0) throw new BuildFailure("internal", "A build needs at least one tag to push");
  for (const t of job.tags) if (!REFERENCE.test(t)) throw userError(`Invalid image reference: ${t}`);
}

async function unpack(job: BuildJob, l: Layout, signal: AbortSignal, log: BuildLog) {
  const limits = {
    maxBytes: job.maxContextBytes ?? DEFAULT_MAX_CONTEXT_BYTES,
    maxEntries: job.maxContextEntries ?? DEFAULT_MAX_CONTEXT_ENTRIES,
  };
  const s = job.source;
  if (s.kind === "git") {
    await cloneSource(s, l, signal, log);
    return locate(l.source, job.context, job.dockerfilePath);
  }
  let file: string;
  if (s.kind === "url") {
    await download(s.url, l.download, limits.maxBytes, signal, log);
    file = l.download;
  } else file = s.path;
  const what = await unpackFile(file, l.source, limits, signal, log);
  if (signal.aborted) throw signal.reason;
  // A lone Dockerfile is its own context; the job's paths are for archives and repositories.
  if (what === "dockerfile") return { contextDir: l.source, dockerfile: path.join(l.source, "Dockerfile") };
  return locate(l.source, job.context, job.dockerfilePath);
}

async function execute(job: BuildJob, signal: AbortSignal, log: BuildLog): Promise<BuildOutcome> {
  const phases = new Phases(job);
  const l = layoutOf(path.resolve(job.workdir));
  await phases.reach("unpacking");
  await makeDirs(l);
  const at = await unpack(job, l, signal, log);
  const hermetic = await writeConfig(l, job);
  for (const s of hermetic.secrets) log.addSecret(s);
  const c = { layout: l, hermetic, signal, log };
  const image = job.tags[0]!;
  await phases.reach("pulling");
  await build(c, at, image, (p) => phases.enter(p));
  await phases.reach("pushing");
  const digest = await pushAll(c, image, job.tags, job.push.tlsVerify);
  return { digest, tags: [...job.tags] };
}

function failureOf(e: unknown, signal: AbortSignal, job: BuildJob): BuildFailure {
  if (signal.aborted) {
    const reason = signal.reason as Reason;
    if (reason === "timeout")
      return new BuildFailure("timeout", `Build timed out after ${Math.round(job.timeoutMs / 1000)} seconds`);
    return new BuildFailure("cancelled", "Build was cancelled");
  }
  if (e instanceof BuildFailure) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new BuildFailure("internal", `Internal error in the build executor: ${msg}`);
}

export async function runBuild(job: BuildJob): Promise<BuildOutcome> {
  const log = new BuildLog(
    (line) => job.onLog(line),
    [...job.secrets, job.push.password, ...(job.pull ? [job.pull.password] : [])],
  );
  const ctl = new AbortController();
  const cancel = () => ctl.abort("cancelled" satisfies Reason);
  if (job.signal.aborted) cancel();
  else job.signal.addEventListener("abort", cancel, { once: true });
  const timer = setTimeout(() => ctl.abort("timeout" satisfies Reason), Math.min(job.timeoutMs, MAX_TIMER));
  const removable = usableWorkdir(job.workdir);
  try {
    validate(job);
    fs.mkdirSync(job.workdir, { recursive: true, mode: 0o700 });
    if (ctl.signal.aborted) throw ctl.signal.reason;
    return await execute(job, ctl.signal, log);
  } catch (e) {
    const f = failureOf(e, ctl.signal, job);
    f.message = log.redact(f.message);
    if (!f.logged) log.error(f.message);
    throw f;
  } finally {
    clearTimeout(timer);
    job.signal.removeEventListener("abort", cancel);
    if (removable) for (const p of await removeWorkdir(path.resolve(job.workdir))) log.error(`Cleanup: ${p}`);
  }
}
