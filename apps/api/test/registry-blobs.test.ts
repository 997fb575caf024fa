// Blobs and uploads over real HTTP (/v2), against the real database, Redis and filesystem.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { describe, test } from "node:test";
import { type TestSystem } from "./harness.js";
import { RegistryClient, sha } from "./registry-client.js";
import { errCode, registryWorld } from "./registry-fixtures.js";

let sys: TestSystem;
let alice: RegistryClient;
let bob: RegistryClient;
registryWorld((w) => ({ sys, alice, bob } = w));

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
