// Builds every domain service from its dependencies. Nothing here is global: the composition root passes
// these explicitly to the HTTP doors and the workers.
import path from "node:path";
import { parseDuration, type Config } from "../config/config.js";
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { Metrics } from "../infra/metrics.js";
import type { JobSystem } from "../jobs/job-system.js";
import type { BlobStore } from "../storage/blob-store.js";
import type { Redis } from "ioredis";
import type pg from "pg";
import { AccountService } from "../tenancy/accounts.js";
import { Admission } from "../content/admission.js";
import { AuditService } from "../audit/writer.js";
import { AuthzService } from "../access/authz.js";
import { BLOB_LOCK_CLASS, BlobService } from "../content/blobs.js";
import { BlobWrites } from "../content/blob-writes.js";
import { CredentialService } from "../access/credentials.js";
import { ManifestService } from "../content/manifests.js";
import { ManifestWrites } from "../content/manifest-writes.js";
import { RegistryTokens } from "../access/registry-tokens.js";
import { RepositoryService } from "../content/repositories.js";
import { RepositoryStats } from "../content/repository-stats.js";
import { RobotService } from "../tenancy/robots.js";
import { AuditLogQueries } from "../audit/queries.js";
import { LoginThrottle } from "../access/login-throttle.js";
import { NamespaceService } from "../tenancy/namespaces.js";
import { OAuthService } from "../access/oauth.js";
import { OrganizationService } from "../tenancy/organizations.js";
import { PermissionService } from "../access/permissions.js";
import { TeamService } from "../tenancy/teams.js";
import { TenancyStats } from "../tenancy/tenancy-stats.js";
import { UserService } from "../tenancy/users.js";
import { Encryptor } from "../access/secrets.js";
import { SessionService } from "../access/sessions.js";
import { TagService } from "../tags/history.js";
import { GrantService } from "../access/grants.js";
import { LabelService } from "../content/labels.js";
import { labelsFromConfig, readSmallJson } from "../content/manifest-labels.js";
import { TagCommandService } from "../tags/commands.js";
import { TagQueryService } from "../tags/queries.js";
import { GarbageCollector } from "../operations/gc.js";
import { UnitOfWork } from "../events/unit-of-work.js";
import { RegistryService } from "../content/registry.js";
import { RegistryLookups } from "../content/registry-lookups.js";
import { SquashService } from "../content/squash.js";
import { ManifestDetailsService } from "../content/manifest-details.js";
import { QuotaService } from "../quota/quota.js";
import { createNotifications } from "../notifications/index.js";
import { queuesOf } from "../events/catalogue.js";
import { ScanReports } from "../scanning/reports.js";
import { ScanService } from "../scanning/service.js";
import { Foreground } from "../infra/foreground.js";
import { createBuilds } from "../builds/index.js";
import { createProxyCache } from "../proxy/index.js";
import { createMirroring } from "../mirroring/index.js";

export const VERSION = "0.1.0";

