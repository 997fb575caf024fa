// An organization's proxy cache configuration (seed 001 §15.3, Quay's proxycache endpoints): members read
// it, admins create, delete and validate it. There is no update, so credentials left out at creation cannot
// be added later without deleting and creating the configuration again, as the seed says. Credentials are
// sealed with the Encryptor and never shown.
import type { Db } from "../infra/database.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import type { Encryptor } from "../access/secrets.js";
import type { Principal } from "../access/principal.js";
import type { NamespaceService } from "../tenancy/namespaces.js";
import { badInput, notFound } from "../common/errors.js";
import { isRemoteError, parseUpstream, type Credentials, type Upstream } from "../remote/index.js";
import { upstreamClient, type ProxyConfigs } from "./configs.js";

export const DEFAULT_EXPIRATION_S = 86400;
export const ALREADY_EXISTS = "Proxy Cache Configuration already exists";
export const FAILED_LOGIN = "Failed login to remote registry. Please verify entered details and try again.";
export const FAILED_VALIDATION = "Failed to validate Proxy cache configuration";

export interface ProxyCacheInput {
  upstreamRegistry: string;
  expirationS?: number | null;
  insecure?: boolean | null;
  username?: string | null;
  password?: string | null;
}

export interface ProxyCacheView {
  upstreamRegistry: string;
  expirationS: number;
  insecure: boolean;
  hasCredentials: boolean;
  createdAt: Date;
}

/** "Valid": the upstream answered (with the credentials, when given); "Anonymous": it wants credentials. */
export type Validation = "Valid" | "Anonymous";

interface Checked {
  upstreamRegistry: string;
  upstream: Upstream;
  expirationS: number;
  insecure: boolean;
  credentials?: Credentials;
}

export class ProxyCacheService {
  constructor(
    private readonly db: Db,
    private readonly namespaces: NamespaceService,
    private readonly uow: UnitOfWork,
    private readonly encryptor: Encryptor,
    private readonly configs: ProxyConfigs,
    readonly enabled: boolean,
  ) {}

  /** The proxy cache API exists only with FEATURE_PROXY_CACHE, as in Quay. */
  requireEnabled(): void {
    if (!this.enabled) throw notFound("Proxy cache (FEATURE_PROXY_CACHE is off)");
  }

  /** The organization's configuration, null when it has none (its members may read it). */
  async get(p: Principal, org: string): Promise<ProxyCacheView | null> {
    const ns = await this.namespaces.requireNamespace(p, org, "view", "organization");
    const row = await this.db.proxyCacheConfig.findUnique({ where: { namespaceId: ns.id } });
    return (
      row && {
        upstreamRegistry: row.upstreamRegistry,
        expirationS: row.expirationS,
        insecure: row.insecure,
        hasCredentials: row.credentialsSealed !== null,
        createdAt: row.createdAt,
      }
    );
  }

  async create(
    p: Principal,
    org: string,
    input: ProxyCacheInput,
    ip?: string | null,
  ): Promise<ProxyCacheView> {
    this.requireEnabled();
    const ns = await this.namespaces.requireNamespace(p, org, "admin", "organization");
    const c = this.check(input);
    await this.uow
      .run(async (w) => {
        if (await w.tx.proxyCacheConfig.findUnique({ where: { namespaceId: ns.id } }))
          throw badInput(ALREADY_EXISTS);
        await w.tx.proxyCacheConfig.create({
          data: {
            namespaceId: ns.id,
            upstreamRegistry: c.upstreamRegistry,
            credentialsSealed: c.credentials ? this.encryptor.encrypt(JSON.stringify(c.credentials)) : null,
            insecure: c.insecure,
            expirationS: c.expirationS,
          },
        });
        w.audit(
          "create_proxy_cache_config",
          { principal: p, namespaceId: ns.id, ip },
          { namespace: org, upstream_registry: c.upstreamRegistry },
        );
      })
      .catch((e: { code?: string }) => {
        throw e.code === "P2002" ? badInput(ALREADY_EXISTS) : e;
      });
    await this.configs.refresh();
    return (await this.get(p, org))!;
  }

  /** Removes the configuration; what was cached stays as ordinary repositories of the organization. */
  async delete(p: Principal, org: string, ip?: string | null): Promise<void> {
    this.requireEnabled();
    const ns = await this.namespaces.requireNamespace(p, org, "admin", "organization");
    await this.uow.run(async (w) => {
      const row = await w.tx.proxyCacheConfig.findUnique({ where: { namespaceId: ns.id } });
      if (!row) throw notFound("Proxy Cache Configuration");
      await w.tx.proxyCacheConfig.delete({ where: { id: row.id } });
      await w.tx.proxyCachedTag.deleteMany({ where: { repository: { namespaceId: ns.id } } });
      w.audit(
        "delete_proxy_cache_config",
        { principal: p, namespaceId: ns.id, ip },
        { namespace: org, upstream_registry: row.upstreamRegistry },
      );
    });
    await this.configs.refresh();
  }

  /**
   * Checks a configuration before it is saved, as Quay's validateproxycache: the upstream must answer as a
   * registry and take the credentials. Refusals are BAD_USER_INPUT with the reason.
   */
  async validate(p: Principal, org: string, input: ProxyCacheInput): Promise<Validation> {
    this.requireEnabled();
    const ns = await this.namespaces.requireNamespace(p, org, "admin", "organization");
    if (await this.db.proxyCacheConfig.findUnique({ where: { namespaceId: ns.id } }))
      throw badInput(ALREADY_EXISTS);
    const c = this.check(input);
    const client = upstreamClient(c.upstream.registry, c.insecure, c.credentials, this.configs.tuning);
    try {
      const ping = await client.ping();
      if (!c.credentials) return ping.status === 200 ? "Valid" : "Anonymous";
      await client.checkAccess();
      return "Valid";
    } catch (e) {
      if (isRemoteError(e, "unauthorized")) throw badInput(FAILED_LOGIN);
      throw badInput(`${FAILED_VALIDATION}: ${(e as Error).message}`);
    } finally {
      client.close();
    }
  }

  private check(input: ProxyCacheInput): Checked {
    const upstreamRegistry = input.upstreamRegistry.trim().replace(/\/+$/, "");
    let upstream: Upstream;
    try {
      upstream = parseUpstream(upstreamRegistry);
    } catch (e) {
      throw badInput(`Invalid upstream_registry: ${(e as Error).message}`);
    }
    const expirationS = input.expirationS ?? DEFAULT_EXPIRATION_S;
    if (!Number.isInteger(expirationS) || expirationS < 1 || expirationS > 2 ** 31 - 1)
      throw badInput("expiration_s must be a whole number of seconds, at least 1");
    const username = input.username || null;
    const password = input.password || null;
    if ((username === null) !== (password === null))
      throw badInput("upstream_registry_username and upstream_registry_password go together");
    return {
      upstreamRegistry,
      upstream,
      expirationS,
      insecure: input.insecure ?? false,
      credentials: username && password ? { username, password } : undefined,
    };
  }
}
