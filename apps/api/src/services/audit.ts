// Audit log writer. Kinds use Quay's names (push_repo, pull_repo, delete_tag, create_repo, ...).
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { Prisma } from "../generated/prisma/client.js";
import { principalName, type Principal } from "./principal.js";

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
  kind: string;
  principal: Principal | Actor;
  namespaceId?: bigint | null;
  repositoryId?: bigint | null;
  ip?: string | null;
  metadata?: Record<string, unknown>;
}

const actor = (p: Principal | Actor): Actor => ("kind" in p ? actorOf(p) : p);

export class AuditService {
  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  async record(e: AuditEntry): Promise<void> {
    await this.db.auditLog.create({
      data: {
        kind: e.kind,
        performer: actor(e.principal).name,
        performerId: actor(e.principal).id,
        namespaceId: e.namespaceId ?? null,
        repositoryId: e.repositoryId ?? null,
        ip: e.ip ?? null,
        metadata: (e.metadata ?? {}) as Prisma.InputJsonValue,
      },
    });
  }

  /** For hot paths (pulls): never delays or fails the request. */
  recordInBackground(e: AuditEntry): void {
    this.record(e).catch((err) => this.log.warn({ err: String(err), kind: e.kind }, "audit write failed"));
  }
}
