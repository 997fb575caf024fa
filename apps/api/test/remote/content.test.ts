// Content checks against tiny node:http fake upstreams that lie (wrong bytes, wrong sizes, wrong digests),
// redirect blob GETs elsewhere, paginate oddly, stall, or are no registry at all.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { MediaType } from "@hm/oci";
import { RemoteError, RemoteRegistry } from "../../src/remote/index.js";
import { sha256 } from "./content.js";
import { fakeUpstream, type FakeUpstream } from "./fakes.js";

const servers: FakeUpstream[] = [];
const clients: RemoteRegistry[] = [];
after(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
});
const fake = async (h: Parameters<typeof fakeUpstream>[0]) => {
  const s = await fakeUpstream(h);
  servers.push(s);
  return s;
};
const make = (host: string, o: Partial<ConstructorParameters<typeof RemoteRegistry>[0]> = {}) => {
  const c = new RemoteRegistry({ registry: host, insecure: true, retries: 2, retryDelayMs: 10, ...o });
  clients.push(c);
  return c;
};
const readAll = async (s: AsyncIterable<unknown>) => {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};
const kind = (k: string) => (e: unknown) => {
  assert.ok(e instanceof RemoteError, String(e));
  assert.equal(e.kind, k, e.message);
  return true;
};
const BLOB = Buffer.from("the real layer bytes ".repeat(1000));
const DIGEST = sha256(BLOB);
const blobRequests = (up: FakeUpstream) => up.requests.filter((r) => r.url.includes("/blobs/")).length;

test("a blob whose bytes lie: the stream hands the bytes over, then errors with digest_mismatch", async () => {
  const up = await fake((_req, res) =>
    res.writeHead(200, { "content-length": BLOB.length }).end(Buffer.alloc(BLOB.length, 1)),
  );
  const blob = await make(up.host).getBlob("ns/app", DIGEST);
  let seen = 0;
  await assert.rejects(
    (async () => {
      for await (const c of blob) seen += (c as Buffer).length;
    })(),
    (e: unknown) => kind("digest_mismatch")(e) && /hashes to sha256:/.test((e as Error).message),
  );
  assert.equal(seen, BLOB.length);
  assert.equal(blobRequests(up), 1, "a digest mismatch is not retried");
});

test("a blob longer or shorter than its descriptor: digest_mismatch on size", async () => {
  const up = await fake((req, res) => {
    res.writeHead(200); // chunked: no Content-Length to check up front
    res.end(req.url!.includes("long") ? Buffer.concat([BLOB, BLOB]) : BLOB.subarray(0, 100));
  });
  const long = await make(up.host).getBlob("ns/long", DIGEST, { size: BLOB.length });
  await assert.rejects(
    readAll(long),
    (e: unknown) => kind("digest_mismatch")(e) && /more than/.test(String(e)),
  );
  const short = await make(up.host).getBlob("ns/short", DIGEST, { size: BLOB.length });
  await assert.rejects(
    readAll(short),
    (e: unknown) => kind("digest_mismatch")(e) && /got 100 bytes/.test(String(e)),
  );
});

test("a manifest that does not hash to Docker-Content-Digest or to the digest asked for", async () => {
  const body = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}');
  const up = await fake((_req, res) =>
    res
      .writeHead(200, { "content-type": MediaType.OciManifest, "docker-content-digest": sha256("other") })
      .end(body),
  );
  const c = make(up.host);
  await assert.rejects(c.getManifest("ns/app", "v1"), kind("digest_mismatch"));
  await assert.rejects(c.getManifest("ns/app", sha256("asked")), kind("digest_mismatch"));
  assert.equal(up.requests.filter((r) => r.url.includes("/manifests/")).length, 2, "not retried");
});

