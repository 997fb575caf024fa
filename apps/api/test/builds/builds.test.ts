// Builds and triggers through Quay's API without running buildah: no build worker runs here, so builds stay
// queued unless a test runs one in-process (sources that fail before buildah: a git server that is not
// there). Validation, the filedrop, webhooks of every service with their signatures, duplicate deliveries,
// disabled triggers and self-disabling, cancel, the log cap, and the live log over graphql-ws.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { assertQuayError, RestWorld, type Rest } from "../rest/client.js";
import { watchRepository } from "../harness.js";

const w = RestWorld.forFile({
  FEATURE_BUILD_SUPPORT: "true",
  BUILD_WORKERS: "0",
  BUILD_MAX_CONTEXT_BYTES: "65536",
  BUILD_LOG_LIMIT: "100",
  SUCCESSIVE_TRIGGER_FAILURE_DISABLE_THRESHOLD: "2",
});
const ORG = "borg";
let admin: Rest;
const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, "fixtures", name));

before(async () => {
  await w.start();
  admin = await w.as("admin", "admin-password");
  await admin.post("/organization/", { name: ORG, email: "borg@example.com" });
  await admin.post("/organization/", { name: "other", email: "other@example.com" });
  for (const name of ["app", "hooks", "live"])
    await admin.post("/repository", {
      namespace: ORG,
      repository: name,
      visibility: "private",
      description: "",
    });
  await admin.call("PUT", `/organization/other/robots/foreign`, { body: { description: "" } });
});

const start = (repo: string, body: unknown) =>
  admin.call("POST", `/repository/${ORG}/${repo}/build/`, { body });

describe("starting builds", () => {
  test("bad requests answer 400 in Quay's error shape and queue nothing", async () => {
    const before = await w.sys.db.build.count();
    const cases: [unknown, RegExp][] = [
      [{}, /file_id or archive_url/],
      [{ file_id: crypto.randomUUID(), archive_url: "http://x/y" }, /file_id or archive_url/],
      [{ archive_url: "ftp://example.com/x.tgz" }, /http/],
      [{ archive_url: "http://example.com/x.tgz", docker_tags: ["bad tag!"] }, /Invalid tag/],
      [{ archive_url: "http://example.com/x.tgz", context: "../../etc" }, /leaves the build context/],
      [{ archive_url: "http://example.com/x.tgz", pull_robot: "other+foreign" }, /must be a robot of borg/],
      [{ file_id: crypto.randomUUID() }, /No uploaded file/],
    ];
    for (const [body, message] of cases) assertQuayError(await start("app", body), 400, message);
    assert.equal(await w.sys.db.build.count(), before);
  });

  test("filedrop: one upload per slot, within the size limit; the build names it", async () => {
    const slot = await admin.post("/filedrop/", { mimeType: "text/plain" });
    const big = await fetch(slot.url, { method: "PUT", body: new Uint8Array(70_000) });
    assert.equal(big.status, 400);
    const second = await admin.post("/filedrop/", { mimeType: "text/plain" });
    assert.equal((await fetch(second.url, { method: "PUT", body: "FROM scratch\n" })).status, 200);
    assert.equal((await fetch(second.url, { method: "PUT", body: "FROM other\n" })).status, 404);
    const b = await start("app", { file_id: second.file_id, docker_tags: ["one"] });
    assert.equal(b.status, 201);
    assert.equal(b.body.resource_key, second.file_id);
    assert.equal(b.body.phase, "waiting");
    assert.equal(b.body.dockerfile_path, "/Dockerfile");
    const listed = await admin.get(`/repository/${ORG}/app/build/?limit=1`);
    assert.deepEqual(
      listed.builds.map((x: { id: string }) => x.id),
      [b.body.id],
    );
  });

  test("cancel of a waiting build ends it at once, with build_cancelled; a finished build cannot be cancelled", async () => {
    await watchRepository(w.sys, `${ORG}/app`, ["build_cancelled"]);
    const b = await start("app", { archive_url: "http://127.0.0.1:9/ctx.tgz" });
    assert.equal((await admin.call("DELETE", `/repository/${ORG}/app/build/${b.body.id}`)).status, 204);
    const after = await admin.get(`/repository/${ORG}/app/build/${b.body.id}`);
    assert.equal(after.phase, "cancelled");
    assert.deepEqual(
      after.phases.map((p: { phase: string }) => p.phase),
      ["waiting", "cancelled"],
    );
    assertQuayError(await admin.call("DELETE", `/repository/${ORG}/app/build/${b.body.id}`), 400, /finished/);
    const ev = await w.sys.db.jobRecord.findFirst({ where: { name: "build_cancelled" } });
    assert.equal((ev?.payload as { buildId: string }).buildId, b.body.id);
    // And the runner, if its job comes later, runs nothing.
    assert.deepEqual(await w.sys.services.buildRunner.run(await idOf(b.body.id)), { phase: "cancelled" });
  });

  test("the log keeps BUILD_LOG_LIMIT lines and says it truncated", async () => {
    const b = await start("app", { archive_url: "http://127.0.0.1:9/ctx.tgz" });
    const id = await idOf(b.body.id);
    const lines = Array.from({ length: 150 }, (_, i) => ({ type: "" as const, message: `line ${i}` }));
    await w.sys.services.builds.logs.append(id, b.body.id, "building", lines.slice(0, 60));
    await w.sys.services.builds.logs.append(id, b.body.id, "building", lines.slice(60));
    const logs = await admin.get(`/repository/${ORG}/app/build/${b.body.id}/logs?start=95`);
    assert.equal(logs.total, 100);
    assert.deepEqual(
      logs.logs.map((l: { message: string }) => l.message),
      ["line 95", "line 96", "line 97", "line 98", "line 99"],
    );
    const row = await w.sys.db.build.findUniqueOrThrow({ where: { id } });
    assert.equal(row.logsTruncated, true);
    assert.equal(row.logCount, 150);
  });
});

