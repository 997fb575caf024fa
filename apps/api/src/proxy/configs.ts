// Every organization's proxy configuration, held in memory: each /v2 pull asks whether its namespace is a
// proxy cache, and that answer must cost a Map lookup, not a query (a plain pull stays as fast as before).
// Refreshed in the background once the copy is older than `ttlMs` (another process's change arrives within
// that), and at once in the process that made the change. Each configuration keeps one upstream client.
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { Encryptor } from "../access/secrets.js";
import { RemoteRegistry, parseUpstream, type Credentials, type Upstream } from "../remote/index.js";

export interface ProxyConfig {
  id: bigint;
  namespaceId: bigint;
  namespace: string;
  /** As configured: `host[:port][/namespace]`. */
  upstreamRegistry: string;
  upstream: Upstream;
  insecure: boolean;
  /** Tag expiration and staleness period, in seconds. */
  expirationS: number;
  hasCredentials: boolean;
  createdAt: Date;
}

/** How the upstream clients retry and time out (tests shorten them). */
export interface UpstreamTuning {
  retries: number;
  retryDelayMs: number;
  timeoutMs: number;
}

interface Entry {
  config: ProxyConfig;
  sealed: string | null;
  client?: RemoteRegistry;
}

export class ProxyConfigs {
  private entries = new Map<string, Entry>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly encryptor: Encryptor,
    private readonly log: Logger,
    readonly tuning: UpstreamTuning,
    private readonly ttlMs = 5000,
  ) {}

  /** The namespace's configuration (null: not a proxy cache); synchronous once loaded. */
  lookup(namespace: string): ProxyConfig | null | Promise<ProxyConfig | null> {
    if (!this.loadedAt) return this.refresh().then(() => this.entries.get(namespace)?.config ?? null);
    if (Date.now() - this.loadedAt > this.ttlMs && !this.loading) void this.refresh().catch(() => {});
    return this.entries.get(namespace)?.config ?? null;
  }

  /** Reads every configuration again (one query; proxy organizations are few). */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  private async load(): Promise<void> {
    try {
      const rows = await this.db.proxyCacheConfig.findMany({
        include: { namespace: { select: { name: true } } },
      });
      const next = new Map<string, Entry>();
      for (const r of rows) {
        let upstream: Upstream;
        try {
          upstream = parseUpstream(r.upstreamRegistry);
        } catch {
          continue; // validated when created; a row that no longer parses caches nothing
        }
        const old = this.entries.get(r.namespace.name);
        // Rows are never updated (a change is a delete and a create), so the same id keeps its client.
        if (old && old.config.id === r.id) {
          next.set(r.namespace.name, old);
          continue;
        }
        next.set(r.namespace.name, {
          sealed: r.credentialsSealed,
          config: {
            id: r.id,
            namespaceId: r.namespaceId,
            namespace: r.namespace.name,
            upstreamRegistry: r.upstreamRegistry,
            upstream,
            insecure: r.insecure,
            expirationS: r.expirationS,
            hasCredentials: r.credentialsSealed !== null,
            createdAt: r.createdAt,
          },
        });
      }
      for (const [name, e] of this.entries) if (next.get(name) !== e) e.client?.close();
      this.entries = next;
      this.loadedAt = Date.now();
    } catch (e) {
      // Keep answering from the last copy; the next lookup past the TTL tries again.
      this.log.warn({ err: String(e) }, "proxy cache: reading the configurations failed");
      if (!this.loadedAt) throw e;
      this.loadedAt = Date.now();
    }
  }

  /** The upstream client of a configuration (token caches and connections are shared by its pulls). */
  client(config: ProxyConfig): RemoteRegistry {
    const e = this.entries.get(config.namespace);
    if (e && e.config.id === config.id) return (e.client ??= this.build(config, e.sealed));
    return this.build(config, null);
  }

  private build(config: ProxyConfig, sealed: string | null): RemoteRegistry {
    return upstreamClient(config.upstream.registry, config.insecure, this.credentials(sealed), this.tuning);
  }

  private credentials(sealed: string | null): Credentials | undefined {
    if (!sealed) return undefined;
    return JSON.parse(this.encryptor.decrypt(sealed)) as Credentials;
  }
}

/** A client of the upstream registry as the proxy cache uses it (validation included). */
export function upstreamClient(
  registry: string,
  insecure: boolean,
  credentials: Credentials | undefined,
  t: UpstreamTuning,
): RemoteRegistry {
  return new RemoteRegistry({
    registry,
    insecure,
    credentials,
    retries: t.retries,
    retryDelayMs: t.retryDelayMs,
    timeoutMs: t.timeoutMs,
    userAgent: "harbormaster-proxy-cache/1",
  });
}
