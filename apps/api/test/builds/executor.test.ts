// The build executor against real parts: buildah (vfs, chroot isolation) building from uploads, URLs and
// git (file:// and ssh:// through a real sshd), base images pulled from one CNCF distribution with a pull
// robot's credentials, results pushed to another and inspected with skopeo. Cancel, timeout, failing
// steps, hostile archives and secrets in the log are covered; the work directory must always be gone.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { runBuild, sshCommand, type BuildJob, type BuildSource } from "../../src/builds/executor/index.js";
import { BuildLog, LineSplitter, MAX_LINE } from "../../src/builds/executor/log.js";
import type { LogLine } from "../../src/builds/types.js";
import {
  BUSYBOX,
  gitRepo,
  processesMentioning,
  startSshd,
  tarOf,
  tempDir,
  tgzOf,
  zipOf,
  type Entry,
  type Sshd,
} from "./executor-fixtures.js";
import {
  assertPushed,
  contextEntries,
  COPY_DOCKERFILE,
  df,
  Harness,
  HOSTILE,
  PULL,
  PUSH,
  rejectsWith,
  RUN,
  skopeo,
} from "./executor-harness.js";

const h = new Harness();
before(() => h.start());
after(() => h.stop());
const makeJob = (source: BuildSource, over: Partial<BuildJob> = {}) => h.job(source, over);
const upload = (bytes: Buffer | string) => h.upload(bytes);