const idOf = async (uuid: string) => (await w.sys.db.build.findUniqueOrThrow({ where: { uuid } })).id;

/** A trigger of `service` on borg/hooks, set up with `config`; its secrets as the credentials show them. */
async function trigger(service: string, config: Record<string, unknown>) {
  const t = await admin.call("POST", `/repository/${ORG}/hooks/trigger/`, { body: { service, config } });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  const creds = Object.fromEntries(
    t.body.config.credentials.map((c: { name: string; value: string }) => [c.name, c.value]),
  );
  const url = new URL(creds["Webhook Endpoint URL"]);
  return {
    id: t.body.id as string,
    secret: creds["Webhook Secret"] as string,
    basic: `Basic ${Buffer.from(`$token:${decodeURIComponent(url.password)}`).toString("base64")}`,
    hook: (body: Buffer | string, headers: Record<string, string>) =>
      fetch(`${w.sys.url}${url.pathname}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : new Uint8Array(body),
      }),
  };
}
const hmac = (secret: string, body: Buffer) =>
  `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;
const buildsOf = (triggerUuid: string) =>
  w.sys.db.build.findMany({ where: { trigger: { uuid: triggerUuid } } });

describe("webhooks", () => {
  test("GitHub: signed push builds once (a second delivery of the commit builds nothing); forged or missing signatures are 401; ping is skipped", async () => {
    const t = await trigger("github", { build_source: "octocat/hello-world" });
    const body = fixture("github-push.json");
    const push = { "x-github-event": "push" };
    for (const headers of [push, { ...push, "x-hub-signature-256": hmac("wrong", body) }]) {
      assert.equal((await t.hook(body, headers)).status, 401);
    }
    assert.equal((await buildsOf(t.id)).length, 0);
    const ok = await t.hook(body, { ...push, "x-hub-signature-256": hmac(t.secret, body) });
    assert.equal(ok.status, 200);
    const { build } = (await ok.json()) as { build: string };
    const again = await t.hook(body, { ...push, "x-hub-signature-256": hmac(t.secret, body) });
    assert.match(((await again.json()) as { skipped: string }).skipped, /already being built/);
    const builds = await buildsOf(t.id);
    assert.deepEqual(
      builds.map((b) => b.uuid),
      [build],
    );
    const meta = builds[0]!.triggerMetadata as { commit: string; ref: string; default_branch: string };
    assert.equal(meta.commit, "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
    assert.equal(meta.ref, "refs/heads/main");
    assert.deepEqual(builds[0]!.dockerTags.sort(), ["latest", "main"]);
    const ping = fixture("github-ping.json");
    const pinged = await t.hook(ping, {
      "x-github-event": "ping",
      "x-hub-signature-256": hmac(t.secret, ping),
    });
    assert.equal(pinged.status, 200);
    assert.ok(((await pinged.json()) as { skipped: string }).skipped);
  });

  test("GitLab's token header and Bitbucket's signature; Basic $token works for every service", async () => {
    const gl = await trigger("gitlab", { build_source: "group/project" });
    const glBody = fixture("gitlab-push.json");
    assert.equal(
      (await gl.hook(glBody, { "x-gitlab-event": "Push Hook", "x-gitlab-token": "nope" })).status,
      401,
    );
    const glOk = await gl.hook(glBody, { "x-gitlab-event": "Push Hook", "x-gitlab-token": gl.secret });
    assert.equal(glOk.status, 200, await glOk.clone().text());
    assert.equal((await buildsOf(gl.id)).length, 1);

    const bb = await trigger("bitbucket", { build_source: "team/repo" });
    const bbBody = fixture("bitbucket-push.json");
    const bbHeaders = { "x-event-key": "repo:push" };
    assert.equal((await bb.hook(bbBody, { ...bbHeaders, "x-hub-signature": hmac("x", bbBody) })).status, 401);
    assert.equal(
      (await bb.hook(bbBody, { ...bbHeaders, "x-hub-signature": hmac(bb.secret, bbBody) })).status,
      200,
    );
    assert.equal((await buildsOf(bb.id)).length, 1);

    const custom = await trigger("custom-git", { build_source: "git@git.example.com:team/app.git" });
    const seed = fixture("custom-git.json");
    assert.equal((await custom.hook(seed, {})).status, 401);
    assert.equal((await custom.hook(seed, { authorization: custom.basic })).status, 200);
    assert.equal((await buildsOf(custom.id)).length, 1);
    assert.equal((await custom.hook("{not json", { authorization: custom.basic })).status, 400);
    const unknown = await fetch(`${w.sys.url}/webhooks/push/trigger/${crypto.randomUUID()}`, {
      method: "POST",
    });
    assert.equal(unknown.status, 404);
  });

  test("a disabled trigger starts nothing; enabling it again does", async () => {
    const t = await trigger("custom-git", { build_source: "git@git.example.com:team/other.git" });
    await admin.put(`/repository/${ORG}/hooks/trigger/${t.id}`, { enabled: false });
    const body = JSON.stringify({ commit: "abcdef1234567", ref: "refs/heads/main", default_branch: "main" });
    const off = await t.hook(body, { authorization: t.basic });
    assert.match(((await off.json()) as { skipped: string }).skipped, /disabled/);
    const view = await admin.put(`/repository/${ORG}/hooks/trigger/${t.id}`, { enabled: true });
    assert.equal(view.enabled, true);
    assert.equal(view.disabled_reason, null);
    assert.equal((await (await t.hook(body, { authorization: t.basic })).json()).skipped, undefined);
  });
});

describe("trigger failures and the live log", () => {
  test("a trigger whose builds keep failing disables itself (SUCCESSIVE_TRIGGER_FAILURE_DISABLE_THRESHOLD)", async () => {
    // Nothing listens on port 9: the clone fails at once, before any buildah.
    const t = await trigger("custom-git", { build_source: "ssh://git@127.0.0.1:9/none.git" });
    for (const sha of ["1111111", "2222222"]) {
      const b = await admin.post(`/repository/${ORG}/hooks/trigger/${t.id}/start`, { commit_sha: sha });
      assert.deepEqual(await w.sys.services.buildRunner.run(await idOf(b.id)), { phase: "error" });
    }
    const view = await admin.get(`/repository/${ORG}/hooks/trigger/${t.id}`);
    assert.equal(view.enabled, false);
    assert.equal(view.disabled_reason, "successive_build_failures");
    const audit = await w.sys.db.auditLog.findFirst({
      where: { kind: "toggle_repo_trigger" },
      orderBy: { id: "desc" },
    });
    assert.equal((audit?.metadata as { reason?: string }).reason, "successive_build_failures");
    assertQuayError(
      await admin.call("POST", `/repository/${ORG}/hooks/trigger/${t.id}/start`, {
        body: { commit_sha: "3333333" },
      }),
      400,
      /disabled/,
    );
  });

  test("buildEvents over graphql-ws: stored lines, then each phase and line live, ending with the last phase; other origins are refused", async () => {
    const b = await start("live", { archive_url: "http://127.0.0.1:9/ctx.tgz" });
    const token = await w.token("admin", "admin-password");
    class Authed extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { authorization: `Bearer ${token}` } });
      }
    }
    const client = createClient({
      url: `${w.sys.url.replace("http", "ws")}/graphql`,
      webSocketImpl: Authed,
      lazy: true,
    });
    const events: { lines: { seq: number; message: string; type: string }[]; phase: string | null }[] = [];
    const done = new Promise<void>((resolve, reject) =>
      client.subscribe(
        {
          query: `subscription($r: String!, $id: ID!) { buildEvents(repository: $r, id: $id) { phase lines { seq type message } } }`,
          variables: { r: `${ORG}/live`, id: b.body.id },
        },
        {
          next: (m) => {
            if (m.errors) reject(new Error(JSON.stringify(m.errors)));
            events.push((m.data as { buildEvents: (typeof events)[number] }).buildEvents);
          },
          error: reject,
          complete: resolve,
        },
      ),
    );
    // The subscription has answered with what is there (phase "waiting") before the build runs.
    while (!events.some((e) => e.phase === "waiting")) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await w.sys.services.buildRunner.run(await idOf(b.body.id)), { phase: "error" });
    await done;
    await client.dispose();
    const phases = events.map((e) => e.phase).filter(Boolean);
    assert.deepEqual([phases[0], phases.at(-1)], ["waiting", "error"]);
    assert.ok(phases.includes("build-scheduled") && phases.includes("unpacking"), phases.join());
    const seqs = events.flatMap((e) => e.lines.map((l) => l.seq));
    assert.deepEqual(seqs, [...seqs.keys()], "every line once, in order");
    assert.ok(events.some((e) => e.lines.some((l) => l.type === "error")));

    const foreign = new WebSocket(`${w.sys.url.replace("http", "ws")}/graphql`, "graphql-transport-ws", {
      headers: { origin: "https://evil.example.com" },
    });
    const status = await new Promise<number>((resolve) =>
      foreign
        .on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0))
        .on("open", () => resolve(101)),
    );
    assert.equal(status, 401);
  });
});
