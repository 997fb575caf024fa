// The OCI Distribution surface over real HTTP, against the real database, Redis and filesystem.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { basic, registryToken, startTestSystem, watchRepository, type TestSystem } from "./harness.js";
import { RegistryClient, sha } from "./registry-client.js";

let sys: TestSystem;
let alice: RegistryClient;
let bob: RegistryClient;
let anon: RegistryClient;

const errCode = async (res: Response) =>
  ((await res.json()) as { errors: { code: string }[] }).errors[0]!.code;

before(async () => {
  sys = await startTestSystem();
  await sys.services.accounts.createUser({
    username: "alice",
    email: "alice@example.com",
    password: "alice-password",
  });
  await sys.services.accounts.createUser({
    username: "bob",
    email: "bob@example.com",
    password: "bob-password",
  });
  alice = new RegistryClient(sys, ["alice", "alice-password"]);
  bob = new RegistryClient(sys, ["bob", "bob-password"]);
  anon = new RegistryClient(sys);
});
after(async () => sys?.stop());

describe("authentication", () => {
  test("GET /v2/ challenges with a Bearer realm, and accepts a token", async () => {
    const res = await fetch(`${sys.url}/v2/`);
    assert.equal(res.status, 401);
    assert.equal(
      res.headers.get("www-authenticate"),
      `Bearer realm="http://${sys.host}/v2/auth",service="${sys.host}"`,
    );
    assert.equal(res.headers.get("docker-distribution-api-version"), "registry/2.0");
    const token = await registryToken(sys, [], ["alice", "alice-password"]);
    assert.equal(
      (await fetch(`${sys.url}/v2/`, { headers: { authorization: `Bearer ${token}` } })).status,
      200,
    );
  });

  test("bad credentials are refused at the token endpoint and on /v2", async () => {
    const res = await fetch(`${sys.url}/v2/auth?service=x`, {
      headers: { authorization: basic("alice", "wrong") },
    });
    assert.equal(res.status, 401);
    assert.equal(await errCode(res), "UNAUTHORIZED");
    const forged = await fetch(`${sys.url}/v2/`, { headers: { authorization: "Bearer abc.def.ghi" } });
    assert.equal(forged.status, 401);
    assert.match(forged.headers.get("www-authenticate")!, /error="invalid_token"/);
  });

  test("grants are narrowed to what the caller may do", async () => {
    await alice.pushImage("alice/private", "v1");
    const t = await registryToken(sys, ["repository:alice/private:pull,push"], ["bob", "bob-password"]);
    const claims = JSON.parse(Buffer.from(t.split(".")[1]!, "base64url").toString());
    assert.deepEqual(claims.access, [{ type: "repository", name: "alice/private", actions: [] }]);
    const res = await fetch(`${sys.url}/v2/alice/private/manifests/v1`, {
      headers: { authorization: `Bearer ${t}` },
    });
    assert.equal(res.status, 401);
    assert.match(
      res.headers.get("www-authenticate")!,
      /scope="repository:alice\/private:pull",error="insufficient_scope"/,
    );
  });

  test("app-specific tokens log in as $app", async () => {
    const user = await sys.db.user.findUniqueOrThrow({ where: { username: "alice" } });
    const { sha256hex } = await import("../src/access/secrets.js");
    await sys.db.appToken.create({
      data: { userId: user.id, title: "cli", tokenHash: sha256hex("app-token-value") },
    });
    const t = await registryToken(sys, ["repository:alice/private:pull"], ["$app", "app-token-value"]);
    const res = await fetch(`${sys.url}/v2/alice/private/manifests/v1`, {
      headers: { authorization: `Bearer ${t}` },
    });
    assert.equal(res.status, 200);
    // A burst of pulls: written in the background, grouped into multi-row INSERTs, none lost. Entries are
    // stamped in milliseconds when the pull is served, so the pull above could share the burst's first
    // millisecond: the burst starts a little later.
    await new Promise((r) => setTimeout(r, 5));
    const burstStart = new Date();
    const burst = await Promise.all(
      Array.from({ length: 30 }, () =>
        fetch(`${sys.url}/v2/alice/private/manifests/v1`, { headers: { authorization: `Bearer ${t}` } }),
      ),
    );
    assert.deepEqual([...new Set(burst.map((r) => r.status))], [200]);
    const repo = (await sys.services.repos.find("alice/private"))!;
    const where = {
      kind: "pull_repo",
      repositoryId: repo.id,
      createdAt: { gte: burstStart },
      metadata: { path: ["tag"], equals: "v1" },
    };
    for (let i = 0; i < 50 && (await sys.db.auditLog.count({ where })) < 30; i++)
      await new Promise((r) => setTimeout(r, 100));
    const pulls = await sys.db.auditLog.findMany({ where, orderBy: { id: "desc" } });
    assert.equal(pulls.length, 30, "every pull of the burst is audited, once");
    const p = pulls[0]!;
    assert.deepEqual(
      [p.performer, p.performerId, p.namespaceId, p.ip, p.metadata],
      ["alice", user.id, repo.namespaceId, "127.0.0.1", { repo: "private", namespace: "alice", tag: "v1" }],
    );
    assert.ok(Date.now() - p.createdAt.getTime() < 60_000, "stamped with the time of the pull");
  });

  test("Basic credentials work directly on /v2 for scripts", async () => {
    const res = await fetch(`${sys.url}/v2/alice/private/tags/list`, {
      headers: { authorization: basic("alice", "alice-password") },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { name: "alice/private", tags: ["v1"] });
  });

  test("anonymous users pull public repositories only", async () => {
    const { digest } = await alice.pushImage("alice/public", "v1");
    await sys.db.repository.updateMany({
      where: { name: "public" },
      data: { visibility: "public" },
    });
    const ok = await anon.req("GET", "alice/public", "/manifests/v1", { actions: "pull" });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("docker-content-digest"), digest);
    const denied = await anon.req("GET", "alice/private", "/manifests/v1", { actions: "pull" });
    assert.equal(denied.status, 401);
    const push = await anon.req("POST", "alice/public", "/blobs/uploads/", { actions: "pull,push" });
    assert.equal(push.status, 401);
  });

  test("pushing into another user's namespace is refused; own namespace creates a private repository", async () => {
    const res = await bob.req("POST", "alice/newrepo", "/blobs/uploads/");
    assert.equal(res.status, 401);
    assert.equal(await sys.services.repos.find("alice/newrepo"), null);
    await bob.pushImage("bob/created-by-push", "latest");
    const repo = await sys.services.repos.find("bob/created-by-push");
    assert.equal(repo?.visibility, "private");
    assert.ok(await sys.db.auditLog.findFirst({ where: { kind: "create_repo", repositoryId: repo!.id } }));
  });

  test("robots: write on one repository pushes there and nowhere else", async () => {
    const { robot, fullName, token } = await sys.services.robots.create("alice", "ci");
    const target = (await sys.services.repos.find("alice/private"))!;
    await sys.db.repositoryPermission.create({
      data: { repositoryId: target.id, robotId: robot.id, role: "write" },
    });
    const ci = new RegistryClient(sys, [fullName, token]);
    await ci.pushImage("alice/private", "from-robot");
    const elsewhere = await ci.req("POST", "alice/public", "/blobs/uploads/");
    assert.equal(elsewhere.status, 401);
    const wrong = await fetch(`${sys.url}/v2/auth?service=x`, {
      headers: { authorization: basic(fullName, "nope") },
    });
    assert.equal(wrong.status, 401);
  });
});

