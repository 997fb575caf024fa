// Squashed image download (Quay's /c1/squash): one `docker load`-compatible tar whose single layer is the
// image's layers flattened. The flattened layer is built once per manifest into a cache file under the
// blob store's root (temp file, then rename: concurrent requests and processes are safe) and the small
// docker-archive wrapper around it is streamed per request, since it names the repository and tag.
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { MediaType, parseManifest } from "@hm/oci";
import tar from "tar-stream";
import type { Db } from "../infra/database.js";
import type { BlobStore } from "../storage/blob-store.js";
import { badInput, notFound } from "../common/errors.js";
import { copyInto, writeFlattened, type LayerOpener } from "./layer-flatten.js";
import { readSmallJson } from "./manifest-labels.js";
import type { RepositoryWithNamespace } from "./repositories.js";
import type { TagService } from "../tags/history.js";
import { childOrder } from "../tags/views.js";

interface SquashedLayer {
  file: string;
  size: number;
  diffId: string;
}

const IMAGE_TYPES = new Set<string>([MediaType.OciManifest, MediaType.DockerManifest]);

export class SquashService {
  private readonly building = new Map<string, Promise<SquashedLayer>>();

  constructor(
    private readonly db: Db,
    private readonly tags: TagService,
    private readonly store: BlobStore,
    private readonly cacheDir: string,
    private readonly host: string,
  ) {
    fs.mkdirSync(cacheDir, { recursive: true });
  }

  /**
   * The squashed tar of `repo:tag`. For an index, the child for `platform` ("os/arch[/variant]"), else
   * linux/amd64, else the first child.
   */
  async export(repo: RepositoryWithNamespace, tag: string, platform?: string): Promise<Readable> {
    const tagged = await this.tags.resolve(repo.id, tag);
    if (!tagged) throw notFound(`Tag ${tag}`);
    const manifest = await this.imageOf(tagged.manifest, platform);
    const parsed = parseManifest(Buffer.from(manifest.bytes), manifest.mediaType);
    if (parsed.kind !== "image" || !parsed.config) throw badInput("Only images can be squashed");
    const config = (await readSmallJson(await this.store.read(parsed.config.digest))) as Record<
      string,
      unknown
    > | null;
    if (!config || typeof config !== "object") throw badInput("The image config cannot be read");
    const layer = await this.layer(
      manifest.digest,
      parsed.layers.map((l) => l.digest),
    );
    return this.archive(`${this.host}/${repo.namespace.name}/${repo.name}`, tag, config, layer);
  }

  private async imageOf(
    m: { id: bigint; digest: string; mediaType: string; bytes: Uint8Array },
    platform?: string,
  ) {
    if (IMAGE_TYPES.has(m.mediaType)) return m;
    const order = childOrder(m.bytes);
    const children = (
      await this.db.manifestChild.findMany({ where: { parentId: m.id }, include: { child: true } })
    ).sort((a, b) => order(a.child.digest) - order(b.child.digest));
    if (!children.length) throw badInput("Only images can be squashed");
    const [os, arch, variant] = (platform ?? "linux/amd64").split("/");
    const fits = (p: unknown) => {
      const q = (p ?? {}) as { os?: string; architecture?: string; variant?: string };
      return q.os === os && q.architecture === arch && (!variant || q.variant === variant);
    };
    const chosen = children.find((c) => fits(c.platform)) ?? (platform ? null : children[0]);
    if (!chosen) throw notFound(`Platform ${platform}`);
    return chosen.child;
  }

  /** The flattened layer of a manifest: cached, built once even under concurrent requests. */
  private async layer(manifestDigest: string, layers: string[]): Promise<SquashedLayer> {
    const key = manifestDigest.replace(":", "-");
    const file = path.join(this.cacheDir, `${key}.tar`);
    const meta = path.join(this.cacheDir, `${key}.json`);
    const cached = await fsp.readFile(meta, "utf8").then(
      (t) => JSON.parse(t) as SquashedLayer,
      () => null,
    );
    if (cached && (await fsp.stat(file).catch(() => null))?.size === cached.size) return { ...cached, file };
    let pending = this.building.get(key);
    if (!pending) {
      pending = this.build(layers, file, meta).finally(() => this.building.delete(key));
      this.building.set(key, pending);
    }
    return pending;
  }

