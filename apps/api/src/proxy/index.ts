// Builds the proxy cache from its dependencies: the configurations (service.ts for the doors), and, with
// FEATURE_PROXY_CACHE on, the pull-through path plugged into /v2 (RegistryService) and the token grants.
import type pg from "pg";
import type { Config } from "../config/config.js";
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { BlobStore } from "../storage/blob-store.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import type { QueuesOf } from "../events/catalogue.js";
import type { Encryptor } from "../access/secrets.js";
import { ANONYMOUS, type Principal } from "../access/principal.js";
import { scopesHold, type AuthzService } from "../access/authz.js";
import type { GrantService } from "../access/grants.js";
import type { NamespaceService } from "../tenancy/namespaces.js";
import type { RepositoryService } from "../content/repositories.js";
import type { ManifestService } from "../content/manifests.js";
import type { RegistryService } from "../content/registry.js";
import type { QuotaLimitsOf } from "../content/manifest-writes.js";
import { ManifestWrites } from "../content/manifest-writes.js";
import { RegistryLookups } from "../content/registry-lookups.js";
import { Admission } from "../content/admission.js";
import { BLOB_LOCK_CLASS, BlobService } from "../content/blobs.js";
import { BlobWrites } from "../content/blob-writes.js";
import { ContentError } from "../content/errors.js";
import { labelsFromConfig, readSmallJson } from "../content/manifest-labels.js";
import { ProxyConfigs } from "./configs.js";
import { ProxyLocks } from "./locks.js";
import { BlobFlights } from "./blob-flights.js";
import { CacheWrites } from "./cache-writes.js";
import { QuotaPruning } from "./pruning.js";
import { Completions } from "./completion.js";
import { ProxyPull } from "./pull.js";
import { ProxyCacheService } from "./service.js";

export { ProxyCacheService, type ProxyCacheInput, type ProxyCacheView, type Validation } from "./service.js";

const noop = () => {};

export function createProxyCache(d: {
  config: Config;
  db: Db;
  pool: pg.Pool;
  log: Logger;
  store: BlobStore;
  uow: UnitOfWork;
  encryptor: Encryptor;
  authz: AuthzService;
  namespaces: NamespaceService;
  repos: RepositoryService;
  manifests: ManifestService;
  registry: RegistryService;
  grants: GrantService;
  quotaLimits: QuotaLimitsOf;
  eventQueues: QueuesOf;
}) {
  const { config, db, pool, log, store, uow } = d;
  const configs = new ProxyConfigs(db, d.encryptor, log, {
    retries: 2,
    retryDelayMs: 200,
    timeoutMs: 30_000,
  });
  const proxyCache = new ProxyCacheService(
    db,
    d.namespaces,
    uow,
    d.encryptor,
    configs,
    config.FEATURE_PROXY_CACHE,
  );
  const locks = new ProxyLocks(pool, log);
  const lookups = new RegistryLookups(pool);
  const flights = new BlobFlights(
    locks,
    async (full, digest) => {
      const b = await lookups.linkedBlob(full, digest);
      return b && Number(b.size);
    },
    { unclaimedMs: 1000, pollMs: 250, elsewhereTimeoutMs: 30 * 60_000 },
  );
  // The cache's own writes are not held to the Reject limit (pruning makes room first) and skip the upload
  // admission (a pruned namespace stays over its limit until garbage collection).
  const cacheWrites = new ManifestWrites(
    pool,
    async (namespaceId) => {
      const l = await d.quotaLimits(namespaceId);
      return l && { ...l, rejectBytes: null };
    },
    d.eventQueues,
  );
  const blobs = new BlobService(
    db,
    store,
    new Admission(),
    config.BLOB_UPLOAD_GRACE,
    new BlobWrites(pool, BLOB_LOCK_CLASS),
    uow,
  );
  const writes = new CacheWrites(db, pool, uow, cacheWrites, async (digest) =>
    labelsFromConfig(await store.read(digest).then(readSmallJson, () => null)),
  );
  const pruning = new QuotaPruning(
    pool,
    d.quotaLimits,
    locks,
    // The cache deletes, not a user: the entry names no performer.
    async (repositoryId, tag) => {
      const [repo] = await d.repos.byIds([repositoryId]);
      await db.proxyCachedTag.deleteMany({ where: { repositoryId, tag } });
      if (!repo) return;
      await d.manifests.delete(ANONYMOUS, repo, tag).catch((e: unknown) => {
        // Gone meanwhile (deleted, expired): the room is there all the same.
        if (!(e instanceof ContentError && e.reason === "MANIFEST_UNKNOWN")) throw e;
      });
    },
    log,
  );
  const completions = new Completions(configs, flights, writes, pruning, locks, blobs, log, { idleMs: 2000 });
  const pull = new ProxyPull(
    configs,
    lookups,
    writes,
    flights,
    completions,
    { generalOciSupport: config.FEATURE_GENERAL_OCI_SUPPORT, allowed: config.ALLOWED_OCI_ARTIFACT_TYPES },
    (ref) => d.registry.principal(ref),
    (digest, range) => blobs.open(digest, range),
    log,
  );
  if (config.FEATURE_PROXY_CACHE) {
    d.registry.usePullThrough(pull);
    d.grants.usePullThrough(async (p: Principal, namespace: string) => {
      if (p.kind === "anonymous" || (p.kind === "user" && p.scopes && !scopesHold(p.scopes, "repo:read")))
        return false;
      const c = await configs.lookup(namespace);
      return c !== null && (await d.authz.orgRole(p, c.namespaceId)) !== null;
    });
  }
  const proxyCacheRuntime = {
    /** Timings the tests shorten: upstream retries, flights, the completion's quiet period. */
    tuning: { upstream: configs.tuning, flights: flights.tuning, completion: completions.tuning },
    /** Resolves once no blob fetch or image completion is running. */
    async idle(): Promise<void> {
      for (;;) {
        const running = [...flights.active, ...completions.active, ...pull.active];
        if (!running.length) return;
        await Promise.all(running.map((p) => p.catch(noop)));
      }
    },
    /** Reads the configurations again now (another process changed one). */
    refresh: () => configs.refresh(),
  };
  return { proxyCache, proxyCacheRuntime };
}
