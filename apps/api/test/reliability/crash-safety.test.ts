// kill -9 during a large upload and during manifest PUTs, then restart on the same database and storage:
// acknowledged data is intact, nothing half-written is visible, stale upload sessions are cleaned.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { startSystem, type System } from "../../src/app/system.js";
import { ChildServer } from "../child-server.js";
import { basic } from "../harness.js";
import { sha } from "../registry-client.js";

let server: ChildServer;
let env: Record<string, string>;
const url = () => server.url;
const CREDS = basic("admin", "admin-password");
const MIB = 1024 * 1024;
const startChild = () => server.start();
const kill9 = () => server.kill9();
const child = () => server.child!;

async function token(repo: string) {
  const q = new URLSearchParams({
    service: env.SERVER_HOSTNAME!,
    scope: `repository:${repo}:pull,push,delete`,
  });
  const r = await fetch(`${url()}/v2/auth?${q}`, { headers: { authorization: CREDS } });
  return ((await r.json()) as { token: string }).token;
}

async function pushBlob(repo: string, tok: string, content: Buffer) {
  const r = await fetch(`${url()}/v2/${repo}/blobs/uploads/?digest=${sha(content)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${tok}`, "content-type": "application/octet-stream" },
    body: new Uint8Array(content),
  });
  assert.equal(r.status, 201);
  return sha(content);
}

function imageManifest(config: Buffer, layers: Buffer[]) {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: sha(config),
        size: config.length,
      },
      layers: layers.map((l) => ({
        mediaType: "application/vnd.oci.image.layer.v1.tar",
        digest: sha(l),
        size: l.length,
      })),
    }),
  );
}

/** Restarts in-process on the same database and storage, so the test can call services directly. */
async function restartInProcess(): Promise<System> {
  return startSystem(loadConfig(env), { http: true, workers: false });
}

before(async () => {
  server = await ChildServer.create();
  env = server.env;
  await startChild();
});
after(async () => server?.destroy());