  private async build(layers: string[], file: string, meta: string): Promise<SquashedLayer> {
    const tmp = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
    const openers: LayerOpener[] = layers.map((d) => (range) => this.store.read(d, range));
    const pack = tar.pack();
    const hash = crypto.createHash("sha256");
    let size = 0;
    const out = fs.createWriteStream(tmp);
    let writing: Promise<void> | undefined;
    try {
      writing = (async () => {
        for await (const chunk of pack as AsyncIterable<Buffer>) {
          hash.update(chunk);
          size += chunk.length;
          if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
        }
        await new Promise<void>((resolve, reject) =>
          out.end((e?: Error | null) => (e ? reject(e) : resolve())),
        );
      })();
      await writeFlattened(openers, pack);
      pack.finalize();
      await writing;
      const layer = { file, size, diffId: `sha256:${hash.digest("hex")}` };
      // The metadata goes first: a tar in place always has its metadata beside it.
      await fsp.writeFile(
        `${meta}.${process.pid}.tmp`,
        JSON.stringify({ size: layer.size, diffId: layer.diffId }),
      );
      await fsp.rename(`${meta}.${process.pid}.tmp`, meta);
      await fsp.rename(tmp, file);
      return layer;
    } catch (e) {
      out.destroy();
      pack.destroy();
      // Destroying the pack rejects the copy loop; it is awaited here so no rejection is left unhandled
      // (an unhandled one ends the process). The first error is the one reported.
      await writing?.catch(() => {});
      await fsp.rm(tmp, { force: true });
      // A system error (disk, file) is the server's; anything else came from reading the layers' bytes.
      if (!(e as NodeJS.ErrnoException).errno)
        throw badInput(
          "A layer of this image is not a tar archive (plain, gzip or zstd); it cannot be squashed",
        );
      throw e;
    }
  }

  /** Removes cached squashed layers of manifests that no longer exist (called by GC). */
  async evict(manifestDigests: string[]): Promise<void> {
    for (const d of manifestDigests) {
      const key = d.replace(":", "-");
      await fsp.rm(path.join(this.cacheDir, `${key}.tar`), { force: true });
      await fsp.rm(path.join(this.cacheDir, `${key}.json`), { force: true });
    }
  }

  /** docker-archive: manifest.json, repositories, the config and one layer (legacy `json`/`VERSION` too). */
  private async archive(
    name: string,
    tag: string,
    original: Record<string, unknown>,
    layer: SquashedLayer,
  ): Promise<Readable> {
    const created = typeof original.created === "string" ? original.created : new Date(0).toISOString();
    const config = Buffer.from(
      JSON.stringify({
        ...original,
        rootfs: { type: "layers", diff_ids: [layer.diffId] },
        history: [{ created, created_by: "squashed by harbormaster", comment: `squashed ${name}:${tag}` }],
      }),
    );
    const configName = `${crypto.createHash("sha256").update(config).digest("hex")}.json`;
    const id = layer.diffId.slice("sha256:".length);
    const mtime = new Date(created);
    const small: [string, Buffer][] = [
      [
        "manifest.json",
        Buffer.from(
          JSON.stringify([{ Config: configName, RepoTags: [`${name}:${tag}`], Layers: [`${id}/layer.tar`] }]),
        ),
      ],
      ["repositories", Buffer.from(JSON.stringify({ [name]: { [tag]: id } }))],
      [configName, config],
      [`${id}/VERSION`, Buffer.from("1.0")],
      [
        `${id}/json`,
        Buffer.from(
          JSON.stringify({
            id,
            created,
            config: original.config ?? {},
            os: original.os,
            architecture: original.architecture,
          }),
        ),
      ],
    ];
    const pack = tar.pack();
    const stream = new PassThrough();
    (async () => {
      const cached = fs.createReadStream(layer.file); // opened now: a concurrent eviction cannot cut it short
      await new Promise<void>((resolve, reject) =>
        cached.once("open", () => resolve()).once("error", reject),
      );
      const add = (h: tar.Header | { name: string; type: "directory"; mtime: Date }, body?: Buffer) =>
        new Promise<void>((resolve, reject) => {
          if (body) pack.entry({ ...h, mtime }, body, (e) => (e ? reject(e) : resolve()));
          else pack.entry({ ...h, mtime }, (e) => (e ? reject(e) : resolve()));
        });
      const feed = (async () => {
        for await (const chunk of pack as AsyncIterable<Buffer>) {
          if (!stream.write(chunk)) await new Promise<void>((r) => stream.once("drain", () => r()));
        }
        stream.end();
      })();
      for (const [n, b] of small.slice(0, 3)) await add({ name: n } as tar.Header, b);
      await add({ name: `${id}`, type: "directory", mtime });
      for (const [n, b] of small.slice(3)) await add({ name: n } as tar.Header, b);
      await copyInto(pack, { name: `${id}/layer.tar`, size: layer.size, mtime }, cached);
      pack.finalize();
      await feed;
    })().catch((e) => stream.destroy(e as Error));
    return stream;
  }
}
