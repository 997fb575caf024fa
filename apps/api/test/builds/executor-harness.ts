// Shared parts of the executor's tests: two real distributions (base images behind a pull robot, the
// push target), jobs with collecting callbacks, uploads, skopeo checks of what was pushed, and the table
// of hostile archives each of which must be refused while unpacking.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { BuildFailure, type BuildJob, type BuildSource } from "../../src/builds/executor/index.js";
import type { LogLine } from "../../src/builds/types.js";
import {
  DOCKER_REGISTRY,
  requireBinaries,
  startDistribution,
  type Distribution,
} from "../remote/upstreams.js";
import { BUSYBOX, pushBusyboxBase, tarOf, tempDir, tgzOf, zipOf, type Entry } from "./executor-fixtures.js";

export const PULL = { username: "puller", password: "pull-Pa55word-1" };
export const PUSH = { username: "pusher", password: "push-Pa55word-2" };
export const RUN = (cmd: string) => `RUN ["/bin/busybox","sh","-c",${JSON.stringify(cmd)}]`;

export class Harness {
  base!: Distribution;
  target!: Distribution;
  root!: string;
  baseRef!: string;
  private n = 0;

  async start(): Promise<void> {
    requireBinaries(
      DOCKER_REGISTRY,
      "buildah",
      "skopeo",
      "git",
      "ssh",
      "ssh-keygen",
      "/usr/sbin/sshd",
      BUSYBOX,
    );
    this.base = await startDistribution({ htpasswd: PULL });
    this.target = await startDistribution({ htpasswd: PUSH });
    this.root = tempDir("suite");
    this.baseRef = `${this.base.host}/base/busybox:1`;
    pushBusyboxBase(this.baseRef, PULL);
  }

  async stop(): Promise<void> {
    await this.base?.stop();
    await this.target?.stop();
    if (this.root) fs.rmSync(this.root, { recursive: true, force: true });
  }

  /** A job pushing two tags of its own repository, recording phases and log lines. */
  job(source: BuildSource, over: Partial<BuildJob> = {}) {
    const logs: LogLine[] = [];
    const phases: string[] = [];
    /** Phases and log lines in the order they came. */
    const events: string[] = [];
    const id = ++this.n;
    const job: BuildJob = {
      workdir: path.join(this.root, `work-${id}`),
      source,
      context: "/",
      dockerfilePath: "",
      tags: [`${this.target.host}/ns/app${id}:latest`, `${this.target.host}/ns/app${id}:v1`],
      push: { registry: this.target.host, ...PUSH, tlsVerify: false },
      pull: { registry: this.base.host, ...PULL, tlsVerify: false },
      timeoutMs: 300_000,
      signal: new AbortController().signal,
      onPhase: async (p) => void (phases.push(p), events.push(`phase:${p}`)),
      onLog: (l) => void (logs.push(l), events.push(l.message)),
      secrets: [],
      ...over,
    };
    return { job, logs, phases, events, text: () => logs.map((l) => l.message).join("\n") };
  }

  upload(bytes: Buffer | string): BuildSource {
    const file = path.join(this.root, `upload-${++this.n}`);
    fs.writeFileSync(file, bytes);
    return { kind: "file", path: file };
  }
}

export const skopeo = (cmd: string, ...args: string[]) =>
  execFileSync(
    "skopeo",
    [cmd, "--tls-verify=false", "--creds", `${PUSH.username}:${PUSH.password}`, ...args],
    {
      encoding: "utf8",
      stdio: "pipe",
    },
  );

/** Every tag is pullable and has the outcome's digest; the work directory is gone. */
export function assertPushed(outcome: { digest: string; tags: string[] }, job: BuildJob) {
  assert.match(outcome.digest, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(outcome.tags, job.tags);
  for (const t of job.tags) {
    const info = JSON.parse(skopeo("inspect", "--no-tags", `docker://${t}`)) as { Digest: string };
    assert.equal(info.Digest, outcome.digest, `${t} points to ${info.Digest}`);
  }
  assert.equal(fs.existsSync(job.workdir), false, "the work directory is removed");
}

export async function rejectsWith(p: Promise<unknown>, kind: BuildFailure["kind"], message: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof BuildFailure, `expected a BuildFailure, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, message);
    return true;
  });
}

export const contextEntries = (prefix = ""): Entry[] => [
  { name: `${prefix}busybox`, data: { file: BUSYBOX }, mode: 0o755 },
  { name: `${prefix}sub/`, type: "directory" },
  { name: `${prefix}sub/hello.txt`, data: "hello from the context\n" },
  { name: `${prefix}hello-link`, type: "symlink", linkname: "sub/hello.txt" },
];
export const COPY_DOCKERFILE =
  "FROM scratch\nCOPY busybox /bin/busybox\nCOPY hello-link /hello.txt\nCOPY sub /sub\n";

/** Archives that must be refused, with what the refusal must say (the entry's name). */
export const df: Entry = { name: "Dockerfile", data: "FROM scratch\n" };
export const HOSTILE: [string, () => Promise<Buffer> | Buffer, RegExp][] = [
  ["tar: ../evil", () => tarOf([df, { name: "../evil", data: "x" }]), /"\.\.\/evil".*leaves the archive/],
  [
    "tar: a/../../../evil",
    () => tarOf([df, { name: "a/../../../evil", data: "x" }]),
    /"a\/\.\.\/\.\.\/\.\.\/evil"/,
  ],
  ["tar: an absolute path", () => tarOf([df, { name: "/abs-evil", data: "x" }]), /"\/abs-evil".*absolute/],
  [
    "tar: a symlink to /etc/passwd",
    () => tarOf([df, { name: "pw", type: "symlink", linkname: "/etc/passwd" }]),
    /"pw".*points to \/etc\/passwd/,
  ],
  [
    "tar.gz: a symlink climbing out",
    () => tgzOf([df, { name: "a/up", type: "symlink", linkname: "../../.." }]),
    /"a\/up".*outside/,
  ],
  [
    "tar: a symlink written through an earlier inside one",
    () =>
      tarOf([
        df,
        { name: "a/", type: "directory" },
        { name: "a/l", type: "symlink", linkname: ".." },
        { name: "a/l/up", type: "symlink", linkname: "../evil" },
      ]),
    /"a\/l\/up".*outside/,
  ],
  [
    "tar: a hard link to /etc/passwd",
    () => tarOf([df, { name: "pw", type: "link", linkname: "/etc/passwd" }]),
    /"pw".*hard link points to \/etc\/passwd/,
  ],
  [
    "tar: a character device",
    () => tarOf([df, { name: "null", type: "character-device" }]),
    /"null".*not allowed/,
  ],
  ["tar: a fifo", () => tarOf([df, { name: "pipe", type: "fifo" }]), /"pipe".*not allowed/],
  [
    "zip: a symlink to /etc/passwd",
    () => zipOf([df, { name: "pw", type: "symlink", linkname: "/etc/passwd" }]),
    /"pw".*points to \/etc\/passwd/,
  ],
  ["zip: ../evil", () => zipOf([df, { name: "../evil", data: "x" }]), /"\.\.\/evil".*leaves the archive/],
  ["zip: a fifo", () => zipOf([df, { name: "pipe", type: "fifo" }]), /"pipe".*not allowed/],
];