describe("sources", { timeout: 600_000 }, () => {
  test("a lone Dockerfile builds FROM a base behind a pull robot; RUN sees none of the worker's env", async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = "postgres://hm:db-Secret-in-env@127.0.0.1/hm";
    try {
      const dockerfile = `FROM ${h.baseRef}\n${RUN("echo hi > /hi")}\n${RUN("/bin/busybox env")}\n`;
      const { job, phases, events, logs, text } = makeJob(upload(dockerfile));
      const outcome = await runBuild(job);
      assertPushed(outcome, job);
      assert.deepEqual(phases, ["unpacking", "pulling", "building", "pushing"]);
      // The FROM step (the pull) is "pulling"; "building" starts right before the first other step.
      const building = events.indexOf("phase:building");
      assert.ok(events.indexOf(`STEP 1/3: FROM ${h.baseRef}`) < building);
      assert.match(events[building + 1]!, /^STEP 2\/3: RUN/);
      assert.ok(logs.some((l) => l.type === "command" && l.message.startsWith("buildah build ")));
      assert.ok(logs.some((l) => l.type === "command" && l.message.startsWith("STEP 2/3: RUN")));
      assert.ok(logs.some((l) => l.type === "command" && l.message.startsWith("buildah push ")));
      assert.match(text(), /^PATH=/m, "the RUN step's env is in the log");
      assert.doesNotMatch(text(), /db-Secret-in-env|DATABASE_URL/);
      for (const s of [PUSH.password, PULL.password]) assert.ok(!text().includes(s));
      const config = JSON.parse(skopeo("inspect", "--config", `docker://${job.tags[0]}`)) as {
        history: { created_by?: string }[];
      };
      assert.ok(config.history.some((h) => h.created_by?.includes("echo hi > /hi")));
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });

  test("a tar.gz context (with an inside symlink and a hard link) is extracted and built", async () => {
    const hard: Entry = { name: "sub/hard", type: "link", linkname: "sub/hello.txt" };
    const dockerfile = `${COPY_DOCKERFILE}COPY sub/hard /hard\n`;
    const { job } = makeJob(
      upload(await tgzOf([{ name: "Dockerfile", data: dockerfile }, ...contextEntries(), hard])),
    );
    assertPushed(await runBuild(job), job);
  });

  test("a zip context is extracted and built", async () => {
    const { job } = makeJob(
      upload(zipOf([{ name: "Dockerfile", data: COPY_DOCKERFILE }, ...contextEntries()])),
    );
    assertPushed(await runBuild(job), job);
  });

  test("a URL to an archive is downloaded and built; a 404 fails in unpacking", async () => {
    const tgz = await tgzOf([{ name: "Dockerfile", data: COPY_DOCKERFILE }, ...contextEntries()]);
    const server = http.createServer((req, res) => {
      if (req.url?.startsWith("/ctx.tgz")) res.end(tgz);
      else res.writeHead(404).end("no");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      const { job } = makeJob({ kind: "url", url: `http://127.0.0.1:${port}/ctx.tgz?sig=1` });
      assertPushed(await runBuild(job), job);
      const missing = makeJob({ kind: "url", url: `http://127.0.0.1:${port}/nothing` });
      await rejectsWith(runBuild(missing.job), "error", /HTTP 404/);
      assert.deepEqual(missing.phases, ["unpacking"]);
      assert.equal(fs.existsSync(missing.job.workdir), false);
    } finally {
      server.close();
    }
  });

  test("a context subdirectory with a Dockerfile outside it (plain tar)", async () => {
    const entries = [...contextEntries("app/"), { name: "docker/Build.dockerfile", data: COPY_DOCKERFILE }];
    const { job } = makeJob(upload(await tarOf(entries)), {
      context: "app/",
      dockerfilePath: "/docker/Build.dockerfile",
    });
    assertPushed(await runBuild(job), job);
    const nodf = makeJob(upload(await tarOf(entries)), { context: "/app" });
    await rejectsWith(runBuild(nodf.job), "error", /Could not find Dockerfile at \/app\/Dockerfile/);
    const up = makeJob(upload(await tarOf(entries)), { context: "../app" });
    await rejectsWith(runBuild(up.job), "error", /leads outside the build source/);
  });

  test("git: a local bare repository (file://) checked out at the commit; symlinked paths cannot leave it", async () => {
    const { bare, commit } = gitRepo(fs.mkdtempSync(path.join(h.root, "git-")), {
      Dockerfile: COPY_DOCKERFILE,
      busybox: { file: BUSYBOX },
      "sub/hello.txt": "hello from git\n",
      "hello-link": { symlink: "sub/hello.txt" },
      up: { symlink: "/" },
    });
    fs.chmodSync(bare, 0o755);
    const { job, logs } = makeJob({ kind: "git", url: `file://${bare}`, commit, ref: "refs/heads/main" });
    assertPushed(await runBuild(job), job);
    assert.ok(logs.some((l) => l.type === "command" && l.message.startsWith("git clone --no-checkout")));
    assert.ok(logs.some((l) => l.type === "command" && l.message.includes(`checkout --detach ${commit}`)));
    const out = makeJob({ kind: "git", url: bare, commit }, { context: "/up/etc" });
    await rejectsWith(runBuild(out.job), "error", /build context \/up\/etc leads outside/);
    const dfOut = makeJob({ kind: "git", url: bare, commit }, { dockerfilePath: "/up/etc/passwd" });
    await rejectsWith(runBuild(dfOut.job), "error", /Dockerfile path \/up\/etc\/passwd leads outside/);
    const bad = makeJob({ kind: "git", url: bare, commit: "0".repeat(40) });
    await rejectsWith(runBuild(bad.job), "error", /Could not (fetch|check out)/);
  });

  test("git over ssh:// with a deploy key, against a real sshd", async () => {
    const dir = tempDir("ssh");
    const sshd: Sshd = await startSshd(dir);
    try {
      const { bare, commit } = gitRepo(dir, {
        Dockerfile: `FROM ${h.baseRef}\n${RUN("echo from-ssh > /x")}\n`,
      });
      let keyMode = -1;
      let knownHosts = "";
      const { job, logs, text } = makeJob(
        { kind: "git", url: `ssh://root@127.0.0.1:${sshd.port}${bare}`, commit, privateKey: sshd.privateKey },
        {
          onPhase: async (p) => {
            if (p !== "pulling") return;
            keyMode = fs.statSync(path.join(job.workdir, "auth", "id_deploy")).mode & 0o777;
            knownHosts = fs.readFileSync(path.join(job.workdir, "known_hosts"), "utf8");
          },
        },
      );
      assertPushed(await runBuild(job), job);
      assert.equal(keyMode, 0o600);
      assert.match(knownHosts, /127\.0\.0\.1/);
      assert.ok(logs.some((l) => l.type === "command" && l.message.includes("git clone")));
      assert.ok(!text().includes(sshd.privateKey.split("\n")[1]!), "no line of the key reaches the log");
    } finally {
      await sshd.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("failures", { timeout: 600_000 }, () => {
  test("a failing RUN step is an error carrying buildah's message; the log has it; workdir removed", async () => {
    const { job, logs } = makeJob(upload(`FROM ${h.baseRef}\n${RUN("echo about-to-fail; exit 3")}\n`));
    await rejectsWith(runBuild(job), "error", /exit status 3/);
    assert.ok(logs.some((l) => l.message === "about-to-fail"));
    assert.ok(logs.some((l) => l.type === "error" && /exit status 3/.test(l.message)));
    assert.equal(fs.existsSync(job.workdir), false);
  });

  test("cancel during a RUN step stops every process of the build", async () => {
    const ctl = new AbortController();
    const { job } = makeJob(upload(`FROM ${h.baseRef}\n${RUN("echo sleeping-now; sleep 60")}\n`), {
      signal: ctl.signal,
      onLog: (l) => {
        if (l.message === "sleeping-now") ctl.abort();
      },
    });
    await rejectsWith(runBuild(job), "cancelled", /cancelled/);
    assert.deepEqual(processesMentioning(job.workdir), []);
    assert.equal(fs.existsSync(job.workdir), false);
  });

  test("a build cancelled before it starts does nothing and leaves nothing", async () => {
    const ctl = new AbortController();
    ctl.abort();
    const { job, phases } = makeJob(upload(`FROM ${h.baseRef}\n`), { signal: ctl.signal });
    await rejectsWith(runBuild(job), "cancelled", /cancelled/);
    assert.deepEqual(phases, []);
    assert.equal(fs.existsSync(job.workdir), false);
  });

  test("a build over its time is stopped as a timeout", async () => {
    const { job } = makeJob(upload(`FROM ${h.baseRef}\n${RUN("sleep 600")}\n`), { timeoutMs: 4_000 });
    await rejectsWith(runBuild(job), "timeout", /^Build timed out after 4 seconds$/);
    assert.deepEqual(processesMentioning(job.workdir), []);
    assert.equal(fs.existsSync(job.workdir), false);
  });

  test("secrets never reach the log, even when a RUN step prints them", async () => {
    const secret = "hunter2-Very-Secret";
    const { job, text } = makeJob(upload(`FROM ${h.baseRef}\n${RUN(`echo the token is ${secret}`)}\n`), {
      secrets: [secret],
    });
    assertPushed(await runBuild(job), job);
    assert.ok(!text().includes(secret));
    assert.match(text(), /the token is \*{8}/);
  });

  test("a file that is neither a Dockerfile nor an archive, or a damaged archive, is the user's error", async () => {
    const { job } = makeJob(upload(fs.readFileSync(BUSYBOX).subarray(0, 4096)));
    await rejectsWith(runBuild(job), "error", /not a Dockerfile/);
    const gz = makeJob(upload(Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(64, 0x55)])));
    await rejectsWith(runBuild(gz.job), "error", /tar\.gz archive cannot be extracted/);
    const zip = zipOf([{ name: "Dockerfile", data: "FROM scratch\n" }]);
    const cut = makeJob(upload(zip.subarray(0, zip.length - 30)));
    await rejectsWith(runBuild(cut.job), "error", /zip archive cannot be extracted/);
  });
});

describe("log lines", () => {
  test("split on \\n, \\r and \\r\\n (also across chunks), blank ones dropped, long ones cut", () => {
    const out: LogLine[] = [];
    const log = new BuildLog((l) => out.push(l), ["s3cret-XYZ"]);
    const split = new LineSplitter((l) => log.output(l), log.keep);
    for (const c of [
      "STEP 1/2: FROM x\r",
      "\nprogress 10%\rprogress 20%\r\n\n",
      "Error: token s3cr",
      "et-XYZ refused\n",
    ])
      split.push(Buffer.from(c));
    split.push(Buffer.from(`${"a".repeat(MAX_LINE * 2)}\nlast`));
    split.end();
    assert.deepEqual(
      out.slice(0, 4).map((l) => [l.type, l.message]),
      [
        ["command", "STEP 1/2: FROM x"],
        ["", "progress 10%"],
        ["", "progress 20%"],
        ["error", "Error: token ******** refused"],
      ],
    );
    assert.equal(out[4]!.message.length, MAX_LINE);
    assert.match(out[4]!.message, /truncated\)$/);
    assert.equal(out[5]!.message, "last");
    assert.equal(out.length, 6);
  });

  test("multi-line secrets (keys) are masked line by line", () => {
    const out: LogLine[] = [];
    const key = "-----BEGIN KEY-----\nAAAABBBBCCCCDDDD\n-----END KEY-----\n";
    new BuildLog((l) => out.push(l), [key]).info("leaked AAAABBBBCCCCDDDD here");
    assert.equal(out[0]!.message, "leaked ******** here");
  });

  test("GIT_SSH_COMMAND uses only the deploy key and the build's own known_hosts", () => {
    const cmd = sshCommand("/w/auth/id_deploy", "/w/known_hosts");
    assert.match(cmd, /^ssh -i '\/w\/auth\/id_deploy' /);
    for (const o of [
      "IdentitiesOnly=yes",
      "StrictHostKeyChecking=accept-new",
      "UserKnownHostsFile='/w/known_hosts'",
    ])
      assert.ok(cmd.includes(`-o ${o}`), cmd);
  });
});

describe("hostile archives are refused before anything is built", { timeout: 120_000 }, () => {
  for (const [name, make, message] of HOSTILE) {
    test(name, async () => {
      const { job, phases } = makeJob(upload(await make()));
      await rejectsWith(runBuild(job), "error", message);
      assert.deepEqual(phases, ["unpacking"]);
      assert.equal(fs.existsSync(job.workdir), false);
      assert.equal(fs.existsSync(path.join(h.root, "evil")), false, "nothing was written outside");
      assert.equal(fs.existsSync("/abs-evil"), false);
    });
  }

  test("size and entry caps", async () => {
    const big = makeJob(upload(await tarOf([df, { name: "big", data: Buffer.alloc(5000) }])), {
      maxContextBytes: 1000,
    });
    await rejectsWith(runBuild(big.job), "error", /"big".*more than 1000 bytes/);
    const many = Array.from({ length: 10 }, (_, i): Entry => ({ name: `f${i}`, data: "x" }));
    const count = makeJob(upload(zipOf([df, ...many])), { maxContextEntries: 5 });
    await rejectsWith(runBuild(count.job), "error", /more than 5 entries/);
    const gz = makeJob(upload(await tgzOf([df, { name: "zeros", data: Buffer.alloc(1 << 20) }])), {
      maxContextBytes: 4096,
    });
    await rejectsWith(runBuild(gz.job), "error", /"zeros".*more than 4096 bytes/);
  });
});
