// Repository mirroring as the doors see it (Quay's mirror module): a repository's admins create, read and
// change its mirror configuration, ask for a sync now or cancel one, read the recent syncs, and set the
// repository's state. Each write is one unit of work with its audit entries (Quay's kinds) and its job.
import type { Db } from "../infra/database.js";
import type { Principal } from "../access/principal.js";
import type { Encryptor } from "../access/secrets.js";
import type { RepositoryService, RepositoryWithNamespace } from "../content/repositories.js";
import type { RepositoryState } from "../content/repository-state.js";
import type { Tx, UnitOfWork, Work } from "../events/unit-of-work.js";
import type { Prisma } from "../generated/prisma/client.js";
import { badInput, conflict, notFound } from "../common/errors.js";
import { parseRobotName } from "../tenancy/names.js";
import {
  checkInterval,
  checkProxy,
  checkRule,
  MIRROR_INCLUDE,
  parseReference,
  parseStartDate,
  proxyOf,
  seal,
  toView,
  unseal,
  type MirrorInput,
  type MirrorPatch,
  type MirrorRow,
  type MirrorView,
} from "./config.js";
import { QUEUE_LEASE_MS } from "./rules.js";

export interface SyncView {
  id: bigint;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  tagsCopied: number;
  tagsSkipped: number;
  tagsDeleted: number;
  error: string | null;
  log: { at: string; level: string; message: string }[];
}

type Change = [field: string, to: string | number | boolean | string[] | null];

export class MirrorService {
  constructor(
    private readonly db: Db,
    private readonly repos: RepositoryService,
    private readonly uow: UnitOfWork,
    private readonly enc: Encryptor,
    readonly enabled: boolean,
    /** REPO_MIRROR_TLS_VERIFY: verify_tls when a creation leaves it out. */
    private readonly verifyTlsDefault: boolean,
  ) {}

  /** The repository, for its admins; the whole capability is absent without FEATURE_REPO_MIRROR. */
  private async repository(p: Principal, full: string) {
    if (!this.enabled) throw notFound("Repository mirroring");
    return this.repos.require(p, full, "admin");
  }

  private row(repositoryId: bigint, tx: Tx | Db = this.db): Promise<MirrorRow | null> {
    return tx.repoMirrorConfig.findUnique({ where: { repositoryId }, include: MIRROR_INCLUDE });
  }

  /** The mirror configuration, or null when the repository has none. */
  async find(p: Principal, full: string): Promise<MirrorView | null> {
    const repo = await this.repository(p, full);
    const m = await this.row(repo.id);
    return m && toView(this.enc, m);
  }

  async get(p: Principal, full: string): Promise<MirrorView> {
    const view = await this.find(p, full);
    if (!view) throw notFound(`Mirror configuration of ${full}`);
    return view;
  }

  /**
   * Makes the repository a mirror (state MIRROR) of `externalReference`; the robot gets write on it. CONFLICT
   * when it already has a configuration.
   */
  async create(p: Principal, full: string, input: MirrorInput, ip?: string | null): Promise<MirrorView> {
    const repo = await this.repository(p, full);
    parseReference(input.externalReference);
    const tagGlobs = checkRule(input.ruleKind, input.tagGlobs);
    const syncStartDate = parseStartDate(input.syncStartDate);
    const syncInterval = checkInterval(input.syncInterval);
    const proxy = checkProxy(input.proxy);
    if (input.password && !input.username)
      throw badInput("Unable to set a new password without also specifying a username.");
    const credentialsSealed = seal(this.enc, input.username || null, input.password || null);
    const robotId = await this.robotOf(repo, input.robotUsername);
    await this.uow
      .run(async (w) => {
        if (await w.tx.repoMirrorConfig.findUnique({ where: { repositoryId: repo.id } }))
          throw conflict(`Mirror configuration already exists for repository ${full}`);
        await w.tx.repoMirrorConfig.create({
          data: {
            repositoryId: repo.id,
            externalReference: input.externalReference,
            credentialsSealed,
            verifyTls: input.verifyTls ?? this.verifyTlsDefault,
            unsignedImages: input.unsignedImages ?? false,
            proxy: proxy as unknown as Prisma.InputJsonValue,
            syncInterval,
            syncStartDate,
            tagGlobs,
            robotId,
            isEnabled: input.isEnabled ?? true,
          },
        });
        await w.tx.repository.update({ where: { id: repo.id }, data: { state: "mirror" } });
        await grantWrite(w.tx, repo.id, robotId);
        w.auditRepo("repo_mirror_config_changed", { principal: p, ip }, repo, {
          changed: "external_reference",
          to: input.externalReference,
        });
      })
      .catch((e: { code?: string }) => {
        throw e.code === "P2002" ? conflict(`Mirror configuration already exists for repository ${full}`) : e;
      });
    return this.get(p, full);
  }

