// Copies one upstream tag into the mirror: its manifest, an index's children first, every blob streamed from
// upstream into the blob store with its digest verified twice (by the client while streaming, by the store
// before the blob is placed). The tag itself moves last, through the manifest service as the mirror robot, in
// the push's one statement: a tag never points at a manifest whose blobs or children are not all stored.
import { parseManifest } from "@hm/oci";
import type { RegistryCaller, RegistryService } from "../content/registry.js";
import type { BlobService } from "../content/blobs.js";
import type { ManifestService } from "../content/manifests.js";
import type { RepositoryWithNamespace } from "../content/repositories.js";
import type { Principal } from "../access/principal.js";
import { MANIFEST_ACCEPT, type ManifestResult, type RemoteRegistry } from "../remote/index.js";
import { robotFullName } from "../tenancy/names.js";

export interface CopyDeps {
  manifests: ManifestService;
  blobs: BlobService;
  /** For mounts: blobs the robot may read elsewhere are linked, not downloaded again. */
  registry: RegistryService;
}

export interface Copied {
  digest: string;
  /** Manifests stored (the tag's own and an index's children that were missing). */
  manifests: number;
  /** Blobs downloaded from upstream (not those already here or mounted). */
  blobs: number;
  bytes: number;
}

export class TagCopier {
  /** Blobs being stored by this sync: tags copied at once that share a layer fetch it once. */
  private readonly storing = new Map<string, Promise<number>>();
  private readonly caller: RegistryCaller;
  private readonly full: string;

  constructor(
    private readonly remote: RemoteRegistry,
    /** The repository on the upstream. */
    private readonly upstream: string,
    private readonly repo: RepositoryWithNamespace,
    private readonly robot: Principal & { kind: "robot" },
    private readonly d: CopyDeps,
    private readonly signal: AbortSignal,
  ) {
    this.full = `${repo.namespace.name}/${repo.name}`;
    this.caller = {
      ref: { kind: "robot", id: robot.robotId },
      name: robotFullName(robot.namespace, robot.name),
      ip: null,
    };
  }

  /** Stores what `tag` points at upstream, then points the tag at it. */
  async copyTag(tag: string): Promise<Copied> {
    const stats = { manifests: 1, blobs: 0, bytes: 0 };
    const top = await this.remote.getManifest(this.upstream, tag, MANIFEST_ACCEPT, { signal: this.signal });
    await this.storeReferenced(top, stats);
    const { manifest } = await this.d.manifests.put(
      this.robot,
      this.repo,
      tag,
      top.bytes,
      top.mediaType,
      null,
    );
    return { digest: manifest.digest, ...stats };
  }

  /** An index's missing children (each with what it references), then the manifest's blobs. */
  private async storeReferenced(m: ManifestResult, stats: Omit<Copied, "digest">): Promise<void> {
    const parsed = parseManifest(m.bytes, m.mediaType);
    for (const child of parsed.manifests) {
      if (await this.d.manifests.get(this.repo, child.digest)) continue;
      const c = await this.remote.getManifest(this.upstream, child.digest, MANIFEST_ACCEPT, {
        signal: this.signal,
      });
      await this.storeReferenced(c, stats);
      await this.d.manifests.put(this.robot, this.repo, child.digest, c.bytes, c.mediaType, null);
      stats.manifests++;
    }
    const sizes = new Map(
      [parsed.config, ...parsed.layers].filter((x) => x !== undefined).map((x) => [x.digest, x.size]),
    );
    for (const digest of parsed.blobDigests) {
      const bytes = await this.blob(digest, sizes.get(digest));
      if (bytes > 0) {
        stats.blobs++;
        stats.bytes += bytes;
      }
    }
  }

  /** Bytes downloaded for the blob (0 when it was here already or mounted). */
  private blob(digest: string, size: number | undefined): Promise<number> {
    let p = this.storing.get(digest);
    if (!p) {
      p = this.fetchBlob(digest, size);
      this.storing.set(digest, p);
      // A failure is not remembered: another tag may try again.
      p.catch(() => this.storing.delete(digest));
    }
    return p;
  }

  private async fetchBlob(digest: string, size: number | undefined): Promise<number> {
    if (await this.d.blobs.statInRepo(this.repo.id, digest)) return 0;
    if (await this.d.registry.mount(this.full, digest, undefined, this.caller)) return 0;
    const body = await this.remote.getBlob(this.upstream, digest, { size, signal: this.signal });
    const stored = await this.d.blobs.putBlob(this.repo, digest, body, size);
    return Number(stored.size);
  }
}
