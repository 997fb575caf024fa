// Test content for upstreams: OCI layouts written by hand and copied with skopeo, and plain HTTP pushes
// (the distribution upload protocol: POST, then PUT ?digest=).
import crypto from "node:crypto";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { MediaType } from "@hm/oci";
import { tempDir } from "./upstreams.js";

const run = promisify(execFile);

export const sha256 = (b: Buffer | string) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

export interface Desc {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
}

export interface Built {
  desc: Desc;
  bytes: Buffer;
  /** Every blob the image references (config and layers), with its bytes. */
  blobs: Map<string, Buffer>;
}

/** Builds image manifests and indexes; blobs are kept in memory, and in an OCI layout once written. */
export class Content {
  readonly blobs = new Map<string, Buffer>();

  blob(bytes: Buffer, mediaType: string): Desc {
    const digest = sha256(bytes);
    this.blobs.set(digest, bytes);
    return { mediaType, digest, size: bytes.length };
  }

  /** An image with gzip layers of random bytes (`layerSizes` before compression). */
  image(opts: { layerSizes?: number[]; arch?: string; docker?: boolean } = {}): Built {
    const arch = opts.arch ?? "amd64";
    const raw = (opts.layerSizes ?? [1024]).map((n) => crypto.randomBytes(n));
    const layerType = opts.docker ? MediaType.DockerLayerGzip : MediaType.OciLayerGzip;
    const layers = raw.map((r) => this.blob(zlib.gzipSync(r), layerType));
    const config = Buffer.from(
      JSON.stringify({
        architecture: arch,
        os: "linux",
        rootfs: { type: "layers", diff_ids: raw.map(sha256) },
        config: { Env: ["PATH=/bin"] },
      }),
    );
    const cfg = this.blob(config, opts.docker ? MediaType.DockerConfig : MediaType.OciConfig);
    const mediaType = opts.docker ? MediaType.DockerManifest : MediaType.OciManifest;
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config: cfg, layers }, null, 2));
    const desc = { ...this.blob(bytes, mediaType), platform: { architecture: arch, os: "linux" } };
    const blobs = new Map([cfg, ...layers].map((d) => [d.digest, this.blobs.get(d.digest)!]));
    return { desc, bytes, blobs };
  }

  /** An OCI index or Docker manifest list of images. */
  index(children: Built[], docker = false): Built {
    const mediaType = docker ? MediaType.DockerManifestList : MediaType.OciIndex;
    const manifests = children.map((c) => c.desc);
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests }));
    const blobs = new Map(children.flatMap((c) => [...c.blobs]));
    return { desc: this.blob(bytes, mediaType), bytes, blobs };
  }

  /** Writes an OCI image layout holding everything built so far, with `tags` naming top-level manifests. */
  writeLayout(tags: Record<string, Built>): string {
    const dir = tempDir("layout");
    fs.mkdirSync(path.join(dir, "blobs", "sha256"), { recursive: true });
    fs.writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    for (const [digest, bytes] of this.blobs)
      fs.writeFileSync(path.join(dir, "blobs", "sha256", digest.slice("sha256:".length)), bytes);
    const manifests = Object.entries(tags).map(([tag, b]) => ({
      mediaType: b.desc.mediaType,
      digest: b.desc.digest,
      size: b.desc.size,
      annotations: { "org.opencontainers.image.ref.name": tag },
    }));
    fs.writeFileSync(path.join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests }));
    return dir;
  }
}

/** `skopeo copy` with a policy, auth file and TMPDIR of its own (nothing written to /etc). */
export async function skopeoCopy(src: string, dest: string, ...args: string[]): Promise<void> {
  const dir = tempDir("skopeo");
  try {
    fs.writeFileSync(path.join(dir, "policy.json"), '{"default":[{"type":"insecureAcceptAnything"}]}');
    fs.writeFileSync(path.join(dir, "auth.json"), '{"auths":{}}');
    const env = { ...process.env, REGISTRY_AUTH_FILE: path.join(dir, "auth.json"), TMPDIR: dir };
    await run("skopeo", ["--policy", path.join(dir, "policy.json"), "copy", "-q", ...args, src, dest], {
      env,
      timeout: 120_000,
    }).catch((e: { stderr?: string; message: string }) => {
      throw new Error(`skopeo copy ${src} ${dest}: ${(e.stderr || e.message).trim()}`);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Plain HTTP pushes to a registry that takes Basic credentials or none (CNCF distribution). */
export class HttpPusher {
  constructor(
    readonly base: string,
    readonly authorization?: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.authorization ? { authorization: this.authorization, ...extra } : extra;
  }

  async blob(name: string, bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const start = await fetch(`${this.base}/v2/${name}/blobs/uploads/`, {
      method: "POST",
      headers: this.headers(),
    });
    if (start.status !== 202) throw new Error(`upload start ${start.status}: ${await start.text()}`);
    const loc = new URL(start.headers.get("location")!, this.base);
    loc.searchParams.set("digest", digest);
    const put = await fetch(loc, {
      method: "PUT",
      body: new Uint8Array(bytes),
      headers: this.headers({ "content-type": "application/octet-stream" }),
    });
    if (put.status !== 201) throw new Error(`upload ${put.status}: ${await put.text()}`);
    return digest;
  }

  async manifest(name: string, ref: string, bytes: Buffer, mediaType: string): Promise<void> {
    const res = await fetch(`${this.base}/v2/${name}/manifests/${ref}`, {
      method: "PUT",
      body: new Uint8Array(bytes),
      headers: this.headers({ "content-type": mediaType }),
    });
    if (res.status !== 201) throw new Error(`manifest ${ref} ${res.status}: ${await res.text()}`);
  }

  /** Pushes an image or an index with all its children and blobs, tagged `tag`. */
  async push(name: string, tag: string, built: Built, children: Built[] = []): Promise<void> {
    for (const bytes of built.blobs.values()) await this.blob(name, bytes);
    for (const c of children) await this.manifest(name, c.desc.digest, c.bytes, c.desc.mediaType);
    await this.manifest(name, tag, built.bytes, built.desc.mediaType);
  }
}
