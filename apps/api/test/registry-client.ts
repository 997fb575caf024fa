// A minimal registry client for tests: token flow, blob and manifest helpers over real HTTP.
import crypto from "node:crypto";
import { basic, registryToken, type TestSystem } from "./harness.js";

export const sha = (b: Buffer | string) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

export interface ImageOptions {
  layer?: string;
  extra?: Record<string, unknown>;
  config?: string;
}

export class RegistryClient {
  private tokens = new Map<string, string>();
  constructor(
    readonly sys: Pick<TestSystem, "url" | "host">,
    readonly creds?: [string, string],
  ) {}

  async token(repo: string, actions = "pull,push,delete"): Promise<string> {
    const key = `${repo}:${actions}`;
    if (!this.tokens.has(key))
      this.tokens.set(key, await registryToken(this.sys, [`repository:${repo}:${actions}`], this.creds));
    return this.tokens.get(key)!;
  }

  async req(
    method: string,
    repo: string,
    path: string,
    init: { body?: BodyInit | Buffer; headers?: Record<string, string>; actions?: string } = {},
  ) {
    const token = await this.token(repo, init.actions);
    return fetch(`${this.sys.url}/v2/${repo}${path}`, {
      method,
      body: init.body as BodyInit,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
      redirect: "manual",
      duplex: "half",
    } as RequestInit);
  }

  async pushBlob(repo: string, content: Buffer | string): Promise<string> {
    const digest = sha(content);
    const res = await this.req("POST", repo, `/blobs/uploads/?digest=${digest}`, {
      body: Buffer.from(content),
      headers: { "content-type": "application/octet-stream" },
    });
    if (res.status !== 201) throw new Error(`blob push ${res.status}: ${await res.text()}`);
    return digest;
  }

  /** Pushes a config + one layer and an image manifest; returns the manifest digest and bytes. */
  async pushImage(repo: string, tag: string, opts: ImageOptions = {}) {
    const manifest = await this.imageManifest(repo, opts);
    const res = await this.putManifest(repo, tag, manifest);
    if (res.status !== 201) throw new Error(`manifest push ${res.status}: ${await res.text()}`);
    return { digest: sha(manifest), bytes: manifest, res };
  }

  /** Pushes a config + one layer and returns the bytes of an image manifest naming them. */
  async imageManifest(repo: string, opts: ImageOptions = {}): Promise<Buffer> {
    const config =
      opts.config ??
      JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } });
    const layer = opts.layer ?? `layer-${crypto.randomUUID()}`;
    const cd = await this.pushBlob(repo, config);
    const ld = await this.pushBlob(repo, layer);
    return Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: {
          mediaType: "application/vnd.oci.image.config.v1+json",
          digest: cd,
          size: Buffer.byteLength(config),
        },
        layers: [
          {
            mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
            digest: ld,
            size: Buffer.byteLength(layer),
          },
        ],
        ...opts.extra,
      }),
    );
  }

  putManifest(
    repo: string,
    ref: string,
    bytes: Buffer,
    mediaType = "application/vnd.oci.image.manifest.v1+json",
  ) {
    return this.req("PUT", repo, `/manifests/${ref}`, {
      body: bytes,
      headers: { "content-type": mediaType },
    });
  }
}

export const basicHeader = basic;
