// The database side of syncs: a worker claims a queued sync (SYNCING under its claim, a RepoMirrorSync row,
// the started entry and event in one unit), renews the claim with its heartbeat (which also carries the log
// and brings back a cancel), and releases it with the outcome. The periodic look queues due mirrors and takes
// over claims that lapsed. Every step locks the configuration row, so two workers never run one mirror.
import type { Db } from "../infra/database.js";
import type { Actor } from "../audit/writer.js";
import type { Principal } from "../access/principal.js";
import type { RepositoryWithNamespace } from "../content/repositories.js";
import type { Tx, UnitOfWork, Work } from "../events/unit-of-work.js";
import { MIRROR_INCLUDE } from "./config.js";
import {
  CLAIM_LEASE_MS,
  MAX_SYNC_RETRIES,
  QUEUE_LEASE_MS,
  retriesAfter,
  scheduleAction,
  type ScheduleFacts,
  type SyncStatus,
} from "./rules.js";

export interface LogLine {
  at: string;
  level: "info" | "warn" | "error";
  message: string;
}

/** A sync a worker holds: what it copies, from where, as whom. */
export interface Claim {
  configId: bigint;
  syncId: bigint;
  startedAt: Date;
  repo: RepositoryWithNamespace;
  /** The mirror robot as a principal; null when it was deleted (the sync then fails). */
  robot: (Principal & { kind: "robot" }) | null;
  externalReference: string;
  credentialsSealed: string | null;
  verifyTls: boolean;
  unsignedImages: boolean;
  proxy: unknown;
  tagGlobs: string[];
  /** Quay's sync message: `'<external reference>' with tag pattern '<globs>'`. */
  message: string;
}

export type Outcome = "SUCCESS" | "FAIL" | "CANCEL";

export interface SyncResult {
  copied: number;
  skipped: number;
  deleted: number;
  tags: string[];
  error: string | null;
  lines: LogLine[];
}

const SYNC_STATUS: Record<Outcome, string> = { SUCCESS: "success", FAIL: "failed", CANCEL: "cancelled" };
const SUPERSEDED = "interrupted: its worker lost the claim and a newer sync took over";
const INTERRUPTED = "interrupted: its worker stopped (the claim lapsed); the sync was queued again";

export const line = (level: LogLine["level"], message: string): LogLine => ({
  at: new Date().toISOString(),
  level,
  message,
});

const nobody: Actor = { name: null, id: null };

export class MirrorClaims {
  constructor(
    private readonly db: Db,
    private readonly uow: UnitOfWork,
  ) {}

  /** Takes a queued sync (SYNC_NOW) of a repository still in the MIRROR state; null when there is none. */
  claim(configId: bigint): Promise<Claim | null> {
    return this.uow.run(async (w) => {
      const [row] = await w.tx.$queryRaw<{ status: SyncStatus; state: string; retries: number }[]>`
        SELECT c."syncStatus"::text AS status, r.state::text AS state, c."syncRetriesRemaining" AS retries
        FROM "RepoMirrorConfig" c JOIN "Repository" r ON r.id = c."repositoryId"
        WHERE c.id = ${configId} FOR UPDATE OF c`;
      if (!row || row.status !== "SYNC_NOW" || row.state !== "mirror") return null;
      // A sync still marked running belongs to a worker that was given up on.
      await w.tx.repoMirrorSync.updateMany({
        where: { configId, status: "running" },
        data: { status: "failed", finishedAt: new Date(), error: SUPERSEDED },
      });
      const m = await w.tx.repoMirrorConfig.update({
        where: { id: configId },
        data: {
          syncStatus: "SYNCING",
          syncExpirationDate: new Date(Date.now() + CLAIM_LEASE_MS),
          // Retries spent: a scheduled sync starts a new round of them (Quay's rule).
          ...(row.retries === 0 ? { syncRetriesRemaining: MAX_SYNC_RETRIES } : {}),
        },
        include: MIRROR_INCLUDE,
      });
      const message = `'${m.externalReference}' with tag pattern '${m.tagGlobs.join(",")}'`;
      const sync = await w.tx.repoMirrorSync.create({
        data: { configId, log: [line("info", `sync started: ${message}`)] as object[] },
      });
      const robot =
        m.robot && m.robotId
          ? {
              kind: "robot" as const,
              robotId: m.robotId,
              name: m.robot.name,
              namespaceId: m.repository.namespaceId,
              namespace: m.robot.namespace.name,
            }
          : null;
      const repo = m.repository;
      w.auditRepo("repo_mirror_sync_started", { principal: robot ?? nobody }, repo, {
        verb: "start",
        message,
      });
      w.emit("repo_mirror_sync_started", this.payload(repo, message), repo.id);
      return {
        configId,
        syncId: sync.id,
        startedAt: sync.startedAt,
        repo,
        robot,
        externalReference: m.externalReference,
        credentialsSealed: m.credentialsSealed,
        verifyTls: m.verifyTls,
        unsignedImages: m.unsignedImages,
        proxy: m.proxy,
        tagGlobs: m.tagGlobs,
        message,
      };
    });
  }

