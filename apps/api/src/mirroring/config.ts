// A mirror's configuration as the doors give it and read it: validation with Quay's messages, the stored
// form (credentials sealed as one encrypted JSON object), and the view both doors shape their answers from.
import { badInput } from "../common/errors.js";
import type { Encryptor } from "../access/secrets.js";
import { parseUpstream } from "../remote/index.js";
import type { Credentials, ProxySettings } from "../remote/index.js";
import { nextSyncAt, type SyncStatus } from "./rules.js";

/** external_registry_config.proxy, Quay's keys. */
export interface ProxyConfig {
  http_proxy: string | null;
  https_proxy: string | null;
  no_proxy: string | null;
}

/** Everything a mirror's configuration holds, as the doors give it (Quay's fields, camel-cased). */
export interface MirrorInput {
  externalReference: string;
  syncInterval: number;
  /** Quay's `2021-08-06T11:11:39Z` (other ISO 8601 times are taken too), or a Date. */
  syncStartDate: string | Date;
  /** root_rule.rule_kind: only "tag_glob_csv". */
  ruleKind?: string;
  /** root_rule.rule_value */
  tagGlobs: string[];
  robotUsername: string;
  isEnabled?: boolean;
  /** "" or null: anonymous. */
  username?: string | null;
  password?: string | null;
  verifyTls?: boolean;
  unsignedImages?: boolean;
  proxy?: Partial<ProxyConfig>;
}

/** An update: what is left out stays; a null username or password clears it (Quay's PUT). */
export type MirrorPatch = Partial<MirrorInput>;

export const MIRROR_INCLUDE = {
  repository: { include: { namespace: { select: { id: true, name: true, kind: true } } } },
  robot: { include: { namespace: { select: { name: true } } } },
} as const;

/** The stored row as the service reads it. */
export interface MirrorRow {
  id: bigint;
  externalReference: string;
  credentialsSealed: string | null;
  verifyTls: boolean;
  unsignedImages: boolean;
  proxy: unknown;
  syncInterval: number;
  syncStartDate: Date;
  tagGlobs: string[];
  robotId: bigint | null;
  robot: { name: string; namespace: { name: string } } | null;
  isEnabled: boolean;
  syncStatus: SyncStatus;
  syncRetriesRemaining: number;
  syncExpirationDate: Date | null;
  lastSyncAt: Date | null;
  lastError: string | null;
  repository: { name: string; namespace: { name: string } };
}

export interface MirrorView {
  repository: string;
  isEnabled: boolean;
  externalReference: string;
  username: string | null;
  verifyTls: boolean;
  unsignedImages: boolean;
  proxy: ProxyConfig;
  syncInterval: number;
  syncStartDate: Date;
  syncExpirationDate: Date | null;
  syncRetriesRemaining: number;
  syncStatus: SyncStatus;
  tagGlobs: string[];
  /** The robot's full name; null once the robot is deleted. */
  robot: string | null;
  lastSyncAt: Date | null;
  lastError: string | null;
  nextSyncAt: Date | null;
}

const QUAY_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$/;

export function parseStartDate(v: string | Date): Date {
  const d = v instanceof Date ? v : QUAY_DATE.test(v) ? new Date(v) : null;
  if (!d || !Number.isFinite(d.getTime())) throw badInput("Incorrect DateTime format for sync_start_date.");
  return d;
}

/** Quay's `dt.isoformat() + "Z"` for whole seconds: `2021-08-06T11:11:39Z`. */
export const formatQuayDate = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : null);

/** `host[:port]/namespace/repository`: the registry and the repository to ask it for. */
export function parseReference(ref: string): { registry: string; repository: string } {
  if (ref === "") throw badInput("Empty string is an invalid repository location.");
  try {
    if (ref.length > 512) throw new TypeError("too long");
    const up = parseUpstream(ref);
    if (!up.namespace) throw new TypeError("no repository");
    return { registry: up.registry, repository: up.namespace };
  } catch {
    throw badInput(
      `Invalid external_reference ${JSON.stringify(ref)}: expected host[:port]/namespace/repository`,
    );
  }
}

