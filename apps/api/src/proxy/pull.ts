// The pull-through path of /v2 for proxy organizations (RegistryService calls it for their namespaces only).
// By tag: a cached tag is checked with a HEAD upstream, served from the cache when the digest is unchanged
// (or when the upstream fails within the staleness period), fetched again when it moved; an uncached one is
// fetched. By digest: the cache answers without asking upstream when it holds the manifest. Blobs not yet
// cached stream to the client while they are stored (blob-flights.ts).
import type { Readable } from "node:stream";
import { parseDigest, parseManifest, type ByteRange, type SendableBody } from "@hm/oci";
import type { Logger } from "../infra/logger.js";
import type { Principal, PrincipalRef } from "../access/principal.js";
import { DomainError } from "../common/errors.js";
import { ContentError } from "../content/errors.js";
import { checkArtifactPolicy, type ArtifactPolicy } from "../content/artifact-policy.js";
import type { PulledManifest, RegistryLookups } from "../content/registry-lookups.js";
import type { PullThrough, RegistryCaller } from "../content/registry.js";
import { isRemoteError, upstreamRepository, type ManifestResult } from "../remote/index.js";
import type { ProxyConfig, ProxyConfigs } from "./configs.js";
import type { BlobFlights, CacheRepo } from "./blob-flights.js";
import type { CacheWrites } from "./cache-writes.js";
import type { Completions } from "./completion.js";

/** Runs one promise per key at a time; concurrent callers share it. */
class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();
  run(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.running.get(key);
    if (!p) {
      p = fn().finally(() => this.running.delete(key));
      this.running.set(key, p);
    }
    return p;
  }
}

/** What the upstream's failure means for the client (Quay answers "unknown" with the upstream's reason). */
export function upstreamFailure(e: unknown, what: string, blob = false): unknown {
  const reason = blob ? "BLOB_UNKNOWN" : "MANIFEST_UNKNOWN";
  if (e instanceof TypeError) return new ContentError(reason, `${what}: ${e.message}`);
  if (!isRemoteError(e)) return e;
  if (e.kind === "rate_limited") return new DomainError("RATE_LIMITED", `upstream registry: ${e.message}`);
  if (e.kind === "not_found") return new ContentError(reason, `${what} not found in the upstream registry`);
  return new ContentError(
    reason,
    `the requested image may not exist in the upstream registry, or the organization's upstream ` +
      `credentials have insufficient rights to access it (${e.message})`,
  );
}

export class ProxyPull implements PullThrough {
  private readonly heads = new SingleFlight<string | null>();
  private readonly gets = new SingleFlight<PulledManifest>();

  constructor(
    private readonly configs: ProxyConfigs,
    private readonly lookups: RegistryLookups,
    private readonly writes: CacheWrites,
    private readonly flights: BlobFlights,
    private readonly completions: Completions,
    private readonly policy: ArtifactPolicy,
    private readonly principalOf: (ref: PrincipalRef) => Promise<Principal>,
    /** Reads a stored blob. */
    private readonly read: (digest: string, range: ByteRange | undefined) => Promise<Readable | SendableBody>,
    private readonly log: Logger,
  ) {}

  caches(namespace: string): boolean | Promise<boolean> {
    const c = this.configs.lookup(namespace);
    return c instanceof Promise ? c.then((x) => x !== null) : c !== null;
  }

  private async target(full: string) {
    const slash = full.indexOf("/");
    const config = await this.configs.lookup(full.slice(0, slash));
    if (!config) throw new ContentError("REPOSITORY_UNKNOWN", `repository ${full} not found`);
    let upstreamName: string;
    try {
      upstreamName = upstreamRepository(config.upstream, full.slice(slash + 1));
    } catch (e) {
      throw upstreamFailure(e, full);
    }
    return { config, upstreamName };
  }

  async manifest(full: string, reference: string, caller: RegistryCaller): Promise<PulledManifest | null> {
    const { config, upstreamName } = await this.target(full);
    const cached = await this.lookups.manifest(full, reference);
    if (parseDigest(reference)) {
      if (cached) {
        this.background(this.writes.pulledDigest(cached.repositoryId, reference));
        return cached;
      }
      return this.fetch(config, full, upstreamName, null, reference, caller);
    }
    if (!cached) {
      const pending = this.completions.find(full, reference);
      if (pending) return this.answer(pending.repo, pending);
      return this.fetch(config, full, upstreamName, reference, reference, caller);
    }
    let digest: string | null;
    try {
      digest = await this.heads.run(`${full}:${reference}`, async () => {
        const head = await this.configs.client(config).headManifest(upstreamName, reference);
        return head?.digest ?? null;
      });
    } catch (e) {
      const record =
        isRemoteError(e) && e.transient && (await this.writes.cachedTag(cached.repositoryId, reference));
      const fresh = record && Date.now() - record.checkedAt.getTime() <= config.expirationS * 1000;
      if (fresh) {
        // The upstream is away within the staleness period: the cached copy is served (seed §15.1).
        this.log.info(
          { repository: full, tag: reference, err: e.message },
          "proxy cache: upstream failed, serving cached",
        );
        this.background(this.writes.pulled(cached.repositoryId, reference));
        return cached;
      }
      throw upstreamFailure(e, `${upstreamName}:${reference}`);
    }
    if (digest === null)
      throw new ContentError(
        "MANIFEST_UNKNOWN",
        `${upstreamName}:${reference} not found in the upstream registry`,
      );
    if (digest === cached.digest) {
      // The answer does not wait for the record (one statement; `idle` waits for it).
      this.background(this.writes.confirmed(cached.repositoryId, reference, digest, config.expirationS));
      return cached;
    }
    // The tag moved upstream: the new image replaces the cached one once it is complete.
    return this.fetch(config, full, upstreamName, reference, digest, caller);
  }

