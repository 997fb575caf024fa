// Squashed image download: a three-layer image with whiteouts, an opaque directory and a directory replaced
// by a file is pushed over HTTP, fetched from /c1/squash, unpacked and compared file by file, then loaded
// with `podman load` into a private containers-storage.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { after, before, describe, test } from "node:test";
import tar from "tar-stream";
import { basic, startTestSystem, type TestSystem } from "../apps/api/test/harness.js";
import { RegistryClient, sha } from "../apps/api/test/registry-client.js";
import { Clients, haveClients } from "./clients.js";

let sys: TestSystem;
let reg: RegistryClient;
let c: Clients;

type Entry = { name: string; type?: "file" | "directory"; body?: string };

async function makeTar(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === "directory") pack.entry({ name: e.name, type: "directory", mode: 0o755 });
    else pack.entry({ name: e.name, mode: 0o644 }, e.body ?? "");
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** name → content ("<dir>" for directories) of a tar. */
async function readTar(buf: Buffer): Promise<Map<string, string | Buffer>> {
  const out = new Map<string, string | Buffer>();
  const extract = tar.extract();
  extract.end(buf);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry as AsyncIterable<Buffer>) chunks.push(c);
    out.set(entry.header.name, entry.header.type === "directory" ? "<dir>" : Buffer.concat(chunks));
  }
  return out;
}

const FIRST_LAYER: Entry[] = [
  { name: "etc/", type: "directory" },
  { name: "etc/a.txt", body: "a1" },
  { name: "etc/b.txt", body: "b1" },
  { name: "opt/", type: "directory" },
  { name: "opt/x", body: "x" },
  { name: "var/", type: "directory" },
  { name: "var/old/", type: "directory" },
  { name: "var/old/f", body: "f" },
];

const EXPECTED = {
  "etc/": "<dir>",
  "etc/a.txt": "a2",
  "var/": "<dir>",
  "var/old/": "<dir>",
  "var/old/g": "g",
  "new.txt": "n",
  opt: "now a file",
};

before(async () => {
  assert.ok(haveClients(), "skopeo, podman and buildah must be installed (.ci/run installs them)");
  sys = await startTestSystem({ GC_INTERVAL: "0" });
  c = new Clients(sys.host);
  for (const u of ["dev", "other"])
    await sys.services.accounts.createUser({
      username: u,
      email: `${u}@example.com`,
      password: `${u}-password`,
    });
  reg = new RegistryClient(sys, ["dev", "dev-password"]);

  const l1 = await makeTar(FIRST_LAYER);
  const l2 = await makeTar([
    { name: "etc/a.txt", body: "a2" },
    { name: "etc/.wh.b.txt" },
    { name: "var/old/.wh..wh..opq" },
    { name: "var/old/g", body: "g" },
    { name: "new.txt", body: "n" },
  ]);
  const l3 = await makeTar([{ name: "opt", body: "now a file" }]);
  const layers = [
    { blob: zlib.gzipSync(l1), raw: l1, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" },
    { blob: l2, raw: l2, mediaType: "application/vnd.oci.image.layer.v1.tar" },
    { blob: zlib.gzipSync(l3), raw: l3, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" },
  ];
  const config = JSON.stringify({
    created: "2026-01-02T03:04:05Z",
    architecture: "amd64",
    os: "linux",
    config: { Cmd: ["/bin/sh"], Labels: { purpose: "squash-test" } },
    rootfs: { type: "layers", diff_ids: layers.map((l) => sha(l.raw)) },
  });
  await reg.pushBlob("dev/squashme", config);
  for (const l of layers) await reg.pushBlob("dev/squashme", l.blob);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: sha(config),
        size: config.length,
      },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: sha(l.blob), size: l.blob.length })),
    }),
  );
  assert.equal((await reg.putManifest("dev/squashme", "v1", manifest)).status, 201);
});
after(async () => {
  await c?.cleanup();
  await sys?.stop();
});

const squashUrl = (repo: string, tag: string) => `${sys.url}/c1/squash/${repo}/${tag}`;

/** Pushes dev/squashme:v1 again as `tag`, with layer `index` replaced by `blob` of `mediaType`. */
async function pushVariant(tag: string, index: number, blob: Buffer, mediaType: string) {
  const base = JSON.parse(
    await (
      await reg.req("GET", "dev/squashme", "/manifests/v1", {
        headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
      })
    ).text(),
  ) as { config: unknown; layers: { mediaType: string; digest: string; size: number }[] };
  await reg.pushBlob("dev/squashme", blob);
  base.layers[index] = { mediaType, digest: sha(blob), size: blob.length };
  const res = await reg.putManifest("dev/squashme", tag, Buffer.from(JSON.stringify(base)));
  assert.equal(res.status, 201);
}