describe("blobs and uploads", () => {
  const repo = "alice/blobs";

  test("monolithic upload, HEAD, GET and Range", async () => {
    const content = Buffer.from("0123456789abcdef");
    const digest = await alice.pushBlob(repo, content);
    const head = await alice.req("HEAD", repo, `/blobs/${digest}`);
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "16");
    assert.equal(head.headers.get("docker-content-digest"), digest);
    const get = await alice.req("GET", repo, `/blobs/${digest}`);
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), content);
    const part = await alice.req("GET", repo, `/blobs/${digest}`, { headers: { range: "bytes=2-5" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), "bytes 2-5/16");
    assert.equal(await part.text(), "2345");
    const bad = await alice.req("GET", repo, `/blobs/${digest}`, { headers: { range: "bytes=99-" } });
    assert.equal(bad.status, 416);
  });

  test("an empty blob and a blob larger than one read buffer come back whole", async () => {
    const empty = await alice.pushBlob(repo, Buffer.alloc(0));
    const got = await alice.req("GET", repo, `/blobs/${empty}`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get("content-length"), "0");
    assert.equal((await got.arrayBuffer()).byteLength, 0);
    const big = crypto.randomBytes(3 * 1024 * 1024 + 17);
    const digest = await alice.pushBlob(repo, big);
    const whole = await alice.req("GET", repo, `/blobs/${digest}`);
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(big), "the 3 MiB blob is byte-identical");
    const tail = await alice.req("GET", repo, `/blobs/${digest}`, { headers: { range: "bytes=1048570-" } });
    assert.equal(tail.status, 206);
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(big.subarray(1048570)), "the tail range matches");
  });

  test("large pulls at once, and ranges across read buffers, each get their own bytes", async () => {
    // The pull path reuses its read buffers between requests: a buffer reused too early would show up
    // here as another blob's bytes.
    const blobs = Array.from({ length: 4 }, (_, i) => crypto.randomBytes(5 * 1024 * 1024 + 1000 * i + 1));
    const digests = await Promise.all(blobs.map((b) => alice.pushBlob(repo, b)));
    const pulls = await Promise.all(
      [...digests, ...digests, ...digests].map(async (d) => {
        const res = await alice.req("GET", repo, `/blobs/${d}`);
        return { want: d, got: sha(Buffer.from(await res.arrayBuffer())) };
      }),
    );
    for (const p of pulls) assert.equal(p.got, p.want, "a concurrent pull returned the blob it asked for");
    // A reader that stalls fills the socket (several MiB on loopback), so the server's writes queue behind it
    // with their buffers.
    const token = await alice.token(repo);
    const large = crypto.randomBytes(20 * 1024 * 1024);
    const largeDigest = await alice.pushBlob(repo, large);
    const slow = await new Promise<string>((resolve, reject) => {
      http
        .get(
          `${sys.url}/v2/${repo}/blobs/${largeDigest}`,
          { headers: { authorization: `Bearer ${token}` } },
          (res) => {
            const h = crypto.createHash("sha256");
            res.pause();
            setTimeout(() => res.resume(), 300);
            res.on("data", (c: Buffer) => {
              h.update(c);
              res.pause();
              setTimeout(() => res.resume(), 2);
            });
            res.on("end", () => resolve(`sha256:${h.digest("hex")}`));
            res.on("error", reject);
          },
        )
        .on("error", reject);
    });
    assert.equal(slow, largeDigest, "a slow reader gets the blob intact");
    const big = blobs[3]!;
    for (const [start, end] of [
      [2 * 1024 * 1024 - 5, 2 * 1024 * 1024 + 5],
      [100, 4 * 1024 * 1024 + 100],
      [big.length - 300 * 1024, big.length - 1],
    ] as const) {
      const r = await alice.req("GET", repo, `/blobs/${digests[3]}`, {
        headers: { range: `bytes=${start}-${end}` },
      });
      assert.equal(r.status, 206);
      assert.equal(r.headers.get("content-range"), `bytes ${start}-${end}/${big.length}`);
      const body = Buffer.from(await r.arrayBuffer());
      assert.ok(body.equals(big.subarray(start, end + 1)), `range ${start}-${end} matches`);
    }
  });

  test("a client that goes away mid-pull leaves no open file, and the server keeps serving", async () => {
    const big = crypto.randomBytes(24 * 1024 * 1024);
    const digest = await alice.pushBlob(repo, big);
    const blobFile = path.join(
      sys.config.STORAGE_PATH,
      "blobs",
      "sha256",
      digest.slice(7, 9),
      digest.slice(7),
    );
    assert.ok(fs.existsSync(blobFile), `the blob is stored at ${blobFile}`);
    const openOnBlob = () =>
      fs.readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`) === blobFile;
        } catch {
          return false;
        }
      }).length;
    const token = await alice.token(repo);
    let seenOpen = 0;
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.get(
          `${sys.url}/v2/${repo}/blobs/${digest}`,
          { headers: { authorization: `Bearer ${token}` } },
          (res) => {
            let got = 0;
            res.on("data", (c: Buffer) => {
              got += c.length;
              if (got > 3 * 1024 * 1024 && !req.destroyed) {
                seenOpen = Math.max(seenOpen, openOnBlob());
                req.destroy();
              }
            });
            res.on("close", () => resolve());
          },
        );
        req.on("error", () => resolve());
        setTimeout(() => reject(new Error("the aborted pull did not close")), 10_000);
      });
    }
    assert.ok(seenOpen > 0, "the blob was open while it was being sent (so the check below can fail)");
    for (let i = 0; i < 50 && openOnBlob() > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(openOnBlob(), 0, "no file descriptor left open on the blob");
    const again = await alice.req("GET", repo, `/blobs/${digest}`);
    assert.equal(sha(Buffer.from(await again.arrayBuffer())), digest, "a full pull afterwards is intact");
  });

  test("chunked session: PATCH in order, 416 out of order, status, PUT", async () => {
    const start = await alice.req("POST", repo, "/blobs/uploads/");
    assert.equal(start.status, 202);
    const loc = start.headers.get("location")!;
    assert.match(loc, /^\/v2\/alice\/blobs\/blobs\/uploads\/[0-9a-f-]{36}$/);
    assert.ok(start.headers.get("docker-upload-uuid"));
    const uploadPath = loc.replace("/v2/alice/blobs", "");
    const c1 = await alice.req("PATCH", repo, uploadPath, {
      body: Buffer.from("hello "),
      headers: { "content-range": "0-5", "content-type": "application/octet-stream" },
    });
    assert.equal(c1.status, 202);
    assert.equal(c1.headers.get("range"), "0-5");
    const skip = await alice.req("PATCH", repo, uploadPath, {
      body: Buffer.from("xx"),
      headers: { "content-range": "10-11" },
    });
    assert.equal(skip.status, 416);
    assert.equal(await errCode(skip), "BLOB_UPLOAD_INVALID");
    const status = await alice.req("GET", repo, uploadPath);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get("range"), "0-5");
    const c2 = await alice.req("PATCH", repo, uploadPath, {
      body: Buffer.from("world"),
      headers: { "content-range": "6-10" },
    });
    assert.equal(c2.headers.get("range"), "0-10");
    const digest = sha("hello world");
    const done = await alice.req("PUT", repo, `${uploadPath}?digest=${digest}`);
    assert.equal(done.status, 201);
    assert.equal(done.headers.get("location"), `/v2/${repo}/blobs/${digest}`);
    assert.equal(await (await alice.req("GET", repo, `/blobs/${digest}`)).text(), "hello world");
  });

  test("PATCH with Transfer-Encoding: chunked and a final PUT body", async () => {
    const start = await alice.req("POST", repo, "/blobs/uploads/");
    const p = start.headers.get("location")!.replace(`/v2/${repo}`, "");
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode("streamed "));
        c.enqueue(new TextEncoder().encode("chunks "));
        c.close();
      },
    });
    const patched = await alice.req("PATCH", repo, p, { body: stream as unknown as BodyInit });
    assert.equal(patched.status, 202);
    const digest = sha("streamed chunks tail");
    const done = await alice.req("PUT", repo, `${p}?digest=${digest}`, { body: Buffer.from("tail") });
    assert.equal(done.status, 201);
  });

  test("a 64 MiB blob streams in and out intact", async () => {
    const chunk = crypto.randomBytes(1024 * 1024);
    const hash = crypto.createHash("sha256");
    for (let i = 0; i < 64; i++) hash.update(chunk);
    const digest = `sha256:${hash.digest("hex")}`;
    let sent = 0;
    const body = new ReadableStream({
      pull(c) {
        if (sent++ < 64) c.enqueue(new Uint8Array(chunk));
        else c.close();
      },
    });
    const start = await alice.req("POST", repo, "/blobs/uploads/");
    const p = start.headers.get("location")!.replace(`/v2/${repo}`, "");
    assert.equal((await alice.req("PATCH", repo, p, { body: body as unknown as BodyInit })).status, 202);
    assert.equal((await alice.req("PUT", repo, `${p}?digest=${digest}`)).status, 201);
    const get = await alice.req("GET", repo, `/blobs/${digest}`);
    assert.equal(get.headers.get("content-length"), String(64 * 1024 * 1024));
    const back = crypto.createHash("sha256");
    for await (const part of get.body as unknown as AsyncIterable<Uint8Array>) back.update(part);
    assert.equal(`sha256:${back.digest("hex")}`, digest);
  });

  test("a digest mismatch stores nothing", async () => {
    const wrong = sha("something else");
    const res = await alice.req("POST", repo, `/blobs/uploads/?digest=${wrong}`, {
      body: Buffer.from("actual content"),
    });
    assert.equal(res.status, 400);
    assert.equal(await errCode(res), "DIGEST_INVALID");
    assert.equal((await alice.req("HEAD", repo, `/blobs/${wrong}`)).status, 404);
    assert.equal((await alice.req("HEAD", repo, `/blobs/${sha("actual content")}`)).status, 404);
    assert.equal(
      fs.readdirSync(path.join(sys.config.STORAGE_PATH, "uploads")).length,
      0,
      "no scratch file left",
    );
  });

  test("upload cancel, then the session is unknown", async () => {
    const start = await alice.req("POST", repo, "/blobs/uploads/");
    const p = start.headers.get("location")!.replace(`/v2/${repo}`, "");
    assert.equal((await alice.req("DELETE", repo, p)).status, 204);
    const gone = await alice.req("GET", repo, p);
    assert.equal(gone.status, 404);
    assert.equal(await errCode(gone), "BLOB_UPLOAD_UNKNOWN");
  });

  test("cross-repository mount with and without from; unreadable sources fall back to an upload", async () => {
    const digest = await alice.pushBlob(repo, "mount me");
    const withFrom = await alice.req(
      "POST",
      "alice/mount-target",
      `/blobs/uploads/?mount=${digest}&from=${repo}`,
    );
    assert.equal(withFrom.status, 201);
    assert.equal(withFrom.headers.get("docker-content-digest"), digest);
    const noFrom = await alice.req("POST", "alice/mount-target2", `/blobs/uploads/?mount=${digest}`);
    assert.equal(noFrom.status, 201);
    const stolen = await bob.req("POST", "bob/thief", `/blobs/uploads/?mount=${digest}&from=${repo}`);
    assert.equal(stolen.status, 202, "bob may not read alice's blob, so he gets an upload session instead");
    assert.equal((await bob.req("HEAD", "bob/thief", `/blobs/${digest}`)).status, 404);
  });

  test("a blob is readable only in repositories that hold it", async () => {
    const digest = await alice.pushBlob(repo, "only here");
    assert.equal((await alice.req("HEAD", "alice/private", `/blobs/${digest}`)).status, 404);
  });

  test("two uploads of the same digest at once both succeed", async () => {
    const content = Buffer.alloc(512 * 1024, 7);
    const [a, b] = await Promise.all([alice.pushBlob(repo, content), alice.pushBlob("alice/other", content)]);
    assert.equal(a, b);
    assert.equal((await alice.req("HEAD", "alice/other", `/blobs/${a}`)).status, 200);
    assert.equal(await sys.db.blob.count({ where: { digest: a } }), 1);
  });

  test("a client that disconnects mid-upload leaves nothing visible", async () => {
    const token = await alice.token(repo);
    const digest = sha("never finished");
    await new Promise<void>((resolve) => {
      const req = http.request(`${sys.url}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-length": "1000000" },
      });
      req.on("error", () => resolve());
      req.write(Buffer.alloc(1000, 1));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await alice.req("HEAD", repo, `/blobs/${digest}`)).status, 404);
    assert.equal((await fetch(`${sys.url}/health/ready`)).status, 200);
  });

  test("blob DELETE unlinks it from the repository", async () => {
    const digest = await alice.pushBlob(repo, "delete me");
    assert.equal((await alice.req("DELETE", repo, `/blobs/${digest}`)).status, 202);
    assert.equal((await alice.req("HEAD", repo, `/blobs/${digest}`)).status, 404);
  });
});

