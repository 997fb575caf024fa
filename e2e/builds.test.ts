// Dockerfile builds end to end, with real parts: Quay's filedrop upload and build API, the server's worker
// running buildah, podman pulling the result, a custom git trigger cloning over SSH from Debian's sshd with
// its deploy key, reached by the seed's webhook. Builds run one at a time here (BUILD_WORKERS 1).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RestWorld, type Rest } from "../apps/api/test/rest/client.js";
import { until } from "../apps/api/test/notifications/receivers.js";
import { watchRepository } from "../apps/api/test/harness.js";
import { Clients, haveClients } from "./clients.js";
import { fileServer, GitServer, processesMentioning, tarGz, zipOf } from "./builds-fixtures.js";

const w = RestWorld.forFile({ FEATURE_BUILD_SUPPORT: "true", BUILD_TIMEOUT: "600" });
let admin: Rest;
let c: Clients;
const ORG = "buildorg";
const TERMINAL = ["complete", "error", "cancelled", "expired", "internalerror"];

before(async () => {
  assert.ok(haveClients(), "skopeo, podman and buildah must be installed (.ci/run installs them)");
  await w.start();
  admin = await w.as("admin", "admin-password");
  await admin.post("/organization/", { name: ORG, email: "buildorg@example.com" });
  for (const name of ["app", "base", "from-base", "sub", "fail", "slow", "git"])
    await admin.post("/repository", {
      namespace: ORG,
      repository: name,
      visibility: "private",
      description: "",
    });
  c = new Clients(w.sys.host);
  await c.login("podman", "admin", "admin-password");
  await c.login("buildah", "admin", "admin-password");
});
after(async () => c?.cleanup());

/** Uploads `body` through Quay's filedrop and returns its file id. */
async function upload(body: Buffer, mimeType: string): Promise<string> {
  const slot = await admin.post("/filedrop/", { mimeType });
  assert.match(slot.url, /\/userfiles\/[0-9a-f-]{36}$/);
  const put = await fetch(slot.url, { method: "PUT", body: new Uint8Array(body) });
  assert.equal(put.status, 200);
  return slot.file_id;
}

const build = (repo: string, id: string) => admin.get(`/repository/${ORG}/${repo}/build/${id}`);
const finished = (repo: string, id: string) =>
  until(
    async () => {
      const b = await build(repo, id);
      return TERMINAL.includes(b.phase) && b;
    },
    `build ${id} to finish`,
    240_000,
  );
const logsOf = async (repo: string, id: string) =>
  (await admin.get(`/repository/${ORG}/${repo}/build/${id}/logs`)).logs as {
    message: string;
    type: string;
  }[];

const BUSYBOX_DOCKERFILE = [
  "FROM scratch",
  "COPY busybox /bin/busybox",
  "COPY hello.txt /hello.txt",
  'RUN ["/bin/busybox", "sh", "-c", "echo built-here > /built.txt"]',
  'ENTRYPOINT ["/bin/busybox"]',
].join("\n");

