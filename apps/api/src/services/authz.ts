// The one authorization service: "may principal P do action A on resource R", answered here for every door.
// Repository roles are computed from: namespace ownership, organization admin teams, direct permissions,
// team permissions, and public visibility. Scope-limited OAuth tokens are narrowed at the end.
import type { Db } from "../infra/database.js";
import type { Principal } from "./principal.js";

export type RepoRole = "read" | "write" | "admin";
export type RepoAction = "read" | "write" | "admin";
export type NamespaceAction = "create_repo" | "admin" | "view";

const RANK: Record<RepoRole, number> = { read: 1, write: 2, admin: 3 };
export const maxRole = (a: RepoRole | null, b: RepoRole | null): RepoRole | null =>
  !a ? b : !b ? a : RANK[a] >= RANK[b] ? a : b;
export const roleAllows = (role: RepoRole | null, action: RepoAction) =>
  role !== null && RANK[role] >= RANK[action];

/** OAuth scopes narrow what a token may do, whatever its user could. */
function scopeCap(p: Principal): RepoRole | null | undefined {
  if (p.kind !== "user" || !p.scopes) return undefined;
  if (p.scopes.includes("repo:admin")) return "admin";
  if (p.scopes.includes("repo:write")) return "write";
  if (p.scopes.includes("repo:read")) return "read";
  return null;
}

export interface RepoRef {
  id: bigint;
  namespaceId: bigint;
  visibility: "public" | "private";
}

export class AuthzService {
  constructor(private readonly db: Db) {}

  /** The team role the principal holds in an organization namespace (highest across teams). */
  async orgRole(p: Principal, namespaceId: bigint): Promise<"member" | "creator" | "admin" | null> {
    if (p.kind === "anonymous") return null;
    const memberships = await this.db.teamMember.findMany({
      where: {
        team: { namespaceId },
        ...(p.kind === "user" ? { userId: p.userId } : { robotId: p.robotId }),
      },
      select: { team: { select: { role: true } } },
    });
    const roles = memberships.map((m) => m.team.role);
    return roles.includes("admin")
      ? "admin"
      : roles.includes("creator")
        ? "creator"
        : roles.length
          ? "member"
          : null;
  }

  async namespaceAllows(p: Principal, namespaceId: bigint, action: NamespaceAction): Promise<boolean> {
    if (p.kind === "anonymous") return false;
    if (p.kind === "user" && p.scopes) {
      const needed = { create_repo: "repo:create", admin: "org:admin", view: null }[action];
      if (needed && !p.scopes.includes(needed)) return false;
    }
    if (p.kind === "user" && p.namespaceId === namespaceId) return true;
    const role = await this.orgRole(p, namespaceId);
    if (action === "view") return role !== null;
    if (action === "create_repo") return role === "creator" || role === "admin";
    return role === "admin";
  }

  /** The effective role on a repository, or null. Public repositories give everyone read. */
  async repoRole(p: Principal, repo: RepoRef): Promise<RepoRole | null> {
    let role: RepoRole | null = repo.visibility === "public" ? "read" : null;
    if (p.kind === "anonymous") return role;
    if (p.kind === "user" && p.namespaceId === repo.namespaceId) role = "admin";
    else {
      const who = p.kind === "user" ? { userId: p.userId } : { robotId: p.robotId };
      const [direct, viaTeams, orgRole] = await Promise.all([
        this.db.repositoryPermission.findFirst({
          where: { repositoryId: repo.id, ...who },
          select: { role: true },
        }),
        this.db.repositoryPermission.findMany({
          where: { repositoryId: repo.id, team: { members: { some: who } } },
          select: { role: true },
        }),
        this.orgRole(p, repo.namespaceId),
      ]);
      if (orgRole === "admin") role = "admin";
      role = maxRole(role, direct?.role ?? null);
      for (const t of viaTeams) role = maxRole(role, t.role);
    }
    const cap = scopeCap(p);
    if (cap === undefined || role === null) return role;
    if (cap === null) return repo.visibility === "public" ? "read" : null;
    return RANK[role] <= RANK[cap] ? role : cap;
  }

  async repoAllows(p: Principal, repo: RepoRef, action: RepoAction): Promise<boolean> {
    return roleAllows(await this.repoRole(p, repo), action);
  }
}