describe("manifests and tags", () => {
  const repo = "alice/app";

  test("PUT by tag, GET and HEAD by tag and digest", async () => {
    const bytes = await alice.imageManifest(repo);
    await watchRepository(sys, repo, ["repo_push"]); // so that the push event becomes a notifications job
    const res = await alice.putManifest(repo, "v1", bytes);
    assert.equal(res.status, 201);
    const digest = sha(bytes);
    assert.equal(res.headers.get("location"), `/v2/${repo}/manifests/${digest}`);
    assert.equal(res.headers.get("docker-content-digest"), digest);
    for (const ref of ["v1", digest]) {
      const get = await alice.req("GET", repo, `/manifests/${ref}`, {
        headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
      });
      assert.equal(get.status, 200);
      assert.equal(get.headers.get("content-type"), "application/vnd.oci.image.manifest.v1+json");
      assert.deepEqual(Buffer.from(await get.arrayBuffer()), bytes);
      const head = await alice.req("HEAD", repo, `/manifests/${ref}`);
      assert.equal(head.headers.get("docker-content-digest"), digest);
    }
    const entry = await sys.db.auditLog.findFirst({
      where: { kind: "push_repo", metadata: { path: ["manifest_digest"], equals: digest } },
    });
    const aliceRow = await sys.db.user.findUniqueOrThrow({ where: { username: "alice" } });
    assert.deepEqual(
      [entry?.performer, entry?.performerId, entry?.metadata],
      ["alice", aliceRow.id, { repo: "app", namespace: "alice", tag: "v1", manifest_digest: digest }],
    );
    const pushEvent = await sys.db.jobRecord.findFirst({
      where: { queue: "notifications", name: "repo_push", payload: { path: ["digest"], equals: digest } },
    });
    const { eventId, ...payload } = pushEvent!.payload as { eventId: string };
    assert.match(eventId, /^[0-9a-f-]{36}$/, "each event carries its id");
    assert.deepEqual(payload, {
      repository: repo,
      namespace: "alice",
      tags: ["v1"],
      digest,
      pusher: "alice",
    });
  });

  test("PUT by digest is verified", async () => {
    const { bytes } = await alice.pushImage(repo, "tmp");
    const ok = await alice.putManifest(repo, sha(bytes), bytes);
    assert.equal(ok.status, 201);
    const wrong = await alice.putManifest(repo, sha("other"), bytes);
    assert.equal(wrong.status, 400);
    assert.equal(await errCode(wrong), "DIGEST_INVALID");
  });

  test("manifests naming unknown blobs or children are refused", async () => {
    const m = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha("nope"), size: 4 },
      layers: [],
    };
    const res = await alice.putManifest(repo, "broken", Buffer.from(JSON.stringify(m)));
    assert.equal(await errCode(res), "MANIFEST_BLOB_UNKNOWN");
    const idx = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha("x"), size: 1 }],
    };
    const r2 = await alice.putManifest(
      repo,
      "broken-index",
      Buffer.from(JSON.stringify(idx)),
      "application/vnd.oci.image.index.v1+json",
    );
    assert.equal(await errCode(r2), "MANIFEST_BLOB_UNKNOWN");
  });

  test("malformed and oversized manifests", async () => {
    const bad = await alice.putManifest(repo, "bad", Buffer.from("{not json"));
    assert.equal(bad.status, 400);
    assert.equal(await errCode(bad), "MANIFEST_INVALID");
    const big = await alice.putManifest(repo, "big", Buffer.alloc(4 * 1024 * 1024 + 1, 0x20));
    assert.equal(big.status, 413);
    const unknown = await alice.req("GET", repo, "/manifests/does-not-exist");
    assert.equal(unknown.status, 404);
    assert.equal(await errCode(unknown), "MANIFEST_UNKNOWN");
  });

  test("a reference that is neither a tag nor a digest: 404 to look up or delete, 400 to push", async () => {
    // `.INVALID_MANIFEST_NAME` is the conformance suite's "nonexistent manifest".
    for (const ref of [".INVALID_MANIFEST_NAME", "sha256:abc"]) {
      for (const method of ["GET", "HEAD", "DELETE"]) {
        const res = await alice.req(method, repo, `/manifests/${ref}`);
        assert.equal(res.status, 404, `${method} ${ref}`);
        if (method !== "HEAD") assert.equal(await errCode(res), "MANIFEST_UNKNOWN");
      }
    }
    const { bytes } = await alice.pushImage(repo, "named");
    const put = await alice.putManifest(repo, ".INVALID_MANIFEST_NAME", bytes);
    assert.equal(put.status, 400);
    assert.equal(await errCode(put), "TAG_INVALID");
  });

  test("bad names and references are NAME_INVALID / 400, never a file-system error", async () => {
    const t = await registryToken(sys, [], ["alice", "alice-password"]);
    for (const p of [
      "/v2/alice/../etc/manifests/latest",
      "/v2/alice/%2e%2e/x/tags/list",
      "/v2/Alice/App/tags/list",
      "/v2/alice/app/manifests/..%2f..%2fetc",
      "/v2/alice/app/blobs/sha256:..%2f..%2fx",
    ]) {
      const res = await fetch(`${sys.url}${p}`, { headers: { authorization: `Bearer ${t}` } });
      assert.ok([400, 401, 404].includes(res.status), `${p} → ${res.status}`);
      assert.match(res.headers.get("content-type") ?? "", /json/);
    }
    const res = await fetch(`${sys.url}/v2/alice/a..b/tags/list`, {
      headers: { authorization: `Bearer ${t}` },
    });
    assert.equal(res.status, 400);
    assert.equal(await errCode(res), "NAME_INVALID");
  });

  test("tags/list pages with n, last and a Link header, in lexical order", async () => {
    for (const t of ["b", "a", "c", "d"]) await alice.pushImage("alice/paged", t, { layer: "same" });
    const p1 = await alice.req("GET", "alice/paged", "/tags/list?n=2");
    assert.deepEqual(await p1.json(), { name: "alice/paged", tags: ["a", "b"] });
    assert.equal(p1.headers.get("link"), `</v2/alice/paged/tags/list?n=2&last=b>; rel="next"`);
    const p2 = await alice.req("GET", "alice/paged", "/tags/list?n=2&last=b");
    assert.deepEqual((await p2.json()).tags, ["c", "d"]);
    const p3 = await alice.req("GET", "alice/paged", "/tags/list?n=2&last=d");
    assert.deepEqual((await p3.json()).tags, []);
    assert.equal(p3.headers.get("link"), null);
    const all = await alice.req("GET", "alice/paged", "/tags/list");
    assert.deepEqual((await all.json()).tags, ["a", "b", "c", "d"]);
  });

  test("moving a tag keeps history; deleting a tag and a manifest", async () => {
    const one = await alice.pushImage("alice/del", "x");
    const two = await alice.pushImage("alice/del", "x");
    assert.notEqual(one.digest, two.digest);
    const r = (await sys.services.repos.find("alice/del"))!;
    assert.equal(await sys.db.tag.count({ where: { repositoryId: r.id, name: "x" } }), 2);
    assert.equal((await alice.req("DELETE", "alice/del", "/manifests/x")).status, 202);
    assert.equal((await alice.req("GET", "alice/del", "/manifests/x")).status, 404);
    assert.equal((await alice.req("DELETE", "alice/del", "/manifests/x")).status, 404);
    assert.equal(
      (await alice.req("GET", "alice/del", `/manifests/${two.digest}`)).status,
      200,
      "the manifest survives its tag",
    );
    assert.equal((await alice.req("DELETE", "alice/del", `/manifests/${two.digest}`)).status, 202);
    assert.equal((await alice.req("GET", "alice/del", `/manifests/${two.digest}`)).status, 404);
    assert.ok(await sys.db.auditLog.findFirst({ where: { kind: "delete_tag", repositoryId: r.id } }));
  });

  test("concurrent pushes of one tag serialise: every push succeeds, one row stays alive", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => alice.pushImage("alice/race", "latest", { layer: `race-${i}` })),
    );
    const r = (await sys.services.repos.find("alice/race"))!;
    const rows = await sys.db.tag.findMany({
      where: { repositoryId: r.id, name: "latest" },
      orderBy: { lifetimeStart: "asc" },
    });
    assert.equal(rows.length, 10);
    assert.equal(rows.filter((t) => t.lifetimeEnd === null).length, 1);
    for (let i = 1; i < rows.length; i++)
      assert.deepEqual(rows[i - 1]!.lifetimeEnd, rows[i]!.lifetimeStart, "history is contiguous");
    const alive = await alice.req("GET", "alice/race", "/manifests/latest");
    const aliveDigest = alive.headers.get("docker-content-digest");
    assert.ok(results.some((x) => x.digest === aliveDigest));
    assert.equal(
      aliveDigest,
      (await sys.db.manifest.findUniqueOrThrow({ where: { id: rows[9]!.manifestId } })).digest,
    );
  });

  test("an index pushed after its children; children cannot be deleted under it", async () => {
    const a = await alice.pushImage("alice/multi", "tmp-a");
    const b = await alice.pushImage("alice/multi", "tmp-b");
    const idx = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: a.digest,
            size: a.bytes.length,
            platform: { os: "linux", architecture: "amd64" },
          },
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: b.digest,
            size: b.bytes.length,
            platform: { os: "linux", architecture: "arm64" },
          },
        ],
      }),
    );
    const put = await alice.putManifest("alice/multi", "v1", idx, "application/vnd.oci.image.index.v1+json");
    assert.equal(put.status, 201);
    const get = await alice.req("GET", "alice/multi", "/manifests/v1");
    assert.equal(get.headers.get("content-type"), "application/vnd.oci.image.index.v1+json");
    const del = await alice.req("DELETE", "alice/multi", `/manifests/${a.digest}`);
    assert.equal(del.status, 409);
    // A client that accepts no index type gets the linux/amd64 image.
    const old = await alice.req("GET", "alice/multi", "/manifests/v1", {
      headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    assert.equal(old.headers.get("docker-content-digest"), a.digest);
  });

  test("referrers: OCI-Subject on PUT, listing and artifactType filter", async () => {
    const subject = await alice.pushImage("alice/signed", "v1");
    const empty = await alice.pushBlob("alice/signed", "{}");
    const sig = await alice.pushBlob("alice/signed", "signature-bytes");
    const mk = (artifactType: string, annotations: Record<string, string>) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          artifactType,
          config: { mediaType: "application/vnd.oci.empty.v1+json", digest: empty, size: 2 },
          layers: [{ mediaType: "application/octet-stream", digest: sig, size: 15 }],
          subject: {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: subject.digest,
            size: subject.bytes.length,
          },
          annotations,
        }),
      );
    const s1 = mk("application/vnd.dev.cosign.artifact.sig.v1+json", { kind: "sig" });
    const s2 = mk("application/spdx+json", { kind: "sbom" });
    const put = await alice.putManifest("alice/signed", sha(s1), s1);
    assert.equal(put.status, 201);
    assert.equal(put.headers.get("oci-subject"), subject.digest);
    await alice.putManifest("alice/signed", sha(s2), s2);
    const all = await alice.req("GET", "alice/signed", `/referrers/${subject.digest}`);
    assert.equal(all.headers.get("content-type"), "application/vnd.oci.image.index.v1+json");
    const body = (await all.json()) as {
      manifests: { digest: string; artifactType: string; annotations: Record<string, string> }[];
    };
    assert.deepEqual(body.manifests.map((m) => m.digest).sort(), [sha(s1), sha(s2)].sort());
    const filtered = await alice.req(
      "GET",
      "alice/signed",
      `/referrers/${subject.digest}?artifactType=application/spdx%2Bjson`,
    );
    assert.equal(filtered.headers.get("oci-filters-applied"), "artifactType");
    const f = (await filtered.json()) as typeof body;
    assert.deepEqual(
      f.manifests.map((m) => [m.digest, m.annotations.kind]),
      [[sha(s2), "sbom"]],
    );
    const none = await alice.req("GET", "alice/signed", `/referrers/${sha("nothing")}`);
    assert.deepEqual((await none.json()).manifests, []);
  });

  test("_catalog lists only what the caller may see, with paging", async () => {
    const t = await registryToken(sys, ["registry:catalog:*"], ["bob", "bob-password"]);
    const res = await fetch(`${sys.url}/v2/_catalog`, { headers: { authorization: `Bearer ${t}` } });
    const names = ((await res.json()) as { repositories: string[] }).repositories;
    assert.ok(names.includes("alice/public"));
    assert.ok(names.includes("bob/created-by-push"));
    assert.ok(!names.includes("alice/private"));
    const page = await fetch(`${sys.url}/v2/_catalog?n=1`, { headers: { authorization: `Bearer ${t}` } });
    assert.equal(((await page.json()) as { repositories: string[] }).repositories.length, 1);
    assert.match(page.headers.get("link")!, /rel="next"/);
  });
});

