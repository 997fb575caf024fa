// Storage quotas of organizations and users (Quay's ch. 14): one quota per namespace with Warning and Reject
// limits, the system's default Reject limit, usage reads, and the admission of blob uploads. Usage itself is
// kept by the database (see the quota migration): exact, in the transaction of every change. Pushes past the
// Reject limit are refused by the push function; this service announces each refusal streak once.
import client from "prom-client";
import type pg from "pg";
import type { Db } from "../infra/database.js";
import type { Metrics } from "../infra/metrics.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import { hasScope, type AuthzService } from "../access/authz.js";
import type { Principal } from "../access/principal.js";
import type { NamespaceService } from "../tenancy/namespaces.js";
import type { Admission, AdmissionRequest } from "../content/admission.js";
import { badInput, conflict, DomainError, forbidden, notFound } from "../common/errors.js";
import { QuotaSql, type Limits } from "./quota-sql.js";

export type LimitType = "Warning" | "Reject";
export const QUOTA_EXCEEDED_MESSAGE = "Quota has been exceeded on namespace";
/** SystemSetting key of the default Reject limit a superuser set (it wins over the config's). */
const DEFAULT_KEY = "quota_default_reject_bytes";

export interface QuotaView {
  /** 0 for the system default (a namespace without a quota of its own). */
  id: bigint;
  limitBytes: bigint;
  isDefault: boolean;
  limits: { id: bigint; type: LimitType; thresholdPercent: number }[];
}

export interface NamespaceQuotaReport {
  namespace: string;
  kind: "user" | "organization";
  usageBytes: bigint;
  quota: QuotaView | null;
  /** The system default exists (whether or not this namespace falls back to it). */
  defaultExists: boolean;
}

const checkLimitBytes = (n: bigint) => {
  if (n <= 0n) throw badInput("limit_bytes must be a positive number of bytes");
  if (n > 2n ** 62n) throw badInput("limit_bytes is too large");
  return n;
};
const checkPercent = (n: number) => {
  if (!Number.isInteger(n) || n < 1 || n > 100) throw badInput("threshold_percent must be from 1 to 100");
  return n;
};

const CACHE_TTL_MS = 1000;

export class QuotaService {
  readonly sql: QuotaSql;
  private readonly admissions = new Map<
    bigint,
    { at: number; value: Promise<{ rejectBytes: bigint; usageBytes: bigint } | null> }
  >();
  private readonly limitsCache = new Map<bigint, { at: number; value: Promise<Limits | null> }>();