describe("crash safety", { concurrency: false }, () => {
  const acknowledged: { repo: string; tag: string; digest: string; blobs: Buffer[] }[] = [];

  test("kill -9 in the middle of a large chunked upload", async () => {
    const tok = await token("admin/app");
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux" }));
    const layer = crypto.randomBytes(256 * 1024);
    await pushBlob("admin/app", tok, config);
    await pushBlob("admin/app", tok, layer);
    const m = imageManifest(config, [layer]);
    const put = await fetch(`${url()}/v2/admin/app/manifests/v1`, {
      method: "PUT",
      headers: {
        authorization: `Bearer ${tok}`,
        "content-type": "application/vnd.oci.image.manifest.v1+json",
      },
      body: m,
    });
    assert.equal(put.status, 201);
    acknowledged.push({ repo: "admin/app", tag: "v1", digest: sha(m), blobs: [config, layer] });

    const start = await fetch(`${url()}/v2/admin/app/blobs/uploads/`, {
      method: "POST",
      headers: { authorization: `Bearer ${tok}` },
    });
    assert.equal(start.status, 202);
    const location = new URL(start.headers.get("location")!, url()).toString();
    // 256 MiB announced, streamed slowly; the server dies after about 32 MiB.
    let sent = 0;
    let killed: Promise<void> | null = null;
    const chunk = Buffer.alloc(MIB, 1);
    const body = new Readable({
      read() {
        if (sent >= 256 * MIB) return this.push(null);
        sent += MIB;
        if (sent === 32 * MIB) killed = kill9();
        setTimeout(() => this.push(chunk), sent > 32 * MIB ? 50 : 0);
      },
    });
    const patch = fetch(location, {
      method: "PATCH",
      headers: { authorization: `Bearer ${tok}`, "content-type": "application/octet-stream" },
      body: Readable.toWeb(body) as ReadableStream,
      duplex: "half",
    } as RequestInit);
    await assert.rejects(patch); // the connection died with the server
    assert.ok(killed, "the server was killed mid-upload");
    await killed;
    assert.equal(child().signalCode, "SIGKILL");
  });

  test("kill -9 while manifest PUTs are in flight", async () => {
    await startChild();
    const tok = await token("admin/many");
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", n: 1 }));
    await pushBlob("admin/many", tok, config);
    const layers: Buffer[] = [];
    for (let i = 0; i < 20; i++) layers.push(crypto.randomBytes(4096));
    for (const l of layers) await pushBlob("admin/many", tok, l);
    let acks = 0;
    const puts = Array.from({ length: 400 }, (_, i) => {
      const m = imageManifest(config, [layers[i % layers.length]!, layers[(i * 7) % layers.length]!]);
      return fetch(`${url()}/v2/admin/many/manifests/t${i}`, {
        method: "PUT",
        headers: {
          authorization: `Bearer ${tok}`,
          "content-type": "application/vnd.oci.image.manifest.v1+json",
        },
        body: m,
      }).then(
        (r) => {
          if (r.status === 201) {
            acknowledged.push({ repo: "admin/many", tag: `t${i}`, digest: sha(m), blobs: [config] });
            if (++acks === 60) void kill9();
          }
        },
        () => {},
      );
    });
    await Promise.all(puts);
    assert.ok(acks >= 60 && acks < 400, `acknowledged ${acks} before the kill`);
  });

  test("after restart: acknowledged data intact, nothing half-written, stale sessions cleaned", async () => {
    const sys = await restartInProcess();
    try {
      const base = sys.url!;
      const tok = async (repo: string) => {
        const q = new URLSearchParams({ service: env.SERVER_HOSTNAME!, scope: `repository:${repo}:pull` });
        return (
          (await (await fetch(`${base}/v2/auth?${q}`, { headers: { authorization: CREDS } })).json()) as {
            token: string;
          }
        ).token;
      };
      const toks = { "admin/app": await tok("admin/app"), "admin/many": await tok("admin/many") };
      for (const a of acknowledged) {
        const t = toks[a.repo as keyof typeof toks];
        const m = await fetch(`${base}/v2/${a.repo}/manifests/${a.tag}`, {
          headers: { authorization: `Bearer ${t}`, accept: "application/vnd.oci.image.manifest.v1+json" },
        });
        assert.equal(m.status, 200, `${a.repo}:${a.tag}`);
        const bytes = Buffer.from(await m.arrayBuffer());
        assert.equal(sha(bytes), a.digest);
        for (const b of a.blobs) {
          const r = await fetch(`${base}/v2/${a.repo}/blobs/${sha(b)}`, {
            headers: { authorization: `Bearer ${t}` },
          });
          assert.equal(sha(Buffer.from(await r.arrayBuffer())), sha(b));
        }
      }
      // Every tag that exists (acknowledged or not) resolves to a complete manifest whose blobs all read back.
      const tags = await sys.db.tag.findMany({
        where: { lifetimeEnd: null },
        include: { manifest: { include: { blobs: { include: { blob: true } } } } },
      });
      assert.ok(tags.length >= acknowledged.length);
      for (const t of tags) {
        assert.equal(sha(Buffer.from(t.manifest.bytes)), t.manifest.digest);
        for (const mb of t.manifest.blobs)
          assert.equal(await sys.store.stat(mb.blob.digest), Number(mb.blob.size));
      }
      // Every blob row has its complete file.
      for (const b of await sys.db.blob.findMany())
        assert.equal(await sys.store.stat(b.digest), Number(b.size), b.digest);
      // The interrupted upload left a session and a partial scratch file, never a blob.
      assert.equal(await sys.db.blob.count({ where: { size: { gt: 16 * MIB } } }), 0);
      const sessions = await sys.db.upload.count();
      assert.ok(sessions >= 1, "the interrupted upload session is still recorded");
      const cleaned = await sys.services.blobs.cleanupUploads(0);
      assert.ok(cleaned.sessions >= 1);
      assert.equal(await sys.db.upload.count(), 0);
      assert.deepEqual(await sys.store.staleUploads(new Date(Date.now() + 1000)), []);
      console.log(
        `crash-safety: ${acknowledged.length} acknowledged manifests intact; ${tags.length} alive tags all complete; ` +
          `${cleaned.sessions} stale upload session(s) and ${cleaned.files} orphan scratch file(s) cleaned`,
      );
    } finally {
      await sys.stop();
    }
  });
});