test("blob redirects are followed; the Authorization stays with the registry", async () => {
  const cdn = await fake((req, res) =>
    req.url === "/hop"
      ? res.writeHead(302, { location: "/final?sig=1" }).end()
      : res.writeHead(200).end(BLOB),
  );
  const up = await fake((req, res) => {
    if (req.url!.startsWith("/token")) return void res.writeHead(200).end('{"token":"t0k"}');
    if (req.headers.authorization !== "Bearer t0k")
      return void res
        .writeHead(401, { "www-authenticate": `Bearer realm="http://${req.headers.host}/token"` })
        .end();
    if (req.url!.includes("/loop/")) return void res.writeHead(307, { location: req.url }).end();
    res.writeHead(307, { location: `${cdn.url}/hop` }).end();
  });
  const c = make(up.host);
  assert.deepEqual(await readAll(await c.getBlob("ns/app", DIGEST)), BLOB);
  assert.deepEqual(
    cdn.requests.map((r) => [r.url, r.headers.authorization]),
    [
      ["/hop", undefined],
      ["/final?sig=1", undefined],
    ],
  );
  assert.equal(up.requests.at(-1)!.headers.authorization, "Bearer t0k");
  await assert.rejects(
    c.getBlob("ns/loop", DIGEST),
    (e: unknown) => kind("protocol")(e) && /redirects/.test(String(e)),
  );
});

test("HEAD without Docker-Content-Digest falls back to GET; generic Content-Type is read from the body", async () => {
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
  const up = await fake((req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": index.length });
    res.end(req.method === "HEAD" ? undefined : index);
  });
  const c = make(up.host);
  assert.deepEqual(await c.headManifest("ns/app", "v1"), {
    digest: sha256(index),
    mediaType: MediaType.OciIndex,
    size: index.length,
  });
  assert.deepEqual(up.requests.map((r) => r.method).slice(-2), ["HEAD", "GET"]);
});

test("tag pages: absolute Link URLs are followed; loops and foreign hosts are protocol errors", async () => {
  const up = await fake((req, res) => {
    const u = new URL(req.url!, `http://${req.headers.host}`);
    const last = u.searchParams.get("last");
    const link = (l: string) => ({ link: `<${l}>; rel="next"` });
    if (u.pathname === "/v2/ns/loop/tags/list")
      return void res.writeHead(200, link("/v2/ns/loop/tags/list?last=a")).end('{"tags":["a"]}');
    if (u.pathname === "/v2/ns/away/tags/list")
      return void res.writeHead(200, link("http://elsewhere.example/v2/x")).end('{"tags":["a"]}');
    if (!last)
      return void res
        .writeHead(200, link(`http://${req.headers.host}/v2/ns/app/tags/list?n=2&last=b`))
        .end('{"tags":["a","b"]}');
    res.writeHead(200).end('{"name":"ns/app","tags":["c"]}');
  });
  const c = make(up.host);
  assert.deepEqual(await c.listTags("ns/app", { pageSize: 2 }), ["a", "b", "c"]);
  await assert.rejects(c.listTags("ns/loop"), (e: unknown) => kind("protocol")(e) && /loops/.test(String(e)));
  await assert.rejects(
    c.listTags("ns/away"),
    (e: unknown) => kind("protocol")(e) && /leaves/.test(String(e)),
  );
});

test("a stalled blob fails as unavailable; a slow reader does not", async () => {
  const big = Buffer.alloc(4 * 1024 * 1024, 3);
  const up = await fake((req, res) => {
    if (req.url!.includes("/stall/")) {
      res.writeHead(200, { "content-length": BLOB.length });
      return void res.write(BLOB.subarray(0, 10));
    }
    res.writeHead(200, { "content-length": big.length }).end(big);
  });
  const c = make(up.host, { timeoutMs: 200 });
  const stalled = await c.getBlob("ns/stall", DIGEST);
  await assert.rejects(
    readAll(stalled),
    (e: unknown) => kind("unavailable")(e) && /sent nothing/.test(String(e)),
  );
  const slow = await c.getBlob("ns/app", sha256(big));
  let n = 0;
  for await (const chunk of slow) {
    if (n++ === 0) await sleep(700); // backpressure for more than three timeouts
    void chunk;
  }
  assert.equal(slow.bytesRead, big.length);
});

test("an aborted blob read ends with the abort reason; not a registry is a protocol error", async () => {
  const up = await fake((req, res) => {
    if (req.url === "/v2/") return void res.writeHead(404).end("no registry here");
    res.writeHead(200, { "content-length": 1 << 20 });
    res.write(Buffer.alloc(1024));
  });
  const c = make(up.host);
  const ac = new AbortController();
  const blob = await c.getBlob("ns/app", DIGEST, { signal: ac.signal });
  setTimeout(() => ac.abort(new Error("sync cancelled")), 50);
  await assert.rejects(readAll(blob), /sync cancelled/);
  await assert.rejects(c.ping(), (e: unknown) => kind("protocol")(e) && (e as RemoteError).status === 404);
});