export function checkRule(kind: string | undefined, globs: string[] | undefined): string[] {
  if (kind !== undefined && kind !== "tag_glob_csv")
    throw badInput('validation failed: rule_kind must be "tag_glob_csv"');
  if (!Array.isArray(globs) || globs.length < 1)
    throw badInput("validation failed: rule_value for TAG_GLOB_CSV must be a list with at least one rule");
  const clean = globs.map((g) => g.trim());
  if (clean.length > 100 || clean.some((g) => !g || g.length > 255))
    throw badInput("validation failed: each rule_value is a tag pattern of 1 to 255 characters, 100 at most");
  return [...new Set(clean)];
}

export function checkInterval(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > 10 * 365 * 86400)
    throw badInput("sync_interval must be a number of seconds from 0");
  return n;
}

export function checkProxy(p: Partial<ProxyConfig> | undefined, prior?: ProxyConfig): ProxyConfig {
  const out: ProxyConfig = { ...(prior ?? { http_proxy: null, https_proxy: null, no_proxy: null }) };
  for (const key of ["http_proxy", "https_proxy", "no_proxy"] as const) {
    if (p?.[key] === undefined) continue;
    const v = p[key] || null;
    if (v && v.length > 2048) throw badInput(`${key} is too long`);
    if (v && key !== "no_proxy" && !/^(https?:\/\/)?[^\s/]+(:\d+)?\/?$/i.test(v))
      throw badInput(`${key} must be an http(s) proxy URL`);
    out[key] = v;
  }
  return out;
}

export const proxyOf = (stored: unknown): ProxyConfig => {
  const p = (stored ?? {}) as Partial<ProxyConfig>;
  return {
    http_proxy: p.http_proxy ?? null,
    https_proxy: p.https_proxy ?? null,
    no_proxy: p.no_proxy ?? null,
  };
};

/** The client's settings for the stored proxy configuration. */
export const proxySettings = (p: ProxyConfig): ProxySettings | undefined =>
  p.http_proxy || p.https_proxy
    ? {
        httpProxy: p.http_proxy ?? undefined,
        httpsProxy: p.https_proxy ?? undefined,
        noProxy: p.no_proxy ?? undefined,
      }
    : undefined;

/** Credentials are one sealed JSON object; a username without a password is kept (Quay allows it). */
export function seal(enc: Encryptor, username: string | null, password: string | null): string | null {
  if (!username) return null;
  if (username.length > 255 || (password?.length ?? 0) > 4096)
    throw badInput("external_registry_username or password is too long");
  return enc.encrypt(JSON.stringify({ username, password }));
}

export function unseal(
  enc: Encryptor,
  sealed: string | null,
): { username: string; password: string | null } | null {
  if (!sealed) return null;
  return JSON.parse(enc.decrypt(sealed)) as { username: string; password: string | null };
}

/** What the client logs in with: nothing without a username (anonymous, as Quay's skopeo call). */
export function credentialsOf(enc: Encryptor, sealed: string | null): Credentials | undefined {
  const c = unseal(enc, sealed);
  return c ? { username: c.username, password: c.password ?? "" } : undefined;
}

export function toView(enc: Encryptor, m: MirrorRow): MirrorView {
  let username: string | null;
  try {
    username = unseal(enc, m.credentialsSealed)?.username ?? null;
  } catch {
    username = "(invalid. please re-enter)"; // Quay's answer when the key changed
  }
  return {
    repository: `${m.repository.namespace.name}/${m.repository.name}`,
    isEnabled: m.isEnabled,
    externalReference: m.externalReference,
    username,
    verifyTls: m.verifyTls,
    unsignedImages: m.unsignedImages,
    proxy: proxyOf(m.proxy),
    syncInterval: m.syncInterval,
    syncStartDate: m.syncStartDate,
    syncExpirationDate: m.syncExpirationDate,
    syncRetriesRemaining: m.syncRetriesRemaining,
    syncStatus: m.syncStatus,
    tagGlobs: m.tagGlobs,
    robot: m.robot ? `${m.robot.namespace.name}+${m.robot.name}` : null,
    lastSyncAt: m.lastSyncAt,
    lastError: m.lastError,
    nextSyncAt: nextSyncAt(m),
  };
}
