// The bell: a user's notifications in the console (Quay's user notifications). Entries come from "Quay
// Notification" methods (a user, a team's members or the organization's members) and from namespace events
// (quota warnings and errors, to the namespace's admins); one per user and event, whoever rings twice.
import type { Db } from "../infra/database.js";
import type { Principal } from "../access/principal.js";
import { badInput, DomainError, notFound } from "../common/errors.js";
import type { Target } from "./methods.js";

export interface BellEntry {
  kind: string;
  eventId: string;
  metadata: Record<string, unknown>;
}

const signedIn = (p: Principal) => {
  if (p.kind !== "user") throw new DomainError("UNAUTHENTICATED", "You must be signed in");
  return p.userId;
};

export class Bell {
  constructor(private readonly db: Db) {}

  /** Users a target names in namespace `namespaceId` (robots have no bell). */
  async recipients(namespaceId: bigint, target: Target): Promise<bigint[]> {
    if (target.kind === "user") {
      const u = await this.db.user.findUnique({ where: { username: target.name }, select: { id: true } });
      return u ? [u.id] : [];
    }
    const members = await this.db.teamMember.findMany({
      where: {
        userId: { not: null },
        team: target.kind === "team" ? { namespaceId, name: target.name } : { namespaceId },
      },
      select: { userId: true },
    });
    return [...new Set(members.map((m) => m.userId!))];
  }

  /** Throws unless the target exists for a repository of namespace `namespaceId`. */
  async checkTarget(namespaceId: bigint, target: Target): Promise<void> {
    if (target.kind === "user") {
      if (!(await this.db.user.findUnique({ where: { username: target.name } })))
        throw badInput(`Unknown user ${target.name}`);
      return;
    }
    const ns = await this.db.namespace.findUnique({ where: { id: namespaceId } });
    if (target.kind === "org") {
      if (!ns || ns.kind !== "organization" || ns.name !== target.name)
        throw badInput(`Unknown organization ${target.name}`);
      return;
    }
    if (!(await this.db.team.findUnique({ where: { namespaceId_name: { namespaceId, name: target.name } } })))
      throw badInput(`Unknown team ${target.name}`);
  }

  /** The admins of a namespace: an organization's admin teams' members, or the user it belongs to. */
  async admins(namespaceId: bigint): Promise<bigint[]> {
    const user = await this.db.user.findUnique({ where: { namespaceId }, select: { id: true } });
    if (user) return [user.id];
    const members = await this.db.teamMember.findMany({
      where: { userId: { not: null }, team: { namespaceId, role: "admin" } },
      select: { userId: true },
    });
    return [...new Set(members.map((m) => m.userId!))];
  }

  /** Adds the entry to each user's bell once; returns how many bells it reached. */
  async ring(userIds: bigint[], e: BellEntry): Promise<number> {
    if (!userIds.length) return 0;
    await this.db.userNotification.createMany({
      data: userIds.map((userId) => ({
        userId,
        kind: e.kind,
        eventId: e.eventId,
        metadata: e.metadata as object,
      })),
      skipDuplicates: true,
    });
    return userIds.length;
  }

  async list(p: Principal, opts: { includeDismissed?: boolean; limit?: number } = {}) {
    const userId = signedIn(p);
    const where = { userId, ...(opts.includeDismissed ? {} : { dismissed: false }) };
    const [entries, unread] = await Promise.all([
      this.db.userNotification.findMany({
        where,
        orderBy: { id: "desc" },
        take: Math.min(Math.max(opts.limit ?? 50, 1), 200),
      }),
      this.db.userNotification.count({ where: { userId, dismissed: false, readAt: null } }),
    ]);
    return { entries, unread };
  }

  /** One of the caller's own entries (anyone else's is not found). */
  async get(p: Principal, uuid: string) {
    const userId = signedIn(p);
    const n = /^[0-9a-f-]{36}$/i.test(uuid)
      ? await this.db.userNotification.findFirst({ where: { uuid, userId } })
      : null;
    if (!n) throw notFound("Notification");
    return n;
  }

  /** Quay's PUT of a user notification: dismissed (and read) or back. */
  async update(p: Principal, uuid: string, change: { dismissed?: boolean; read?: boolean }) {
    const n = await this.get(p, uuid);
    return this.db.userNotification.update({
      where: { id: n.id },
      data: {
        ...(change.dismissed !== undefined ? { dismissed: change.dismissed } : {}),
        ...(change.read !== undefined || change.dismissed
          ? { readAt: change.read === false ? null : (n.readAt ?? new Date()) }
          : {}),
      },
    });
  }

  async markAllRead(p: Principal): Promise<number> {
    const userId = signedIn(p);
    const r = await this.db.userNotification.updateMany({
      where: { userId, readAt: null },
      data: { readAt: new Date() },
    });
    return r.count;
  }
}
