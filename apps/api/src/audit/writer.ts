// Audit rows: units of work write them in their own transaction (events/unit-of-work.ts); pulls and logins
// at the token endpoint go through the batched background writer. Kinds: events/audit-kinds.ts.
import type pg from "pg";
import type { Logger } from "../infra/logger.js";
import type { Prisma } from "../generated/prisma/client.js";
import { principalName, type Principal } from "../access/principal.js";
import type { AuditKind, RepoAuditKind, RepoAuditKinds } from "../events/audit-kinds.js";

/** Who did it, as the log records it. */
export interface Actor {
  name: string | null;
  id: bigint | null;
}

export const actorOf = (p: Principal): Actor => ({
  name: principalName(p),
  id: p.kind === "user" ? p.userId : p.kind === "robot" ? p.robotId : null,
});

export interface AuditEntry {
  kind: AuditKind;
  principal: Principal | Actor;
  namespaceId?: bigint | null;
  repositoryId?: bigint | null;
  ip?: string | null;
  metadata?: object;
}

export const actor = (p: Principal | Actor): Actor => ("kind" in p ? actorOf(p) : p);

type RepositoryRef = { id: bigint; name: string; namespaceId: bigint; namespace: { name: string } };

/** The entry about a repository, with the `repo` and `namespace` metadata every such entry carries. */
export function repositoryEntry<K extends RepoAuditKind>(
  kind: K,
  principal: Principal | Actor,
  repo: RepositoryRef,
  metadata: RepoAuditKinds[K],
  ip?: string | null,
): AuditEntry {
  return {
    kind,
    principal,
    namespaceId: repo.namespaceId,
    repositoryId: repo.id,
    ip,
    metadata: { repo: repo.name, namespace: repo.namespace.name, ...metadata },
  };
}

/** A bigint id as a pg query parameter (the driver takes ids as strings), null kept. */
export const idParam = (v: bigint | number | null | undefined) =>
  v === null || v === undefined ? null : String(v);

/** The row an entry becomes (also for writers that insert it in their own statement). */
export function auditRow(e: AuditEntry): Prisma.AuditLogCreateManyInput {
  const who = actor(e.principal);
  return {
    kind: e.kind,
    performer: who.name,
    performerId: who.id,
    namespaceId: e.namespaceId ?? null,
    repositoryId: e.repositoryId ?? null,
    ip: e.ip ?? null,
    metadata: (e.metadata ?? {}) as Prisma.InputJsonValue,
  };
}

const INSERT_MANY = `
  INSERT INTO "AuditLog" (kind, performer, "performerId", "namespaceId", "repositoryId", ip, metadata, "createdAt")
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[],
    $7::jsonb[], $8::timestamptz[])`;

/** Most rows one background INSERT writes. */
const BATCH_MAX = 500;

export class AuditService {
  /** Background entries waiting for the INSERT in flight to finish (group commit). */
  private pending: Prisma.AuditLogCreateManyInput[] = [];
  private flushing = false;

  constructor(
    private readonly log: Logger,
    /** The pool under Prisma, for the background writer's multi-row INSERT. */
    private readonly pool: pg.Pool,
  ) {}

  /**
   * For hot paths (pulls): never delays or fails the request. An idle writer inserts the entry at once;
   * entries arriving while an INSERT is in flight go together in the next one, so a burst of pulls costs a
   * few multi-row INSERTs instead of one commit each.
   */
  recordInBackground(e: AuditEntry): void {
    this.pending.push({ ...auditRow(e), createdAt: new Date() });
    if (!this.flushing) void this.flush();
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, BATCH_MAX);
        await this.insertMany(batch).catch((err) =>
          this.log.warn(
            { err: String(err), kinds: [...new Set(batch.map((b) => b.kind))], entries: batch.length },
            "audit write failed",
          ),
        );
      }
    } finally {
      this.flushing = false;
    }
  }

  /** One prepared multi-row INSERT (column arrays through unnest): pulls write an entry each. */
  private async insertMany(batch: Prisma.AuditLogCreateManyInput[]): Promise<void> {
    const col = <T>(f: (r: Prisma.AuditLogCreateManyInput) => T) => batch.map(f);
    await this.pool.query({
      name: "hm_audit_insert_many",
      text: INSERT_MANY,
      values: [
        col((r) => r.kind),
        col((r) => r.performer ?? null),
        col((r) => idParam(r.performerId)),
        col((r) => idParam(r.namespaceId)),
        col((r) => idParam(r.repositoryId)),
        col((r) => r.ip ?? null),
        col((r) => JSON.stringify(r.metadata ?? {})),
        col((r) => r.createdAt ?? new Date()),
      ],
    });
  }
}