  /**
   * Renews the claim and appends `lines` to the sync's log, in one statement; answers the configuration's
   * status, or null when the claim is no longer this sync's (taken over, or the repository deleted).
   */
  async heartbeat(claim: Claim, lines: LogLine[]): Promise<SyncStatus | null> {
    const rows = await this.db.$queryRaw<{ status: SyncStatus }[]>`
      WITH s AS (
        UPDATE "RepoMirrorSync" SET log = log || ${JSON.stringify(lines)}::jsonb
        WHERE id = ${claim.syncId} AND status = 'running' RETURNING id)
      UPDATE "RepoMirrorConfig" c SET "syncExpirationDate" = ${new Date(Date.now() + CLAIM_LEASE_MS)}
      FROM s WHERE c.id = ${claim.configId}
      RETURNING c."syncStatus"::text AS status`;
    return rows[0]?.status ?? null;
  }

  /**
   * Ends the sync with its outcome: the sync row, the configuration (status, retries, last sync, the claim
   * gone), the entry and the event. False when the claim was lost meanwhile: a newer sync owns the mirror.
   */
  release(claim: Claim, outcome: Outcome, r: SyncResult): Promise<boolean> {
    return this.uow.run(async (w) => {
      const [cfg] = await w.tx.$queryRaw<{ status: SyncStatus; retries: number }[]>`
        SELECT "syncStatus"::text AS status, "syncRetriesRemaining" AS retries
        FROM "RepoMirrorConfig" WHERE id = ${claim.configId} FOR UPDATE`;
      const ended = await w.tx.repoMirrorSync.updateMany({
        where: { id: claim.syncId, status: "running" },
        data: {
          status: SYNC_STATUS[outcome],
          finishedAt: new Date(),
          tagsCopied: r.copied,
          tagsSkipped: r.skipped,
          tagsDeleted: r.deleted,
          error: r.error,
        },
      });
      if (!cfg || !ended.count) return false;
      await appendLog(w.tx, claim.syncId, r.lines);
      // A sync-now asked for while this one was stopping keeps its status (and its job).
      const mine = cfg.status === "SYNCING" || cfg.status === "CANCEL";
      await w.tx.repoMirrorConfig.update({
        where: { id: claim.configId },
        data: {
          lastSyncAt: claim.startedAt,
          lastError: outcome === "SUCCESS" ? null : r.error,
          ...(mine
            ? {
                syncStatus: cfg.status === "CANCEL" ? "CANCEL" : outcome,
                syncExpirationDate: null,
                syncRetriesRemaining: retriesAfter(outcome, cfg.retries),
              }
            : {}),
        },
      });
      this.record(w, claim, outcome, r);
      return true;
    });
  }

