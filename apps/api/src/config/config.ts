// The one typed configuration module. Sources, later wins: defaults < config.yaml (Quay's key names) < environment.
// Nothing else in the code reads process.env for settings.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { z } from "zod";

const bool = z.union([
  z.boolean(),
  z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1"),
]);
const int = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
const list = z.union([
  z.array(z.string()),
  z.string().transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  ),
]);

/** Seconds, given as a number or a Quay-style duration ("30m", "2d"). */
const duration = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(/^(\d+|\d+[smhdw])$/, "must be seconds or a duration like 30m, 2d")
    .transform((s) => (/^\d+$/.test(s) ? Number(s) : parseDuration(s)!)),
]);

/** Seconds, possibly fractional (a delay or a deadline). */
const seconds = z.union([
  z.number().min(0),
  z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number),
]);

/** Bytes, as a number or with a unit ("500MiB", "10 GB"); 0 means none. */
const bytes = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(/^\d+\s*([KMGTP]i?B?|B)?$/i, "must be bytes, optionally with a unit such as 500MiB or 10GB")
    .transform((s) => parseBytes(s)!),
]);

const schema = z.object({
  PORT: int.pipe(z.number().min(0).max(65535)).default(8080),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z.string().url().optional(),
  /** Key material for encrypting secrets at rest (robot tokens); generated and kept in the database when unset. */
  DATABASE_SECRET_KEY: z.string().min(16).optional(),
  REDIS_URL: z.string().url().default("redis://127.0.0.1:6379"),
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w:.-]+$/)
    .default("hm"),
  DATA_DIR: z.string().default("./.data"),
  STORAGE_PATH: z.string().optional(),
  SERVER_HOSTNAME: z
    .string()
    .regex(/^[\w.-]+(:\d+)?$/, "must be host[:port]")
    .optional(),
  PREFERRED_URL_SCHEME: z.enum(["http", "https"]).default("http"),
  REGISTRY_TITLE: z.string().default("Harbormaster"),
  INITIAL_SUPERUSER: z.string().optional(),
  INITIAL_SUPERUSER_PASSWORD: z.string().min(8).optional(),
  SUPER_USERS: list.default([]),
  FEATURE_USER_CREATION: bool.default(true),
  FEATURE_GENERAL_OCI_SUPPORT: bool.default(true),
  /** Quay's older switch for Helm charts, deprecated in favour of FEATURE_GENERAL_OCI_SUPPORT (see loadConfig). */
  FEATURE_HELM_OCI_SUPPORT: bool.optional(),
  /** media type of the config blob → allowed layer media types (Quay's shape). */
  ALLOWED_OCI_ARTIFACT_TYPES: z.record(z.string(), z.array(z.string())).default({}),
  ROBOTS_DISALLOW: bool.default(false),
  /** Quay's storage quotas: usage is always kept; limits are enforced on push when this is on. */
  FEATURE_QUOTA_MANAGEMENT: bool.default(false),
  /** A Reject limit for every namespace without a quota of its own (0: none); superusers may change it. */
  DEFAULT_SYSTEM_REJECT_QUOTA_BYTES: bytes.default(0),
  /** Security scanning on push (the built-in indexer and matcher; feeds come from `npm run vulndb`). */
  FEATURE_SECURITY_SCANNER: bool.default(false),
  /** Seconds between looks for manifests that have no scan yet (pushed while scanning was off). */
  SECURITY_SCANNER_INDEXING_INTERVAL: seconds.default(30),
  /** E-mail (Quay's keys): notifications, repository e-mail confirmation, team invitations. */
  FEATURE_MAILING: bool.default(false),
  MAIL_SERVER: z.string().default("localhost"),
  MAIL_PORT: int.default(587),
  /** STARTTLS on a plain connection (port 465 is implicit TLS). */
  MAIL_USE_TLS: bool.default(true),
  MAIL_USE_AUTH: bool.default(false),
  MAIL_USERNAME: z.string().optional(),
  MAIL_PASSWORD: z.string().optional(),
  MAIL_DEFAULT_SENDER: z.string().default("harbormaster@localhost"),
  /** Minutes between checks for tags about to expire (image-expiry notifications). */
  NOTIFICATION_TASK_RUN_MINIMUM_INTERVAL_MINUTES: int.default(300),
  /** Consecutive failed attempts after which a notification is disabled until it is reset. */
  NOTIFICATION_FAILURE_LIMIT: int.pipe(z.number().min(1)).default(10),
  /** Attempts per delivery, with exponential backoff starting at NOTIFICATION_RETRY_DELAY_SECONDS. */
  NOTIFICATION_DELIVERY_ATTEMPTS: int.pipe(z.number().min(1).max(20)).default(5),
  NOTIFICATION_RETRY_DELAY_SECONDS: seconds.default(10),
  /** Seconds a webhook (Slack, Teams, Flowdock, HipChat) request may take before it counts as failed. */
  NOTIFICATION_HTTP_TIMEOUT_SECONDS: seconds.default(10),
  /** Networks notification requests may not reach, checked after DNS resolution (CIDR). */
  NOTIFICATION_DENIED_NETWORKS: list.default(["169.254.0.0/16", "fe80::/10"]),
  /** Where the legacy Flowdock and HipChat methods post (their public APIs by default). */
  FLOWDOCK_API_URL: z.string().url().default("https://api.flowdock.com/v1/messages/team_inbox/"),
  HIPCHAT_API_URL: z.string().url().default("https://api.hipchat.com/v2/room/"),
  /** Dockerfile builds and build triggers (buildah in the workers). */
  FEATURE_BUILD_SUPPORT: bool.default(false),
  /** Builds run at once by each worker process. */
  BUILD_WORKERS: int.pipe(z.number().min(0).max(16)).default(1),
  /** Seconds a build may run before it is stopped and failed. */
  BUILD_TIMEOUT: seconds.default(3600),
  /** Seconds without a heartbeat after which a running build's worker counts as dead (internal error). */
  BUILD_HEARTBEAT_TIMEOUT: seconds.default(60),
  /** Builds of one namespace running at once, everywhere; others wait in the queue. */
  BUILD_NAMESPACE_CONCURRENCY: int.pipe(z.number().min(1)).default(3),
  /** Lines kept per build log; later lines are counted, not stored. */
  BUILD_LOG_LIMIT: int.pipe(z.number().min(100)).default(20000),
  /** Largest build context (upload, URL or extracted archive). */
  BUILD_MAX_CONTEXT_BYTES: bytes.default(1024 * 1024 * 1024),
  /** Where builds get their fresh working directories (default: DATA_DIR/builds). */
  BUILD_WORK_DIR: z.string().optional(),
  /** The registry the workers pull base images from and push results to (default: SERVER_HOSTNAME). */
  BUILD_REGISTRY: z.string().optional(),
  /** Quay's keys: consecutive failed builds (or internal errors) after which a trigger disables itself. */
  SUCCESSIVE_TRIGGER_FAILURE_DISABLE_THRESHOLD: int.pipe(z.number().min(1)).default(100),
  SUCCESSIVE_TRIGGER_INTERNAL_ERROR_DISABLE_THRESHOLD: int.pipe(z.number().min(1)).default(5),
  /** GitHub/GitLab/Bitbucket OAuth applications for their triggers (seed 001 ch. 11): CLIENT_ID, CLIENT_SECRET, GITHUB_ENDPOINT... */
  GITHUB_TRIGGER_CONFIG: z.record(z.string(), z.unknown()).optional(),
  GITLAB_TRIGGER_CONFIG: z.record(z.string(), z.unknown()).optional(),
  BITBUCKET_TRIGGER_CONFIG: z.record(z.string(), z.unknown()).optional(),
  /** Organizations may be proxy caches of remote registries (pull-through). */
  FEATURE_PROXY_CACHE: bool.default(false),
  /** Repositories may mirror external repositories (scheduled syncs by the workers). */
  FEATURE_REPO_MIRROR: bool.default(false),
  /** Seconds between looks for mirrors due to sync (Quay's REPO_MIRROR_INTERVAL). */
  REPO_MIRROR_INTERVAL: seconds.default(30),
  /** Verify the TLS certificates of external registries unless a mirror's own setting says otherwise. */
  REPO_MIRROR_TLS_VERIFY: bool.default(true),
  TAG_EXPIRATION_OPTIONS: list.default(["0s", "1d", "1w", "2w", "4w"]),
  DEFAULT_TAG_EXPIRATION: z
    .string()
    .regex(/^\d+[smhdw]$/)
    .default("2w"),
  /** Seconds a registry bearer token lives. */
  REGISTRY_TOKEN_TTL: int.default(3600),
  /** Seconds an abandoned upload session is kept. */
  UPLOAD_SESSION_TTL: int.default(86400),
  /** Seconds a freshly uploaded blob is protected from GC before a manifest references it. */
  BLOB_UPLOAD_GRACE: int.default(86400),
  MAX_MANIFEST_BYTES: int.default(4 * 1024 * 1024),
  /** How often online garbage collection runs (Quay-style duration or seconds; "0" disables the schedule). */
  GC_INTERVAL: duration.default(30 * 60),
  /** Clamp applied to the `quay.expires-after` image label (Quay's key names). */
  LABELED_EXPIRATION_MINIMUM: duration.default(3600),
  LABELED_EXPIRATION_MAXIMUM: duration.default(104 * 604800),
  RUN_WORKERS: bool.default(true),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  WEB_DIST: z.string().optional(),
  /**
   * "development" puts stack traces into error answers (GraphQL's extensions.stacktrace). Anything else, and
   * unset (as under `npm start`), is production: answers never carry stack traces or server paths.
   */
  NODE_ENV: z.string().default("production"),
  /**
   * Test failpoint: kill the process (SIGKILL) right after a unit of work that emitted one of these events
   * (or wrote one of these audit kinds) commits, before its outbox rows reach Bull. Crash tests only.
   */
  TEST_CRASH_AFTER_COMMIT: list.default([]),
});