describe("builds from an upload or a URL", () => {
  test("a tar.gz context: phases in order, the log, the push by the builder robot, the events; podman pulls it and a file from it runs", async () => {
    await watchRepository(w.sys, `${ORG}/app`, ["build_queued", "build_start", "build_success"]);
    const fileId = await upload(
      await tarGz({
        Dockerfile: BUSYBOX_DOCKERFILE,
        busybox: "@busybox",
        "hello.txt": "hello from the build\n",
      }),
      "application/gzip",
    );
    const started = await admin.call("POST", `/repository/${ORG}/app/build/`, {
      body: { file_id: fileId, docker_tags: ["v1", "latest"] },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    assert.equal(started.body.phase, "waiting");
    assert.deepEqual(started.body.tags, ["v1", "latest"]);
    const done = await finished("app", started.body.id);
    assert.equal(done.phase, "complete", done.error);
    const phases = done.phases.map((p: { phase: string }) => p.phase);
    for (const p of ["waiting", "build-scheduled", "unpacking", "building", "pushing", "complete"])
      assert.ok(phases.includes(p), `${p} in ${phases}`);
    assert.ok(phases.indexOf("building") < phases.indexOf("pushing"));
    assert.match(done.manifest_digest, /^sha256:[0-9a-f]{64}$/);

    const logs = await logsOf("app", started.body.id);
    assert.ok(
      logs.some((l) => /^STEP 1\/\d+: FROM scratch/.test(l.message)),
      "buildah's steps are in the log",
    );
    assert.ok(logs.some((l) => l.type === "phase" && l.message === "building"));
    const builder = await w.sys.db.robot.findFirstOrThrow({
      where: { name: "builds", namespace: { name: ORG } },
    });
    const token = w.sys.services.robots.token(builder);
    assert.ok(!logs.some((l) => l.message.includes(token)), "the push credentials never reach the log");

    // Pushed by the namespace's builder robot, under its name in the audit log.
    const push = await w.sys.db.auditLog.findFirst({
      where: { kind: "push_repo", repository: { name: "app", namespace: { name: ORG } } },
    });
    assert.equal(push?.performer, `${ORG}+builds`);
    const events = await w.sys.db.jobRecord.findMany({
      where: { name: { in: ["build_queued", "build_start", "build_success"] } },
      orderBy: { id: "asc" },
    });
    assert.deepEqual(
      events.map((e) => e.name),
      ["build_queued", "build_start", "build_success"],
    );
    const p = events[2]!.payload as Record<string, unknown>;
    assert.equal(p.buildId, started.body.id);
    assert.deepEqual(p.dockerTags, ["v1", "latest"]);

    await c.podman("pull", "--tls-verify=false", `${w.sys.host}/${ORG}/app:v1`);
    const ctr = (await c.buildah("from", "--pull=never", `${w.sys.host}/${ORG}/app:v1`)).trim();
    assert.equal(
      (await c.buildah("run", ctr, "/bin/busybox", "cat", "/hello.txt")).trim(),
      "hello from the build",
    );
    assert.equal((await c.buildah("run", ctr, "/bin/busybox", "cat", "/built.txt")).trim(), "built-here");
    const v1 = JSON.parse(
      await c.skopeo(
        "inspect",
        "--tls-verify=false",
        "--creds",
        "admin:admin-password",
        `docker://${w.sys.host}/${ORG}/app:latest`,
      ),
    );
    assert.equal(v1.Digest, done.manifest_digest);
  });

  test("a lone Dockerfile FROM a private image: refused without a pull robot, built with one", async () => {
    const ctr = (await c.buildah("from", "scratch")).trim();
    await c.buildah("copy", ctr, "/bin/busybox", "/bin/busybox");
    await c.buildah("commit", "-q", ctr, "localhost/buildbase:1");
    await c.buildah(
      "push",
      "--tls-verify=false",
      "localhost/buildbase:1",
      `docker://${w.sys.host}/${ORG}/base:1`,
    );
    const dockerfile = `FROM ${w.sys.host}/${ORG}/base:1\nRUN ["/bin/busybox", "sh", "-c", "echo derived > /derived.txt"]\n`;
    const first = await admin.post(`/repository/${ORG}/from-base/build/`, {
      file_id: await upload(Buffer.from(dockerfile), "text/plain"),
    });
    const refused = await finished("from-base", first.id);
    assert.equal(refused.phase, "error");
    assert.match(
      (await logsOf("from-base", first.id)).map((l) => l.message).join("\n"),
      /unauthori[sz]ed|denied|authentication required/i,
    );

    await admin.call("PUT", `/organization/${ORG}/robots/puller`, { body: { description: "" } });
    await admin.put(`/repository/${ORG}/base/permissions/user/${ORG}+puller`, { role: "read" });
    const second = await admin.post(`/repository/${ORG}/from-base/build/`, {
      file_id: await upload(Buffer.from(dockerfile), "text/plain"),
      pull_robot: `${ORG}+puller`,
    });
    assert.equal(second.pull_robot.name, `${ORG}+puller`);
    const done = await finished("from-base", second.id);
    assert.equal(done.phase, "complete", done.error);
  });

  test("a zip at a URL, with a context subdirectory and a Dockerfile at another path", async () => {
    const zip = await zipOf({
      "app/build/Containerfile": "FROM scratch\nCOPY busybox /bin/busybox\nCOPY hello.txt /hello.txt\n",
      "app/busybox": "@busybox",
      "app/hello.txt": "from the zip\n",
      "outside.txt": "not in the context\n",
    });
    const files = await fileServer({ "/ctx.zip": zip });
    try {
      const b = await admin.post(`/repository/${ORG}/sub/build/`, {
        archive_url: files.url("/ctx.zip"),
        context: "/app",
        dockerfile_path: "/app/build/Containerfile",
        docker_tags: ["zip"],
      });
      const done = await finished("sub", b.id);
      assert.equal(done.phase, "complete", done.error);
      assert.equal(done.context, "/app");
      assert.equal(done.dockerfile_path, "/app/build/Containerfile");
      assert.ok(files.hits() >= 1);
    } finally {
      await files.close();
    }
  });

  test("a failing RUN ends in error with its log", async () => {
    const b = await admin.post(`/repository/${ORG}/fail/build/`, {
      file_id: await upload(
        await tarGz({
          Dockerfile:
            'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "echo about-to-fail; exit 3"]\n',
          busybox: "@busybox",
        }),
        "application/gzip",
      ),
    });
    const done = await finished("fail", b.id);
    assert.equal(done.phase, "error");
    assert.ok(done.error, "the error is stated");
    const logs = await logsOf("fail", b.id);
    assert.ok(logs.some((l) => l.message.includes("about-to-fail")));
    assert.ok(logs.some((l) => l.type === "error"));
  });

  test("cancel during a RUN: cancelled, and no process of the build is left", async () => {
    const b = await admin.post(`/repository/${ORG}/slow/build/`, {
      file_id: await upload(
        await tarGz({
          Dockerfile:
            'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "echo sleeping; /bin/busybox sleep 300"]\n',
          busybox: "@busybox",
        }),
        "application/gzip",
      ),
    });
    await until(
      async () => (await logsOf("slow", b.id)).some((l) => l.message.includes("sleeping")),
      "the RUN step to start",
      120_000,
    );
    const cancel = await admin.call("DELETE", `/repository/${ORG}/slow/build/${b.id}`);
    assert.equal(cancel.status, 204);
    const done = await finished("slow", b.id);
    assert.equal(done.phase, "cancelled");
    await until(() => processesMentioning(b.id).length === 0, "the build's processes to be gone", 30_000);
    const again = await admin.call("DELETE", `/repository/${ORG}/slow/build/${b.id}`);
    assert.equal(again.status, 400);
  });
});

describe("a custom git trigger", () => {
  let git: GitServer;
  before(async () => (git = await GitServer.start()));
  after(async () => git?.stop());

  test("seed ch. 8: deploy key and webhook URL; the webhook builds the commit cloned over SSH, tagged by the templates; [skip build] and forged calls start nothing", async () => {
    const repo = await git.repository("app", {
      Dockerfile: "FROM scratch\nCOPY busybox /bin/busybox\nCOPY version.txt /version.txt\n",
      busybox: "@busybox",
      "version.txt": "one\n",
    });
    const created = await admin.call("POST", `/repository/${ORG}/git/trigger/`, {
      body: {
        service: "custom-git",
        config: {
          build_source: repo.url,
          dockerfile_path: "/Dockerfile",
          context: "/",
          tag_templates: ["${commit_info.short_sha}", "${parsed_ref.branch}-build"],
        },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const t = created.body;
    assert.equal(t.is_active, true);
    const creds = Object.fromEntries(
      t.config.credentials.map((x: { name: string; value: string }) => [x.name, x.value]),
    );
    assert.match(creds["SSH Public Key"], /^ssh-rsa AAAA/);
    const hook = new URL(creds["Webhook Endpoint URL"].replace("%24token", "$token"));
    assert.equal(hook.pathname, `/webhooks/push/trigger/${t.id}`);
    git.authorize(creds["SSH Public Key"]);

    const post = (body: unknown, auth: string | null) =>
      fetch(`${w.sys.url}${hook.pathname}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(body),
      });
    const good = `Basic ${Buffer.from(`$token:${decodeURIComponent(hook.password)}`).toString("base64")}`;
    const commit = await repo.head();
    const payload = (sha: string, message: string) => ({
      commit: sha,
      ref: "refs/heads/main",
      default_branch: "main",
      commit_info: {
        url: `https://git.example.com/app/commit/${sha}`,
        message,
        date: "2026-12-03T10:00:00Z",
        author: {
          username: "devone",
          avatar_url: "https://git.example.com/a.png",
          url: "https://git.example.com/devone",
        },
      },
    });
    for (const auth of [null, `Basic ${Buffer.from("$token:forged").toString("base64")}`]) {
      const r = await post(payload(commit, "initial commit"), auth);
      assert.equal(r.status, 401);
    }
    assert.equal(
      await w.sys.db.build.count({ where: { repository: { name: "git" } } }),
      0,
      "refused calls start nothing",
    );

    const r = await post(payload(commit, "initial commit"), good);
    assert.equal(r.status, 200);
    const { build: id } = (await r.json()) as { build: string };
    const done = await finished("git", id);
    assert.equal(done.phase, "complete", done.error);
    assert.equal(done.trigger.id, t.id);
    assert.equal(done.trigger_metadata.commit, commit);
    assert.match(git.log, /Accepted publickey for root/);
    const tags = (await admin.get(`/repository/${ORG}/git/tag/?onlyActiveTags=true`)).tags.map(
      (x: { name: string }) => x.name,
    );
    for (const tag of ["main", "latest", commit.slice(0, 7), "main-build"])
      assert.ok(tags.includes(tag), `${tag} in ${tags}`);

    const next = await repo.commit({ "version.txt": "two\n" }, "docs only [skip build]");
    const skipped = await post(payload(next, "docs only [skip build]"), good);
    assert.equal(skipped.status, 200);
    assert.match(((await skipped.json()) as { skipped: string }).skipped, /skip/i);
    assert.equal(await w.sys.db.build.count({ where: { repository: { name: "git" } } }), 1);

    // Run trigger now, on that commit.
    const manual = await admin.call("POST", `/repository/${ORG}/git/trigger/${t.id}/start`, {
      body: { commit_sha: next },
    });
    assert.equal(manual.status, 201, JSON.stringify(manual.body));
    const second = await finished("git", manual.body.id);
    assert.equal(second.phase, "complete", second.error);
    const recent = await admin.get(`/repository/${ORG}/git/trigger/${t.id}/builds`);
    assert.equal(recent.builds.length, 2);
  });
});
