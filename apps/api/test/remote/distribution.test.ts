// RemoteRegistry against a real CNCF distribution (Debian's docker-registry) without authentication:
// content put there by skopeo (an OCI layout: an image and an OCI index) and by plain HTTP pushes (a Docker
// manifest list of Docker schema 2 images); the client reaches it as an `insecure` upstream (HTTP fallback).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { MediaType, parseManifest } from "@hm/oci";
import { RemoteError, RemoteRegistry } from "../../src/remote/index.js";
import { Content, HttpPusher, sha256, skopeoCopy, type Built } from "./content.js";
import { DOCKER_REGISTRY, requireBinaries, startDistribution, type Distribution } from "./upstreams.js";

let reg: Distribution;
let client: RemoteRegistry;
let image: Built;
let index: Built;
let amd64: Built;
let arm64: Built;
let dlist: Built;
let dchildren: Built[];
let layout: string;

/** Reads a blob through the client, returning its bytes. */
async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const rejectsKind = (p: Promise<unknown>, kind: string, code?: string) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof RemoteError, `expected a RemoteError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (code) assert.equal(e.code, code);
    return true;
  });

before(async () => {
  requireBinaries(DOCKER_REGISTRY, "skopeo");
  reg = await startDistribution();
  const c = new Content();
  image = c.image({ layerSizes: [1024, 3 * 1024 * 1024] });
  amd64 = c.image({ arch: "amd64" });
  arm64 = c.image({ arch: "arm64" });
  index = c.index([amd64, arm64]);
  layout = c.writeLayout({ v1: image, multi: index });
  await skopeoCopy(`oci:${layout}:v1`, `docker://${reg.host}/ns/app:v1`, "--dest-tls-verify=false");
  await skopeoCopy(
    `oci:${layout}:multi`,
    `docker://${reg.host}/ns/app:multi`,
    "--all",
    "--dest-tls-verify=false",
  );
  const d = new Content();
  dchildren = [d.image({ docker: true, arch: "amd64" }), d.image({ docker: true, arch: "arm64" })];
  dlist = d.index(dchildren, true);
  const http = new HttpPusher(reg.url);
  await http.push("ns/app", "dlist", dlist, dchildren);
  for (const t of ["t1", "t2", "t3", "t4", "t5"])
    await http.manifest("ns/app", t, image.bytes, MediaType.OciManifest);
  client = new RemoteRegistry({ registry: reg.host, insecure: true, retries: 1, retryDelayMs: 10 });
});

after(async () => {
  client?.close();
  await reg?.stop();
  if (layout) (await import("node:fs")).rmSync(layout, { recursive: true, force: true });
});

test("ping: GET /v2/ answers 200 over plain HTTP after the insecure HTTPS attempt", async () => {
  const p = await client.ping();
  assert.equal(p.status, 200);
  assert.equal(p.apiVersion, "registry/2.0");
  await client.checkAccess("ns/app");
});

test("manifest by tag and by digest: bytes as pushed by skopeo, digest verified, HEAD agrees", async () => {
  const byTag = await client.getManifest("ns/app", "v1");
  assert.equal(byTag.digest, image.desc.digest);
  assert.equal(byTag.mediaType, MediaType.OciManifest);
  assert.deepEqual(byTag.bytes, image.bytes);
  const byDigest = await client.getManifest("ns/app", image.desc.digest);
  assert.deepEqual(byDigest, byTag);
  assert.deepEqual(await client.headManifest("ns/app", "v1"), {
    digest: image.desc.digest,
    mediaType: MediaType.OciManifest,
    size: image.bytes.length,
  });
  assert.equal((await client.headManifest("ns/app", image.desc.digest))?.digest, image.desc.digest);
});

test("OCI index copied with skopeo --all: the index, then each child by digest, then their blobs", async () => {
  const m = await client.getManifest("ns/app", "multi");
  assert.equal(m.mediaType, MediaType.OciIndex);
  assert.equal(m.digest, index.desc.digest);
  const children = parseManifest(m.bytes, m.mediaType).manifests;
  assert.deepEqual(
    children.map((c) => [c.digest, c.platform?.architecture]),
    [
      [amd64.desc.digest, "amd64"],
      [arm64.desc.digest, "arm64"],
    ],
  );
  for (const [child, built] of [
    [children[0]!, amd64],
    [children[1]!, arm64],
  ] as const) {
    const cm = await client.getManifest("ns/app", child.digest);
    assert.equal(cm.mediaType, MediaType.OciManifest);
    for (const d of parseManifest(cm.bytes, cm.mediaType).blobDigests) {
      const blob = await client.getBlob("ns/app", d);
      assert.deepEqual(await readAll(blob), built.blobs.get(d));
    }
  }
});

test("Docker manifest list of schema 2 images pushed over HTTP, and what an Accept without lists gets", async () => {
  const m = await client.getManifest("ns/app", "dlist");
  assert.equal(m.mediaType, MediaType.DockerManifestList);
  assert.equal(m.digest, dlist.desc.digest);
  const [first] = parseManifest(m.bytes, m.mediaType).manifests;
  const child = await client.getManifest("ns/app", first!.digest);
  assert.equal(child.mediaType, MediaType.DockerManifest);
  assert.deepEqual(child.bytes, dchildren[0]!.bytes);
  // distribution answers a client that cannot take lists with the linux/amd64 image (digest from its header).
  const legacy = await client.getManifest("ns/app", "dlist", [MediaType.DockerManifest]);
  assert.equal(legacy.mediaType, MediaType.DockerManifest);
  assert.equal(legacy.digest, dchildren[0]!.desc.digest);
});

test("blob streaming: a 3 MiB layer arrives in several chunks, hashed while it flows", async () => {
  const layer = parseManifest(image.bytes, MediaType.OciManifest).layers[1]!;
  const blob = await client.getBlob("ns/app", layer.digest, { size: layer.size });
  assert.equal(blob.size, layer.size);
  let chunks = 0;
  const hash = crypto.createHash("sha256");
  for await (const c of blob) {
    chunks++;
    hash.update(c as Buffer);
  }
  assert.ok(chunks > 1, `expected a stream, got ${chunks} chunk(s)`);
  assert.equal(`sha256:${hash.digest("hex")}`, layer.digest);
  assert.equal(blob.bytesRead, layer.size);
  // A descriptor size that disagrees with the upstream's Content-Length fails before any byte is handed over.
  await rejectsKind(client.getBlob("ns/app", layer.digest, { size: layer.size - 1 }), "digest_mismatch");
});

test("404s: unknown manifest, blob and repository are not_found with the upstream's code; HEAD is null", async () => {
  await rejectsKind(client.getManifest("ns/app", "nope"), "not_found", "MANIFEST_UNKNOWN");
  assert.equal(await client.headManifest("ns/app", "nope"), null);
  await rejectsKind(client.getBlob("ns/app", sha256("missing")), "not_found", "BLOB_UNKNOWN");
  await rejectsKind(client.listTags("ns/missing"), "not_found", "NAME_UNKNOWN");
  await rejectsKind(client.checkAccess("ns/missing"), "not_found");
});

test("tags: every tag; distribution 2.8 ignores n for tags (no Link), so one page holds them all", async () => {
  const want = ["dlist", "multi", "t1", "t2", "t3", "t4", "t5", "v1"];
  assert.deepEqual((await client.listTags("ns/app")).sort(), want);
  assert.deepEqual((await client.listTags("ns/app", { pageSize: 2 })).sort(), want);
});