/** Every key the server reads from config.yaml and the environment (CONFIG_FILE aside, environment only). */
export const CONFIG_KEYS: readonly string[] = Object.keys(schema.shape);

/** Something start-up should log as a warning: a config.yaml key it ignores or a deprecated one. */
export interface ConfigWarning {
  key: string;
  message: string;
}

export type Config = z.infer<typeof schema> & {
  STORAGE_PATH: string;
  SERVER_HOSTNAME: string;
  /** REDIS_URL was left to its default: a private redis-server may be started when nothing answers there. */
  REDIS_DEFAULTED: boolean;
  /** For start-up to log, one line each (the logger does not exist yet when the config is read). */
  warnings: ConfigWarning[];
};

export class ConfigError extends Error {}

/** Stack traces in error answers only when development mode is asked for; production is the default. */
export const isDevelopment = (c: Pick<Config, "NODE_ENV">): boolean => c.NODE_ENV === "development";

/** scheme://host of this registry's own links (the console, confirmation links, the discovery document). */
export const siteBase = (c: Pick<Config, "PREFERRED_URL_SCHEME" | "SERVER_HOSTNAME">): string =>
  `${c.PREFERRED_URL_SCHEME}://${c.SERVER_HOSTNAME}`;

/** Reads config.yaml (path in CONFIG_FILE, else ./config.yaml if present) and the environment. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = env.CONFIG_FILE ?? (fs.existsSync("config.yaml") ? "config.yaml" : undefined);
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let parsed: unknown;
    try {
      parsed = YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      throw new ConfigError(`config: cannot read ${file}: ${(e as Error).message.split("\n")[0]}`);
    }
    if (parsed !== null && parsed !== undefined && (typeof parsed !== "object" || Array.isArray(parsed)))
      throw new ConfigError(`config: ${file}: must be a mapping of keys to values`);
    fromFile = (parsed as Record<string, unknown> | null) ?? {};
  }
  // Quay's config.yaml carries many keys this server does not implement; zod would drop them unseen. Only
  // the file is checked: the environment is full of variables that are none of our business.
  const warnings: ConfigWarning[] = Object.keys(fromFile)
    .filter((key) => !CONFIG_KEYS.includes(key))
    .map((key) => ({ key, message: `${file}: ${key} is not a setting this server knows; ignored` }));
  const fromEnv: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v === undefined || v === "") continue;
    fromEnv[key] = key === "ALLOWED_OCI_ARTIFACT_TYPES" ? safeJson(key, v) : v;
  }
  const merged = { ...fromFile, ...fromEnv };
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`config: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const c = parsed.data;
  // Seed 001 §13.3: FEATURE_HELM_OCI_SUPPORT is deprecated; Helm charts are OCI artifacts like any other.
  // An old config.yaml that only has the Helm switch keeps its meaning.
  if (c.FEATURE_HELM_OCI_SUPPORT !== undefined) {
    warnings.push({
      key: "FEATURE_HELM_OCI_SUPPORT",
      message:
        "FEATURE_HELM_OCI_SUPPORT is deprecated in favour of FEATURE_GENERAL_OCI_SUPPORT" +
        (merged.FEATURE_GENERAL_OCI_SUPPORT === undefined
          ? `; its value (${c.FEATURE_HELM_OCI_SUPPORT}) is used for FEATURE_GENERAL_OCI_SUPPORT`
          : "; FEATURE_GENERAL_OCI_SUPPORT is set and wins"),
    });
    if (merged.FEATURE_GENERAL_OCI_SUPPORT === undefined)
      c.FEATURE_GENERAL_OCI_SUPPORT = c.FEATURE_HELM_OCI_SUPPORT;
  }
  return {
    ...c,
    STORAGE_PATH: path.resolve(c.STORAGE_PATH ?? path.join(c.DATA_DIR, "blobs")),
    DATA_DIR: path.resolve(c.DATA_DIR),
    SERVER_HOSTNAME: c.SERVER_HOSTNAME ?? `localhost:${c.PORT}`,
    REDIS_DEFAULTED: fromFile.REDIS_URL === undefined && fromEnv.REDIS_URL === undefined,
    warnings,
  };
}

function safeJson(key: string, v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    throw new ConfigError(`config: ${key}: must be JSON`);
  }
}

/** Parses Quay-style durations ("30s", "2h", "3d", "1w") into seconds. */
export function parseDuration(s: string): number | null {
  const m = /^(\d+)([smhdw])$/.exec(s.trim());
  if (!m) return null;
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as "s"];
  return Number(m[1]) * unit;
}

const UNITS: Record<string, number> = { "": 1, B: 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** Parses "500MiB", "10 GB", "1048576" into bytes (binary units for KiB.., decimal for KB..). */
export function parseBytes(s: string): number | null {
  const m = /^(\d+)\s*(?:([KMGTP])(i?)B?|B)?$/i.exec(s.trim());
  if (!m) return null;
  const unit = (m[2] ?? "").toUpperCase();
  const factor = m[3] ? 1024 ** ("KMGTP".indexOf(unit) + 1) : UNITS[unit]!;
  return Number(m[1]) * factor;
}
