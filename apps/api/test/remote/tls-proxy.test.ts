// verify_tls and proxies: a real CNCF distribution serving HTTPS with a self-signed certificate made by
// openssl in the test (content pushed by skopeo), reached directly and through a counting CONNECT proxy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { RemoteError, RemoteRegistry } from "../../src/remote/index.js";
import { Content, skopeoCopy, type Built } from "./content.js";
import { countingProxy, type CountingProxy } from "./fakes.js";
import { DOCKER_REGISTRY, requireBinaries, startDistribution, type Distribution } from "./upstreams.js";

let reg: Distribution;
let proxy: CountingProxy;
let refusing: http.Server;
let image: Built;
let layout: string;
const clients: RemoteRegistry[] = [];
const make = (o: ConstructorParameters<typeof RemoteRegistry>[0]) => {
  const c = new RemoteRegistry({ retries: 1, retryDelayMs: 10, ...o });
  clients.push(c);
  return c;
};
const size = async (s: AsyncIterable<unknown>) => {
  let n = 0;
  for await (const c of s) n += (c as Buffer).length;
  return n;
};

before(async () => {
  requireBinaries(DOCKER_REGISTRY, "skopeo", "openssl");
  [reg, proxy] = await Promise.all([startDistribution({ tls: true }), countingProxy()]);
  const c = new Content();
  image = c.image({ layerSizes: [64 * 1024] });
  layout = c.writeLayout({ v1: image });
  await skopeoCopy(`oci:${layout}:v1`, `docker://${reg.host}/secure/app:v1`, "--dest-tls-verify=false");
  refusing = http.createServer((_req, res) => res.writeHead(403).end());
  refusing.on("connect", (_req, socket: import("node:net").Socket) =>
    socket.end("HTTP/1.1 403 Forbidden\r\n\r\n"),
  );
  await new Promise<void>((r) => refusing.listen(0, "127.0.0.1", r));
});

after(async () => {
  for (const c of clients) c.close();
  refusing?.closeAllConnections();
  await new Promise((r) => (refusing ? refusing.close(r) : r(null)));
  await Promise.all([reg?.stop(), proxy?.close()]);
  if (layout) fs.rmSync(layout, { recursive: true, force: true });
});

test("verifyTls (default): the self-signed upstream fails with kind tls, without retries", async () => {
  const c = make({ registry: reg.host });
  await assert.rejects(c.ping(), (e: unknown) => {
    assert.ok(e instanceof RemoteError);
    assert.equal(e.kind, "tls", e.message);
    assert.equal(e.code, "DEPTH_ZERO_SELF_SIGNED_CERT");
    assert.equal(e.attempts, 1);
    return true;
  });
  await assert.rejects(c.getManifest("secure/app", "v1"), { kind: "tls" });
});

test("verifyTls false: the self-signed upstream serves manifests and blobs over HTTPS", async () => {
  const c = make({ registry: reg.host, verifyTls: false });
  assert.equal((await c.ping()).status, 200);
  const m = await c.getManifest("secure/app", "v1");
  assert.equal(m.digest, image.desc.digest);
  for (const [d, bytes] of image.blobs)
    assert.equal(await size(await c.getBlob("secure/app", d)), bytes.length);
});

test("insecure: HTTPS without verification is tried first and kept", async () => {
  const c = make({ registry: reg.host, insecure: true });
  assert.equal((await c.getManifest("secure/app", image.desc.digest)).digest, image.desc.digest);
});

test("httpsProxy: requests go through one CONNECT tunnel (keep-alive), TLS verified inside it", async () => {
  const before = proxy.connects.length;
  const c = make({ registry: reg.host, verifyTls: false, proxy: { httpsProxy: proxy.url } });
  await c.getManifest("secure/app", "v1");
  for (const [d] of image.blobs) await size(await c.getBlob("secure/app", d));
  assert.deepEqual(await c.listTags("secure/app"), ["v1"]);
  const opened = proxy.connects.slice(before);
  assert.deepEqual(opened, [reg.host], `tunnels: ${opened.join(" ")}`);
  // With verification on, the certificate seen through the tunnel is the upstream's, and it is refused.
  const strict = make({ registry: reg.host, proxy: { httpsProxy: proxy.url } });
  await assert.rejects(strict.getManifest("secure/app", "v1"), { kind: "tls" });
  assert.equal(proxy.connects.length, before + 2);
});

test("noProxy: matching hosts bypass the proxy; others do not", async () => {
  const before = proxy.connects.length;
  for (const noProxy of ["127.0.0.1", "localhost, 127.0.0.0/8", `127.0.0.1:${reg.host.split(":")[1]}`, "*"]) {
    const c = make({ registry: reg.host, verifyTls: false, proxy: { httpsProxy: proxy.url, noProxy } });
    await c.getManifest("secure/app", "v1");
  }
  assert.equal(proxy.connects.length, before, "no tunnel for bypassed hosts");
  const c = make({
    registry: reg.host,
    verifyTls: false,
    proxy: { httpsProxy: proxy.url, noProxy: "example.com,:1" },
  });
  await c.getManifest("secure/app", "v1");
  assert.equal(proxy.connects.length, before + 1);
  // An httpProxy alone does not apply to https:// targets.
  const other = make({ registry: reg.host, verifyTls: false, proxy: { httpProxy: proxy.url } });
  await other.getManifest("secure/app", "v1");
  assert.equal(proxy.connects.length, before + 1);
});

test("a proxy that refuses CONNECT is unavailable with its status; an unreachable one too", async () => {
  const port = (refusing.address() as AddressInfo).port;
  const c = make({ registry: reg.host, verifyTls: false, proxy: { httpsProxy: `http://127.0.0.1:${port}` } });
  await assert.rejects(c.getManifest("secure/app", "v1"), (e: unknown) => {
    assert.ok(e instanceof RemoteError);
    assert.equal(e.kind, "unavailable", e.message);
    assert.equal(e.status, 403);
    assert.equal(e.code, "PROXY_REFUSED");
    return true;
  });
  const gone = make({ registry: reg.host, verifyTls: false, proxy: { httpsProxy: "127.0.0.1:1" } });
  await assert.rejects(gone.ping(), { kind: "unavailable", code: "ECONNREFUSED" });
});