  /** Quay's PUT: each field given changes, each change with its own config_changed entry. */
  async update(p: Principal, full: string, patch: MirrorPatch, ip?: string | null): Promise<MirrorView> {
    const repo = await this.repository(p, full);
    const m = await this.row(repo.id);
    if (!m) throw notFound(`Mirror configuration of ${full}`);
    const data: Prisma.RepoMirrorConfigUncheckedUpdateInput = {};
    const changes: Change[] = [];
    const set = <K extends keyof typeof data>(key: K, value: (typeof data)[K], change: Change) => {
      data[key] = value;
      changes.push(change);
    };
    if (patch.isEnabled !== undefined && patch.isEnabled !== m.isEnabled)
      set("isEnabled", patch.isEnabled, ["is_enabled", patch.isEnabled]);
    if (patch.externalReference !== undefined && patch.externalReference !== m.externalReference) {
      parseReference(patch.externalReference);
      set("externalReference", patch.externalReference, ["external_reference", patch.externalReference]);
    }
    if (patch.robotUsername !== undefined) {
      const robotId = await this.robotOf(repo, patch.robotUsername);
      set("robotId", robotId, ["robot_username", patch.robotUsername]);
    }
    if (patch.syncStartDate !== undefined) {
      const d = parseStartDate(patch.syncStartDate);
      set("syncStartDate", d, ["sync_start_date", d.toISOString()]);
    }
    if (patch.syncInterval !== undefined)
      set("syncInterval", checkInterval(patch.syncInterval), ["sync_interval", patch.syncInterval]);
    this.credentialChanges(m, patch, set);
    if (patch.verifyTls !== undefined) set("verifyTls", patch.verifyTls, ["verify_tls", patch.verifyTls]);
    if (patch.unsignedImages !== undefined)
      set("unsignedImages", patch.unsignedImages, ["unsigned_images", patch.unsignedImages]);
    if (patch.proxy !== undefined) {
      const prior = proxyOf(m.proxy);
      const next = checkProxy(patch.proxy, prior);
      data.proxy = next as unknown as Prisma.InputJsonValue;
      for (const key of ["http_proxy", "https_proxy", "no_proxy"] as const)
        if (patch.proxy[key] !== undefined) changes.push([key, next[key]]);
    }
    if (patch.tagGlobs !== undefined || patch.ruleKind !== undefined) {
      const globs = checkRule(patch.ruleKind, patch.tagGlobs);
      set("tagGlobs", globs, ["mirror_rule", globs]);
    }
    if (changes.length)
      await this.uow.run(async (w) => {
        await w.tx.repoMirrorConfig.update({ where: { id: m.id }, data });
        if (data.robotId) await grantWrite(w.tx, repo.id, data.robotId as bigint);
        for (const [changed, to] of changes)
          w.auditRepo("repo_mirror_config_changed", { principal: p, ip }, repo, { changed, to });
      });
    return this.get(p, full);
  }

  /** Quay's credential rules: a password needs a username; a null username clears both. */
  private credentialChanges(
    m: MirrorRow,
    patch: MirrorPatch,
    set: (key: "credentialsSealed", value: string | null, change: Change) => void,
  ) {
    const hasUser = patch.username !== undefined;
    const hasPassword = patch.password !== undefined;
    if (hasPassword && !hasUser)
      throw badInput("Unable to set a new password without also specifying a username.");
    if (!hasUser) return;
    const username = patch.username || null;
    if (!username && patch.password) throw badInput("Unable to delete username while setting a password.");
    const prior = unseal(this.enc, m.credentialsSealed);
    const password = hasPassword ? patch.password || null : (prior?.password ?? null);
    set("credentialsSealed", seal(this.enc, username, password), ["external_registry_username", username]);
    if (hasPassword)
      set("credentialsSealed", seal(this.enc, username, password), [
        "external_registry_password",
        password === null ? null : "********",
      ]);
  }