describe("squashed image download", { concurrency: false }, () => {
  let archive: Buffer;

  test("one docker-archive tar with a single flattened layer: whiteouts and opaque directories applied", async () => {
    const res = await fetch(squashUrl("dev/squashme", "v1"), {
      headers: { authorization: basic("dev", "dev-password") },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/x-tar");
    archive = Buffer.from(await res.arrayBuffer());
    const outer = await readTar(archive);
    const [m] = JSON.parse(outer.get("manifest.json")!.toString()) as {
      Config: string;
      RepoTags: string[];
      Layers: string[];
    }[];
    assert.deepEqual(m!.RepoTags, [`${sys.config.SERVER_HOSTNAME}/dev/squashme:v1`]);
    assert.equal(m!.Layers.length, 1);
    const layer = outer.get(m!.Layers[0]!) as Buffer;
    const config = JSON.parse(outer.get(m!.Config)!.toString()) as {
      rootfs: { diff_ids: string[] };
      config: { Labels: Record<string, string> };
    };
    assert.deepEqual(config.rootfs.diff_ids, [sha(layer)]);
    assert.equal(config.config.Labels.purpose, "squash-test");
    const repositories = JSON.parse(outer.get("repositories")!.toString()) as Record<
      string,
      Record<string, string>
    >;
    assert.deepEqual(Object.keys(repositories), [`${sys.config.SERVER_HOSTNAME}/dev/squashme`]);

    const files = await readTar(layer);
    assert.deepEqual(
      Object.fromEntries([...files].map(([k, v]) => [k, typeof v === "string" ? v : v.toString()])),
      EXPECTED,
    );
  });

  test("the second request is served from the cache, byte for byte", async () => {
    const cacheDir = path.join(sys.config.STORAGE_PATH, "squashed");
    assert.equal(fs.readdirSync(cacheDir).filter((f) => f.endsWith(".tar")).length, 1);
    const [again, parallel] = await Promise.all(
      [0, 1].map(async () => {
        const res = await fetch(squashUrl("dev/squashme", "v1"), {
          headers: { authorization: basic("dev", "dev-password") },
        });
        return Buffer.from(await res.arrayBuffer());
      }),
    );
    assert.equal(sha(again!), sha(archive));
    assert.equal(sha(parallel!), sha(archive));
  });

  test("podman load accepts it into containers-storage", async () => {
    const file = path.join(c.dir, "squashed.tar");
    fs.writeFileSync(file, archive);
    const out = await c.podman("load", "-i", file);
    assert.match(out, /Loaded image/);
    const [info] = JSON.parse(
      await c.podman("image", "inspect", `${sys.config.SERVER_HOSTNAME}/dev/squashme:v1`),
    ) as {
      RootFS: { Layers: string[] };
      Config: { Labels: Record<string, string> };
    }[];
    assert.equal(info!.RootFS.Layers.length, 1);
    assert.equal(info!.Config.Labels.purpose, "squash-test");
  });

  test("authorised like a pull", async () => {
    const anon = await fetch(squashUrl("dev/squashme", "v1"));
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get("www-authenticate") ?? "", /^Basic/);
    const other = await fetch(squashUrl("dev/squashme", "v1"), {
      headers: { authorization: basic("other", "other-password") },
    });
    assert.equal(other.status, 404);
    const wrong = await fetch(squashUrl("dev/squashme", "v1"), {
      headers: { authorization: basic("dev", "nope") },
    });
    assert.equal(wrong.status, 401);
    const missing = await fetch(squashUrl("dev/squashme", "nope"), {
      headers: { authorization: basic("dev", "dev-password") },
    });
    assert.equal(missing.status, 404);
    await sys.db.repository.updateMany({
      where: { name: "squashme" },
      data: { visibility: "public" },
    });
    const pub = await fetch(squashUrl("dev/squashme", "v1"));
    assert.equal(pub.status, 200);
    assert.equal(sha(Buffer.from(await pub.arrayBuffer())), sha(archive));
  });

  test("zstd layers flatten the same way", async () => {
    // The same image with its first layer compressed with zstd (Debian's zstd; Node 20 has no zstd encoder).
    const l1 = await makeTar(FIRST_LAYER);
    const z = execFileSync("zstd", ["-q", "-c"], { input: l1 });
    assert.equal(z.readUInt32LE(0), 0xfd2fb528, "zstd magic");
    await pushVariant("zstd", 0, z, "application/vnd.oci.image.layer.v1.tar+zstd");
    const res = await fetch(squashUrl("dev/squashme", "zstd"), {
      headers: { authorization: basic("dev", "dev-password") },
    });
    assert.equal(res.status, 200);
    const outer = await readTar(Buffer.from(await res.arrayBuffer()));
    const [m] = JSON.parse(outer.get("manifest.json")!.toString()) as { Layers: string[] }[];
    const files = await readTar(outer.get(m!.Layers[0]!) as Buffer);
    assert.deepEqual(
      Object.fromEntries([...files].map(([k, v]) => [k, typeof v === "string" ? v : v.toString()])),
      EXPECTED,
    );
  });

  test("a layer that is not a tar is refused with an error, and the server keeps serving", async () => {
    const junk = Buffer.from("this is not a tar archive, nor gzip, nor zstd".repeat(40));
    await pushVariant("junk", 1, junk, "application/vnd.oci.image.layer.v1.tar");
    const auth = { authorization: basic("dev", "dev-password") };
    const res = await fetch(squashUrl("dev/squashme", "junk"), { headers: auth });
    const body = await res.text();
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${body.slice(0, 200)}`);
    assert.doesNotMatch(body, /\n\s+at |node_modules/);
    // The process survived the failed build: the good image still squashes.
    assert.equal((await fetch(squashUrl("dev/squashme", "v1"), { headers: auth })).status, 200);
  });
});