describe("robustness", () => {
  test("a TLS ClientHello on the plain-HTTP port does not disturb the server", async () => {
    const hello = Buffer.from("16030100a5010000a10303" + "00".repeat(160), "hex");
    await new Promise<void>((resolve) => {
      const s = net.connect(Number(sys.host.split(":")[1]), "127.0.0.1", () => s.write(hello));
      s.on("data", () => {});
      s.on("close", () => resolve());
      s.on("error", () => resolve());
      setTimeout(() => s.destroy(), 1000);
    });
    assert.equal((await fetch(`${sys.url}/health/live`)).status, 200);
  });

  test("unknown endpoints and methods answer in OCI error JSON", async () => {
    const t = await registryToken(sys, ["repository:alice/app:pull"], ["alice", "alice-password"]);
    const res = await fetch(`${sys.url}/v2/alice/app/manifests/v1`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${t}` },
    });
    assert.equal(res.status, 405);
    assert.equal(await errCode(res), "UNSUPPORTED");
    const nope = await fetch(`${sys.url}/v2/alice/app/nothing`, {
      headers: { authorization: `Bearer ${t}` },
    });
    assert.equal(nope.status, 404);
  });
});

describe("artifact policy", () => {
  let strict: TestSystem;
  before(async () => {
    strict = await startTestSystem({ FEATURE_GENERAL_OCI_SUPPORT: "false" });
  });
  after(async () => strict?.stop());

  test("FEATURE_GENERAL_OCI_SUPPORT=false refuses artifacts but accepts images", async () => {
    const admin = new RegistryClient(strict, ["admin", "admin-password"]);
    await admin.pushImage("admin/img", "v1");
    const cd = await admin.pushBlob("admin/art", "{}");
    const ld = await admin.pushBlob("admin/art", "chart");
    const m = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.cncf.helm.config.v1+json", digest: cd, size: 2 },
        layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", digest: ld, size: 5 }],
      }),
    );
    const res = await admin.putManifest("admin/art", "0.1.0", m);
    assert.equal(res.status, 400);
    assert.equal(await errCode(res), "MANIFEST_INVALID");
  });
});
