// Images fetched from upstream but not stored yet. A manifest cannot be stored before its blobs (the push
// function checks them), and a first pull must not wait for the whole image: so the client gets the
// upstream's manifest at once, its blob requests fill the cache as they stream (blob-flights.ts), and this
// completion stores manifest and tag once every blob is there. Blobs the client did not ask for (layers it
// had) are fetched by the completion itself, once the repository has been quiet for `idleMs`, so it never
// races a client for a blob it is about to stream. Until then, further pulls are answered from here.
import type { Readable } from "node:stream";
import type { ParsedManifest } from "@hm/oci";
import type { Logger } from "../infra/logger.js";
import type { Principal } from "../access/principal.js";
import type { BlobService } from "../content/blobs.js";
import type { ProxyConfig, ProxyConfigs } from "./configs.js";
import type { BlobFlights, CacheRepo } from "./blob-flights.js";
import type { FlightSource } from "./blob-flight.js";
import type { CacheWrites } from "./cache-writes.js";
import type { QuotaPruning } from "./pruning.js";
import type { ProxyLocks } from "./locks.js";

export interface Pending {
  repo: CacheRepo;
  /** The tag pulled (null: a pull by digest, an index child say). */
  tag: string | null;
  digest: string;
  mediaType: string;
  bytes: Buffer;
  parsed: ParsedManifest;
  config: ProxyConfig;
  /** The repository's name upstream. */
  upstreamName: string;
  who: Principal;
  ip: string | null;
  since: number;
}

const noop = () => {};

export class Completions {
  private readonly byRef = new Map<string, Pending>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly configs: ProxyConfigs,
    private readonly flights: BlobFlights,
    private readonly writes: CacheWrites,
    private readonly pruning: QuotaPruning,
    private readonly locks: ProxyLocks,
    private readonly blobs: BlobService,
    private readonly log: Logger,
    readonly tuning: { idleMs: number },
  ) {}

  /** The pending image a reference names (`full:tag` or `full@digest`). */
  find(full: string, ref: string): Pending | undefined {
    return this.byRef.get(ref.includes(":") ? `${full}@${ref}` : `${full}:${ref}`);
  }

  get active(): Promise<void>[] {
    return [...this.running];
  }

  /** Registers a fetched image and completes it in the background. */
  begin(p: Pending): void {
    const keys = [`${p.repo.full}@${p.digest}`, ...(p.tag ? [`${p.repo.full}:${p.tag}`] : [])];
    for (const k of keys) this.byRef.set(k, p);
    const run = this.complete(p)
      .catch((e: unknown) =>
        this.log.warn(
          { err: String(e), repository: p.repo.full, digest: p.digest },
          "proxy cache: not cached",
        ),
      )
      .finally(() => {
        for (const k of keys) if (this.byRef.get(k) === p) this.byRef.delete(k);
        this.running.delete(run);
      });
    this.running.add(run);
  }

  /** Where a blob of the upstream repository comes from and goes to (the flights of clients use it too). */
  source(
    config: ProxyConfig,
    repo: CacheRepo,
    upstreamName: string,
    digest: string,
    size?: number,
  ): FlightSource {
    return {
      open: () =>
        this.configs.client(config).getBlob(upstreamName, digest, size === undefined ? {} : { size }),
      sink: async () => {
        const upload = await this.blobs.serverUpload(repo);
        return {
          write: async (body: Readable) => {
            try {
              await upload.append(body);
              await upload.commit(digest);
            } catch (e) {
              await upload.cancel().catch(noop);
              throw e;
            }
          },
          abort: () => upload.cancel(),
        };
      },
    };
  }

  private async complete(p: Pending): Promise<void> {
    await this.locks.withLock(`image:${p.repo.id}:${p.digest}:${p.tag ?? ""}`, async () => {
      await this.fill(p);
      // Another process may have completed the same image while this one waited for the lock.
      if (
        p.tag ? (await this.writes.taggedDigest(p.repo.id, p.tag)) === p.digest : await this.writes.stored(p)
      )
        return;
      const { pruned } = await this.pruning.fit(p.repo, p.tag, p.digest, p.parsed.blobDigests, () =>
        this.writes.push(p.repo, p.tag, p.bytes, p.parsed, p.who, p.ip, p.config.expirationS),
      );
      if (pruned.length)
        this.log.info(
          { repository: p.repo.full, pruned: pruned.map((t) => t.tag) },
          "proxy cache: pruned to fit",
        );
    });
  }

  /** Waits for every blob of the image to be stored: by the clients' flights, else by fetching it here. */
  private async fill(p: Pending): Promise<void> {
    const sizes = new Map<string, number>();
    for (const d of [...(p.parsed.config ? [p.parsed.config] : []), ...p.parsed.layers])
      sizes.set(d.digest, d.size);
    for (let fetched = 0; ;) {
      const missing = await this.writes.missingBlobs(p.repo.id, p.parsed.blobDigests);
      if (!missing.length) return;
      const running = missing.flatMap((d) => this.flights.get(p.repo.full, d) ?? []);
      if (running.length) {
        await Promise.race(running.map((f) => f.done.catch(noop)));
        continue;
      }
      const wait =
        Math.max(p.since, this.flights.lastActivity(p.repo.full)) + this.tuning.idleMs - Date.now();
      if (wait > 0) {
        await this.flights.nextActivity(p.repo.full, wait);
        continue;
      }
      // Nobody is fetching what is missing: fetch it here, one blob at a time (each a flight others may join).
      if (++fetched > 2) throw new Error(`blobs ${missing.join(", ")} do not stay cached`);
      for (const d of missing) {
        const source = this.source(p.config, p.repo, p.upstreamName, d, sizes.get(d));
        await this.flights.start(p.repo, d, source, true).done;
      }
    }
  }
}