  /** Quay's sync-now: queues a sync unless one is running (CONFLICT). */
  async syncNow(p: Principal, full: string, ip?: string | null): Promise<MirrorView> {
    const repo = await this.repository(p, full);
    await this.uow.run(async (w) => {
      const m = await this.locked(w, repo);
      if (m.syncStatus === "SYNCING") throw conflict(`A sync of ${full} is running; cancel it first`);
      await w.tx.repoMirrorConfig.update({
        where: { id: m.id },
        data: {
          syncStatus: "SYNC_NOW",
          syncRetriesRemaining: Math.max(m.syncRetriesRemaining, 1),
          syncExpirationDate: new Date(Date.now() + QUEUE_LEASE_MS),
        },
      });
      w.auditRepo("repo_mirror_config_changed", { principal: p, ip }, repo, {
        changed: "sync_status",
        to: "SYNC_NOW",
      });
      w.enqueue("mirror", "mirror-sync", { configId: String(m.id) });
    });
    return this.get(p, full);
  }

  /**
   * Quay's sync-cancel: a queued sync will not start, a running one stops within a heartbeat (its worker sees
   * CANCEL). CONFLICT when nothing is queued or running.
   */
  async cancel(p: Principal, full: string, ip?: string | null): Promise<MirrorView> {
    const repo = await this.repository(p, full);
    await this.uow.run(async (w) => {
      const m = await this.locked(w, repo);
      if (m.syncStatus !== "SYNCING" && m.syncStatus !== "SYNC_NOW")
        throw conflict(`No sync of ${full} is queued or running`);
      await w.tx.repoMirrorConfig.update({
        where: { id: m.id },
        data: { syncStatus: "CANCEL", syncRetriesRemaining: 0 },
      });
      w.auditRepo("repo_mirror_config_changed", { principal: p, ip }, repo, {
        changed: "sync_status",
        to: "SYNC_CANCEL",
      });
    });
    return this.get(p, full);
  }

  /** The repository's recent syncs, newest first, with their logs. */
  async syncs(p: Principal, full: string, limit = 10): Promise<SyncView[]> {
    const repo = await this.repository(p, full);
    const rows = await this.db.repoMirrorSync.findMany({
      where: { config: { repositoryId: repo.id } },
      orderBy: { id: "desc" },
      take: Math.min(Math.max(limit, 1), 50),
    });
    return rows.map((r) => ({ ...r, log: Array.isArray(r.log) ? (r.log as SyncView["log"]) : [] }));
  }

  /** Quay's changestate; MIRROR only with FEATURE_REPO_MIRROR. */
  setState(p: Principal, full: string, state: RepositoryState, ip?: string | null) {
    return this.repos.setState(p, full, state, { mirrorAllowed: this.enabled }, ip);
  }

  /** The configuration row, locked for this unit. */
  private async locked(w: Work, repo: RepositoryWithNamespace) {
    await w.tx.$executeRaw`SELECT 1 FROM "RepoMirrorConfig" WHERE "repositoryId" = ${repo.id} FOR UPDATE`;
    const m = await this.row(repo.id, w.tx);
    if (!m) throw notFound(`Mirror configuration of ${repo.namespace.name}/${repo.name}`);
    return m;
  }

  /** A robot of the repository's namespace (Quay's rule). */
  private async robotOf(repo: RepositoryWithNamespace, fullName: string): Promise<bigint> {
    const parsed = parseRobotName(fullName ?? "");
    const robot = parsed
      ? await this.db.robot.findFirst({
          where: { name: parsed.short, namespace: { name: parsed.namespace } },
        })
      : null;
    if (!robot) throw badInput(`Could not find robot with username: ${fullName}`);
    if (robot.namespaceId !== repo.namespaceId) throw badInput("Invalid robot");
    return robot.id;
  }
}

/** The robot writes the mirror's content: at least write on the repository (Quay's _setup_robot_for_mirroring). */
async function grantWrite(tx: Tx, repositoryId: bigint, robotId: bigint): Promise<void> {
  const existing = await tx.repositoryPermission.findUnique({
    where: { repositoryId_robotId: { repositoryId, robotId } },
  });
  if (existing && existing.role !== "read") return;
  await tx.repositoryPermission.upsert({
    where: { repositoryId_robotId: { repositoryId, robotId } },
    create: { repositoryId, robotId, role: "write" },
    update: { role: "write" },
  });
}