  /** The entry and the event of a finished sync (a cancelled one is a failure, as in Quay). */
  private record(w: Work, claim: Claim, outcome: Outcome, r: SyncResult) {
    const by = { principal: claim.robot ?? nobody };
    const tags = r.tags.join(", ");
    if (outcome === "SUCCESS") {
      w.auditRepo("repo_mirror_sync_success", by, claim.repo, { verb: "end", message: claim.message, tags });
      w.emit("repo_mirror_sync_success", this.payload(claim.repo, claim.message), claim.repo.id);
      return;
    }
    const error = r.error ?? (outcome === "CANCEL" ? "cancelled" : "failed");
    const message = `${claim.message}: ${error}`;
    w.auditRepo("repo_mirror_sync_failed", by, claim.repo, {
      verb: outcome === "CANCEL" ? "Cancelled" : "end",
      message,
      tags,
      stderr: error,
    });
    w.emit("repo_mirror_sync_failed", { ...this.payload(claim.repo, message), error }, claim.repo.id);
  }

  private payload(repo: RepositoryWithNamespace, message: string) {
    return { repository: `${repo.namespace.name}/${repo.name}`, namespace: repo.namespace.name, message };
  }

  /**
   * The periodic look: due mirrors are queued (SYNC_NOW with a job), a queued sync no worker took is queued
   * again, and a sync whose claim lapsed (its worker died) is recorded as interrupted and queued again.
   */
  async schedule(): Promise<{ queued: number; requeued: number; takenOver: number }> {
    const rows = await this.db.$queryRaw<(ScheduleFacts & { id: bigint; now: Date })[]>`
      SELECT c.id, c."isEnabled", c."syncStatus"::text AS "syncStatus", c."syncInterval", c."syncStartDate",
        c."syncExpirationDate", c."syncRetriesRemaining", c."lastSyncAt", now() AS now
      FROM "RepoMirrorConfig" c JOIN "Repository" r ON r.id = c."repositoryId"
      WHERE r.state = 'mirror' AND c."syncStatus" <> 'CANCEL'`;
    const done = { queued: 0, requeued: 0, takenOver: 0 };
    for (const row of rows) {
      if (scheduleAction(row, row.now) === "none") continue;
      const action = await this.uow.run(async (w) => {
        const [c] = await w.tx.$queryRaw<(ScheduleFacts & { now: Date })[]>`
          SELECT "isEnabled", "syncStatus"::text AS "syncStatus", "syncInterval", "syncStartDate",
            "syncExpirationDate", "syncRetriesRemaining", "lastSyncAt", now() AS now
          FROM "RepoMirrorConfig" WHERE id = ${row.id} FOR UPDATE`;
        const act = c ? scheduleAction(c, c.now) : "none";
        if (act === "none") return act;
        if (act === "take_over")
          await w.tx.repoMirrorSync.updateMany({
            where: { configId: row.id, status: "running" },
            data: { status: "failed", finishedAt: new Date(), error: INTERRUPTED },
          });
        await w.tx.repoMirrorConfig.update({
          where: { id: row.id },
          data: {
            syncStatus: "SYNC_NOW",
            syncExpirationDate: new Date(Date.now() + QUEUE_LEASE_MS),
            ...(act === "take_over"
              ? { syncRetriesRemaining: retriesAfter("FAIL", c!.syncRetriesRemaining) }
              : {}),
          },
        });
        w.enqueue("mirror", "mirror-sync", { configId: String(row.id) });
        return act;
      });
      if (action === "queue") done.queued++;
      if (action === "requeue") done.requeued++;
      if (action === "take_over") done.takenOver++;
    }
    return done;
  }
}

async function appendLog(tx: Tx, syncId: bigint, lines: LogLine[]): Promise<void> {
  if (!lines.length) return;
  await tx.$executeRaw`
    UPDATE "RepoMirrorSync" SET log = log || ${JSON.stringify(lines)}::jsonb WHERE id = ${syncId}`;
}