  /** A manifest not cached: fetched (once for concurrent pulls), its repository created, its caching begun. */
  private fetch(
    config: ProxyConfig,
    full: string,
    upstreamName: string,
    tag: string | null,
    reference: string,
    caller: RegistryCaller,
  ): Promise<PulledManifest> {
    const known = this.completions.find(full, reference);
    if (known && (tag === null || known.tag === tag)) return Promise.resolve(this.answer(known.repo, known));
    return this.gets.run(`${full}:${tag ?? ""}:${reference}`, async () => {
      let m: ManifestResult;
      try {
        m = await this.configs.client(config).getManifest(upstreamName, reference);
      } catch (e) {
        throw upstreamFailure(e, `${upstreamName}:${reference}`);
      }
      const parsed = parseManifest(m.bytes, m.mediaType);
      // Cached images must be what a push here may store (seed §15.2).
      checkArtifactPolicy(parsed, this.policy);
      const who = await this.principalOf(caller.ref);
      const repo = await this.writes.repository(full, config.namespaceId, who, caller.ip);
      const pending = {
        repo,
        tag,
        digest: m.digest,
        mediaType: m.mediaType,
        bytes: m.bytes,
        parsed,
        config,
        upstreamName,
        who,
        ip: caller.ip,
        since: Date.now(),
      };
      // An index holds no blobs: it is stored at once, its children as clients ask for them.
      if (parsed.kind === "index")
        await this.writes.push(repo, tag, m.bytes, parsed, who, caller.ip, config.expirationS);
      else this.completions.begin(pending);
      return this.answer(repo, pending);
    });
  }

  private answer(
    repo: CacheRepo,
    m: { digest: string; mediaType: string; bytes: Buffer; parsed: { subject?: { digest: string } } },
  ): PulledManifest {
    return {
      repositoryId: repo.id,
      namespaceId: repo.namespaceId,
      digest: m.digest,
      mediaType: m.mediaType,
      bytes: m.bytes,
      subjectDigest: m.parsed.subject?.digest ?? null,
    };
  }

  /** A blob of a proxy repository not stored yet: its fetch starts (or is joined) and its size answered. */
  async blob(full: string, digest: string): Promise<{ digest: string; size: bigint } | null> {
    const { config, upstreamName } = await this.target(full);
    const r = await this.lookups.repository(full);
    if (!r) return null; // a repository exists once a manifest was pulled through it
    const repo = { id: r.id, namespaceId: r.namespaceId, full };
    const flight = this.flights.start(
      repo,
      digest,
      this.completions.source(config, repo, upstreamName, digest),
    );
    let size: number | undefined;
    try {
      size = await flight.ready;
      if (size === undefined) {
        await flight.done;
        const linked = await this.lookups.linkedBlob(full, digest);
        return linked && { digest, size: linked.size };
      }
    } catch (e) {
      if (isRemoteError(e, "not_found")) return null;
      throw upstreamFailure(e, `${upstreamName}@${digest}`, true);
    }
    return { digest, size: BigInt(size) };
  }

  /** The stream of a blob being fetched (null: none is, read the store). Ranges wait for the whole blob. */
  openBlob(
    full: string,
    digest: string,
    range: ByteRange | undefined,
  ): Promise<Readable | SendableBody> | null {
    const flight = this.flights.get(full, digest);
    if (!flight) return null;
    this.flights.touch(full);
    return (async () => {
      try {
        const size = await flight.ready;
        const whole = !range || (range.start === 0 && size !== undefined && range.end === size - 1);
        const live = whole ? flight.attach() : null;
        if (live) return live;
        await flight.done;
      } catch (e) {
        throw upstreamFailure(e, `${full}@${digest}`, true);
      }
      return this.read(digest, range);
    })();
  }

  private readonly recording = new Set<Promise<void>>();

  /** Records of pulls still being written. */
  get active(): Promise<void>[] {
    return [...this.recording];
  }

  private background(p: Promise<unknown>): void {
    const r = p
      .then(() => {})
      .catch((e: unknown) => this.log.warn({ err: String(e) }, "proxy cache: recording a pull failed"))
      .finally(() => this.recording.delete(r));
    this.recording.add(r);
  }
}