  constructor(
    private readonly db: Db,
    private readonly authz: AuthzService,
    private readonly namespaces: NamespaceService,
    private readonly uow: UnitOfWork,
    readonly enabled: boolean,
    private readonly configDefault: bigint | null,
    private readonly metrics: Metrics,
    pool?: pg.Pool,
  ) {
    this.sql = new QuotaSql(db, pool);
    // After every change (committed or not), this process reads the limits afresh.
    for (const name of [
      "setSystemDefault",
      "create",
      "update",
      "delete",
      "addLimit",
      "updateLimit",
      "deleteLimit",
    ] as const) {
      const change = this[name].bind(this) as (...a: unknown[]) => Promise<unknown>;
      (this as Record<string, unknown>)[name] = (...a: unknown[]) =>
        change(...a).finally(() => this.forget());
    }
    const sql = this.sql;
    new client.Gauge({
      name: "hm_namespace_usage_bytes",
      help: "Bytes each namespace holds (the sum of its repositories' sizes)",
      labelNames: ["namespace"] as const,
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const r of await sql.allNamespaces()) this.set({ namespace: r.namespace }, Number(r.usageBytes));
      },
    });
  }

  /** Registers the upload admission check, and the announcement of refusals (any stage). */
  register(admission: Admission): void {
    admission.use(
      (r) => this.admitUpload(r),
      (r, e) => this.refused(r, e),
    );
  }

  // ------------------------------------------------------------ the system default

  async systemDefault(): Promise<bigint | null> {
    const row = await this.db.systemSetting.findUnique({ where: { key: DEFAULT_KEY } });
    const bytes = row ? BigInt(row.value) : this.configDefault;
    return bytes && bytes > 0n ? bytes : null;
  }

  /** A superuser changes the default Reject limit (null or 0: none); it applies at once everywhere. */
  async setSystemDefault(p: Principal, bytes: bigint | null, ip?: string | null) {
    this.requireEnabled();
    this.forget();
    this.authz.requireSuperuser(p);
    const value = bytes === null || bytes === 0n ? 0n : checkLimitBytes(bytes);
    await this.uow.run(async (w) => {
      await w.tx.systemSetting.upsert({
        where: { key: DEFAULT_KEY },
        create: { key: DEFAULT_KEY, value: value.toString() },
        update: { value: value.toString() },
      });
      w.audit("change_system_quota", { principal: p, ip }, { limit_bytes: value.toString() });
    });
    return this.systemDefault();
  }

  /** Drops what this process read of limits and usage: a change applies here at once. */
  private forget(): void {
    this.admissions.clear();
    this.limitsCache.clear();
  }

  /** The quota API exists only with FEATURE_QUOTA_MANAGEMENT, as in Quay. */
  requireEnabled(): void {
    if (!this.enabled) throw notFound("Quota management (FEATURE_QUOTA_MANAGEMENT is off)");
  }

  // ------------------------------------------------------------ reading

  /** The namespace's quota, its usage and its fallback; members (and superusers) may read it. */
  async report(p: Principal, name: string): Promise<NamespaceQuotaReport> {
    this.requireEnabled();
    const ns = await this.namespaces.byName(name);
    const su = p.kind === "user" && p.superuser && hasScope(p, "super:user");
    if (!su && !(await this.authz.namespaceAllows(p, ns.id, "view")))
      throw p.kind === "anonymous"
        ? new DomainError("UNAUTHENTICATED", "You must be signed in")
        : forbidden();
    const [quota, usage, fallback] = await Promise.all([
      this.db.namespaceQuota.findUnique({
        where: { namespaceId: ns.id },
        include: { limits: { orderBy: { id: "asc" } } },
      }),
      this.sql.namespaceUsage(ns.id),
      this.systemDefault(),
    ]);
    const view: QuotaView | null = quota
      ? {
          id: quota.id,
          limitBytes: quota.limitBytes,
          isDefault: false,
          limits: quota.limits.map((l) => ({ id: l.id, type: l.type, thresholdPercent: l.thresholdPercent })),
        }
      : fallback
        ? {
            id: 0n,
            limitBytes: fallback,
            isDefault: true,
            limits: [{ id: 0n, type: "Reject", thresholdPercent: 100 }],
          }
        : null;
    return {
      namespace: ns.name,
      kind: ns.kind,
      usageBytes: usage,
      quota: view,
      defaultExists: fallback !== null,
    };
  }

  /** Bytes held by each of these repositories (missing: never pushed to). */
  repositorySizes(ids: bigint[]): Promise<Map<bigint, bigint>> {
    return this.sql.repositorySizes(ids);
  }

  /** The limit that applies to each namespace (its quota's, or the system default), for Quay's quota_report. */
  async configuredLimits(namespaceIds: bigint[]): Promise<Map<bigint, bigint | null>> {
    const out = new Map<bigint, bigint | null>();
    for (const id of new Set(namespaceIds))
      out.set(id, (await this.sql.limits(id, this.configDefault))?.limitBytes ?? null);
    return out;
  }

  /** Every namespace's usage and quota (the superuser panel). */
  async allNamespaces(p: Principal) {
    this.requireEnabled();
    this.authz.requireSuperuser(p);
    const [rows, fallback] = await Promise.all([this.sql.allNamespaces(), this.systemDefault()]);
    return { fallback, rows };
  }

  // ------------------------------------------------------------ changing (superusers)

  private async own(p: Principal, name: string) {
    this.requireEnabled();
    this.forget();
    this.authz.requireSuperuser(p);
    return this.namespaces.byName(name);
  }

  private async quotaOf(namespaceId: bigint, id: bigint) {
    const q = await this.db.namespaceQuota.findFirst({ where: { id, namespaceId } });
    if (!q) throw notFound("Quota");
    return q;
  }

  async create(p: Principal, name: string, limitBytes: bigint, ip?: string | null) {
    const ns = await this.own(p, name);
    const bytes = checkLimitBytes(limitBytes);
    return this.uow
      .run(async (w) => {
        const q = await w.tx.namespaceQuota.create({ data: { namespaceId: ns.id, limitBytes: bytes } });
        w.audit(
          "org_create_quota",
          { principal: p, namespaceId: ns.id, ip },
          { namespace: name, limit_bytes: bytes.toString() },
        );
        return q;
      })
      .catch((e: { code?: string }) => {
        throw e.code === "P2002" ? conflict(`Organization quota for '${name}' already exists`) : e;
      });
  }

  async update(p: Principal, name: string, id: bigint, limitBytes: bigint, ip?: string | null) {
    const ns = await this.own(p, name);
    const bytes = checkLimitBytes(limitBytes);
    await this.quotaOf(ns.id, id);
    await this.uow.run(async (w) => {
      await w.tx.namespaceQuota.update({ where: { id }, data: { limitBytes: bytes } });
      w.audit(
        "org_change_quota",
        { principal: p, namespaceId: ns.id, ip },
        { namespace: name, limit_bytes: bytes.toString() },
      );
    });
  }

  /** Deleting a namespace's quota falls back to the system default (if one is set). */
  async delete(p: Principal, name: string, id: bigint, ip?: string | null) {
    const ns = await this.own(p, name);
    await this.quotaOf(ns.id, id);
    await this.uow.run(async (w) => {
      await w.tx.namespaceQuota.delete({ where: { id } });
      w.audit("org_delete_quota", { principal: p, namespaceId: ns.id, ip }, { namespace: name });
    });
  }

  async addLimit(
    p: Principal,
    name: string,
    quotaId: bigint,
    type: LimitType,
    percent: number,
    ip?: string | null,
  ) {
    const ns = await this.own(p, name);
    await this.quotaOf(ns.id, quotaId);
    const thresholdPercent = checkPercent(percent);
    return this.uow
      .run(async (w) => {
        const l = await w.tx.quotaLimit.create({ data: { quotaId, type, thresholdPercent } });
        w.audit(
          "org_create_quota_limit",
          { principal: p, namespaceId: ns.id, ip },
          { namespace: name, type, threshold_percent: thresholdPercent },
        );
        return l;
      })
      .catch((e: { code?: string }) => {
        throw e.code === "P2002" ? badInput("Only one quota limit of type 'Reject' allowed.") : e;
      });
  }

  async updateLimit(
    p: Principal,
    name: string,
    quotaId: bigint,
    limitId: bigint,
    change: { type?: LimitType; percent?: number },
    ip?: string | null,
  ) {
    const ns = await this.own(p, name);
    await this.quotaOf(ns.id, quotaId);
    const limit = await this.db.quotaLimit.findFirst({ where: { id: limitId, quotaId } });
    if (!limit) throw notFound("Quota limit");
    const data = {
      ...(change.type ? { type: change.type } : {}),
      ...(change.percent !== undefined ? { thresholdPercent: checkPercent(change.percent) } : {}),
    };
    await this.uow
      .run(async (w) => {
        const l = await w.tx.quotaLimit.update({ where: { id: limitId }, data });
        w.audit(
          "org_change_quota_limit",
          { principal: p, namespaceId: ns.id, ip },
          { namespace: name, type: l.type, threshold_percent: l.thresholdPercent },
        );
      })
      .catch((e: { code?: string }) => {
        throw e.code === "P2002" ? badInput("Only one quota limit of type 'Reject' allowed.") : e;
      });
  }

  async deleteLimit(p: Principal, name: string, quotaId: bigint, limitId: bigint, ip?: string | null) {
    const ns = await this.own(p, name);
    await this.quotaOf(ns.id, quotaId);
    await this.uow.run(async (w) => {
      const r = await w.tx.quotaLimit.deleteMany({ where: { id: limitId, quotaId } });
      if (!r.count) throw notFound("Quota limit");
      w.audit(
        "org_delete_quota_limit",
        { principal: p, namespaceId: ns.id, ip },
        { namespace: name, id: limitId.toString() },
      );
    });
  }

  // ------------------------------------------------------------ enforcement

  /**
   * The limits a push into the namespace is held to (null: nothing to enforce), read at most once a second
   * per namespace: a limit a superuser changes applies within a second everywhere (at once in the process
   * that changed it), while usage, the exact part, is checked in the push's own transaction.
   */
  limits(namespaceId: bigint): Promise<Limits | null> {
    if (!this.enabled) return Promise.resolve(null);
    return this.cached(this.limitsCache, namespaceId, () => this.sql.limits(namespaceId, this.configDefault));
  }

  private cached<T>(
    cache: Map<bigint, { at: number; value: Promise<T> }>,
    key: bigint,
    read: () => Promise<T>,
  ) {
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < CACHE_TTL_MS) return hit.value;
    const value = read();
    cache.set(key, { at: now, value });
    if (cache.size > 10_000) cache.clear();
    value.catch(() => cache.delete(key));
    return value;
  }

  /** An upload is refused once the namespace is at its Reject limit (Quay: "initiating layer upload"). */
  private async admitUpload(r: AdmissionRequest): Promise<void> {
    if (r.stage !== "upload_start" || !this.enabled) return;
    const a = await this.admission(r.namespaceId);
    if (a && a.usageBytes >= a.rejectBytes) throw new DomainError("QUOTA_EXCEEDED", QUOTA_EXCEEDED_MESSAGE);
  }

  /**
   * The namespace's Reject limit and usage, read at most once a second per namespace: an upload does not
   * change usage (a manifest does), and the exact check is the manifest push's, in its transaction. Without
   * this every blob of a push paid a query (13 % of the 64 KiB push rate in `npm run bench -- --only=quota`).
   */
  private admission(namespaceId: bigint) {
    return this.cached(this.admissions, namespaceId, () =>
      this.sql.admission(namespaceId, this.configDefault),
    );
  }

  /** A refused push: counted, and announced (quota_error) once until the namespace is under its limit again. */
  private async refused(r: AdmissionRequest, e: unknown): Promise<void> {
    if (!(e instanceof DomainError) || e.code !== "QUOTA_EXCEEDED") return;
    this.metrics.quotaRejections.inc({ stage: r.stage });
    const limits = await this.sql.limits(r.namespaceId, this.configDefault);
    await this.uow.run(async (w) => {
      const ns = await w.tx.namespace.updateMany({
        where: { id: r.namespaceId, quotaErrorNotified: false },
        data: { quotaErrorNotified: true },
      });
      if (!ns.count) return;
      const { name } = await w.tx.namespace.findUniqueOrThrow({ where: { id: r.namespaceId } });
      const used = await this.sql.namespaceUsage(r.namespaceId, w.tx);
      w.emit(
        "quota_error",
        { namespace: name, usedBytes: Number(used), limitBytes: Number(limits?.limitBytes ?? 0n) },
        null,
      );
    });
  }

  // ------------------------------------------------------------ checking the books

  /** Recomputes every repository's size from its tag rows and lists those whose kept size differs. */
  async verify() {
    const drift = await this.sql.drift();
    this.metrics.quotaDrift.set(drift.length);
    return { repositories: await this.db.repository.count(), drift };
  }

  /** Folds the size changes pushes appended into the totals (the maintenance job, every minute). */
  compact(): Promise<number> {
    return this.sql.compact();
  }

  /** Sets every size and counted flag from scratch (data from before usage was kept, or after a repair). */
  async backfill() {
    await this.sql.backfill();
    return this.verify();
  }
}