export async function createServices(deps: {
  config: Config;
  db: Db;
  log: Logger;
  metrics: Metrics;
  jobs: JobSystem;
  store: BlobStore;
  redis: Redis;
  /** The pool under Prisma, for the statements that bypass it on hot paths. */
  pool: pg.Pool;
}) {
  const { config, db, log, jobs, store, redis, pool } = deps;
  // Every write goes through the unit of work: change, audit entries and outbox rows in one transaction.
  const foreground = new Foreground();
  const eventQueues = queuesOf({ scan: !config.FEATURE_SECURITY_SCANNER });
  const uow = new UnitOfWork(db, jobs, config.TEST_CRASH_AFTER_COMMIT, eventQueues);
  const audit = new AuditService(log, pool);
  const authz = new AuthzService(db);
  const accounts = new AccountService(
    db,
    uow,
    config.SUPER_USERS,
    parseDuration(config.DEFAULT_TAG_EXPIRATION) ?? 14 * 86400,
    undefined,
    config.FEATURE_MAILING,
  );
  const encryptor = await Encryptor.load(db, config.DATABASE_SECRET_KEY);
  const namespaces = new NamespaceService(db, authz, config.TAG_EXPIRATION_OPTIONS);
  const robots = new RobotService(db, encryptor, config.ROBOTS_DISALLOW, namespaces, uow);
  const credentials = new CredentialService(accounts, robots, new LoginThrottle(redis, config.REDIS_PREFIX));
  const repos = new RepositoryService(db, authz, uow);
  const users = new UserService(db, accounts, namespaces, authz, uow, config.FEATURE_USER_CREATION);
  const orgs = new OrganizationService(db, accounts, namespaces, authz, uow);
  const teams = new TeamService(db, authz, namespaces, uow);
  const permissions = new PermissionService(db, authz, repos, namespaces, uow);
  const logs = new AuditLogQueries(db, authz, repos, namespaces);
  const oauth = new OAuthService(db, authz, namespaces, uow);
  const tags = new TagService(db);
  const admission = new Admission();
  const defaultReject = config.DEFAULT_SYSTEM_REJECT_QUOTA_BYTES
    ? BigInt(config.DEFAULT_SYSTEM_REJECT_QUOTA_BYTES)
    : null;
  const quota = new QuotaService(
    db,
    authz,
    namespaces,
    uow,
    config.FEATURE_QUOTA_MANAGEMENT,
    defaultReject,
    deps.metrics,
    pool,
  );
  quota.register(admission);
  const blobs = new BlobService(
    db,
    store,
    admission,
    config.BLOB_UPLOAD_GRACE,
    new BlobWrites(pool, BLOB_LOCK_CLASS),
    uow,
  );
  const expirationClamp = { min: config.LABELED_EXPIRATION_MINIMUM, max: config.LABELED_EXPIRATION_MAXIMUM };
  const manifests = new ManifestService(
    db,
    tags,
    admission,
    uow,
    new ManifestWrites(pool, (namespaceId) => quota.limits(namespaceId), eventQueues),
    { generalOciSupport: config.FEATURE_GENERAL_OCI_SUPPORT, allowed: config.ALLOWED_OCI_ARTIFACT_TYPES },
    {
      // A config blob that cannot be read or parsed simply has no labels.
      readConfigLabels: async (digest) =>
        labelsFromConfig(await store.read(digest).then(readSmallJson, () => null)),
      clamp: expirationClamp,
    },
  );
  const tagQueries = new TagQueryService(db, repos, config.SERVER_HOSTNAME, config.PREFERRED_URL_SCHEME);
  const tagCommands = new TagCommandService(db, repos, tags, uow, config.LABELED_EXPIRATION_MAXIMUM);
  const labels = new LabelService(db, repos, uow, expirationClamp);
  const squash = new SquashService(
    db,
    tags,
    store,
    path.join(config.STORAGE_PATH, "squashed"),
    config.SERVER_HOSTNAME,
  );
  const gc = new GarbageCollector(db, uow, store, log, deps.metrics, config.BLOB_UPLOAD_GRACE, (digests) =>
    squash.evict(digests),
  );
  const tokens = await RegistryTokens.load(db, config.SERVER_HOSTNAME, config.REGISTRY_TOKEN_TTL);
  const grants = new GrantService(db, authz, repos);
  const registry = new RegistryService(
    new RegistryLookups(pool),
    accounts,
    authz,
    repos,
    blobs,
    manifests,
    audit,
  );
  // Pull-through for proxy organizations: plugs into the registry service and the token grants.
  const proxy = createProxyCache({
    ...{
      config,
      db,
      pool,
      log,
      store,
      uow,
      encryptor,
      authz,
      namespaces,
      repos,
      manifests,
      registry,
      grants,
    },
    quotaLimits: (namespaceId) => quota.limits(namespaceId),
    eventQueues,
  });
  const sessions = new SessionService(db, accounts, credentials, uow);
  const notify = createNotifications({
    db,
    repos,
    uow,
    encryptor,
    config,
    log,
    pool,
    dispatcher: jobs,
  });
  const builds = createBuilds({
    db,
    pool,
    redis,
    repos,
    robots,
    uow,
    encryptor,
    config,
    log,
    storagePath: config.STORAGE_PATH,
  });
  const mirroring = createMirroring({
    db,
    repos,
    uow,
    encryptor,
    tagCommands,
    config,
    log,
    manifests,
    blobs,
    registry,
  });
  // Infrastructure (db, pool, redis, store, jobs) stays out: doors reach data only through these services.
  return {
    config,
    log,
    metrics: deps.metrics,
    version: VERSION,
    audit,
    authz,
    accounts,
    robots,
    credentials,
    repos,
    repoStats: new RepositoryStats(db),
    namespaces,
    users,
    orgs,
    teams,
    tenancyStats: new TenancyStats(db),
    permissions,
    logs,
    oauth,
    tags,
    admission,
    blobs,
    manifests,
    tokens,
    grants,
    registry,
    sessions,
    tagQueries,
    tagCommands,
    labels,
    manifestDetails: new ManifestDetailsService(db, repos, store),
    quota,
    gc,
    squash,
    foreground,
    scanner: new ScanService(db, pool, store, uow, log, foreground),
    security: new ScanReports(db, pool, repos, config.FEATURE_SECURITY_SCANNER),
    ...notify,
    ...builds,
    ...mirroring,
    ...proxy,
  };
}

export type Services = Awaited<ReturnType<typeof createServices>>;
