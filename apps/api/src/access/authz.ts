// The one authorization service: "may principal P do action A on resource R", answered here for every door
// (GraphQL, /v2 token issuance, workers). Repository roles come from: namespace ownership, organization admin
// teams, direct permissions, team permissions, and public visibility. OAuth scopes narrow at the end.
// The same rules as SQL predicates (readableReposSql, involvedReposSql) serve the lists.
import type { Db } from "../infra/database.js";
import { Prisma } from "../generated/prisma/client.js";
import { DomainError, forbidden } from "../common/errors.js";
import type { Principal } from "./principal.js";

export type RepoRole = "read" | "write" | "admin";
export type RepoAction = "read" | "write" | "admin";
/** view: see the namespace's teams and members; create_repo; admin: teams, robots, settings, default perms. */
export type NamespaceAction = "create_repo" | "admin" | "view";
export type OrgRole = "member" | "creator" | "admin";

export const OAUTH_SCOPES = [
  "repo:read",
  "repo:write",
  "repo:admin",
  "repo:create",
  "user:read",
  "user:admin",
  "org:admin",
  "super:user",
] as const;
export type OAuthScope = (typeof OAUTH_SCOPES)[number];

const RANK: Record<RepoRole, number> = { read: 1, write: 2, admin: 3 };
/** The one order of repository roles: read < write < admin. */
export const roleRank = (role: RepoRole): number => RANK[role];
export const maxRole = (a: RepoRole | null, b: RepoRole | null): RepoRole | null =>
  !a ? b : !b ? a : RANK[a] >= RANK[b] ? a : b;
export const roleAllows = (role: RepoRole | null, action: RepoAction) =>
  role !== null && RANK[role] >= RANK[action];

/** Scope implications, as in Quay: a token with the key holds the values too. */
const IMPLIED: Partial<Record<OAuthScope, OAuthScope[]>> = {
  "repo:admin": ["repo:write", "repo:read"],
  "repo:write": ["repo:read"],
  "user:admin": ["user:read"],
};

/** Whether a token's granted scopes hold `needed`, directly or by implication. */
export const scopesHold = (held: readonly string[], needed: OAuthScope): boolean =>
  held.some((s) => s === needed || (IMPLIED[s as OAuthScope] ?? []).includes(needed));

/** Unscoped callers (sessions, passwords) hold every scope; OAuth tokens only those granted. */
export const hasScope = (p: Principal, scope: OAuthScope) =>
  p.kind === "user" && (!p.scopes || scopesHold(p.scopes, scope));

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

type Member = Exclude<Principal, { kind: "anonymous" }>;

/** SQL: the row of `alias` (a RepositoryPermission or TeamMember) names this user or robot. */
const holds = (p: Member, alias: "rp" | "tm") =>
  p.kind === "user"
    ? Prisma.sql`${Prisma.raw(alias)}."userId" = ${p.userId}`
    : Prisma.sql`${Prisma.raw(alias)}."robotId" = ${p.robotId}`;

/** The sources of a role below public visibility, as SQL over `r` (Repository) and `n` (its Namespace). */
function roleSourcesSql(p: Member, orgTeams: "admin" | "any"): Prisma.Sql[] {
  const teamRole = orgTeams === "admin" ? Prisma.sql`AND t.role = 'admin'` : Prisma.empty;
  return [
    ...(p.kind === "user" ? [Prisma.sql`n.id = ${p.namespaceId}`] : []),
    Prisma.sql`EXISTS (SELECT 1 FROM "Team" t JOIN "TeamMember" tm ON tm."teamId" = t.id
      WHERE t."namespaceId" = n.id ${teamRole} AND ${holds(p, "tm")})`,
    Prisma.sql`EXISTS (SELECT 1 FROM "RepositoryPermission" rp
      WHERE rp."repositoryId" = r.id AND ${holds(p, "rp")})`,
    Prisma.sql`EXISTS (SELECT 1 FROM "RepositoryPermission" rp JOIN "TeamMember" tm ON tm."teamId" = rp."teamId"
      WHERE rp."repositoryId" = r.id AND ${holds(p, "tm")})`,
  ];
}

const highestOrgRole = (roles: string[]): OrgRole | null =>
  roles.includes("admin") ? "admin" : roles.includes("creator") ? "creator" : roles.length ? "member" : null;

export class AuthzService {
  constructor(private readonly db: Db) {}

  private who(p: Exclude<Principal, { kind: "anonymous" }>) {
    return p.kind === "user" ? { userId: p.userId } : { robotId: p.robotId };
  }

  /** The team role the principal holds in each of the given organization namespaces (highest across teams). */
  async orgRoles(p: Principal, namespaceIds: bigint[]): Promise<Map<bigint, OrgRole | null>> {
    const out = new Map<bigint, OrgRole | null>(namespaceIds.map((id) => [id, null]));
    if (p.kind === "anonymous" || !namespaceIds.length) return out;
    const memberships = await this.db.teamMember.findMany({
      where: { team: { namespaceId: { in: namespaceIds } }, ...this.who(p) },
      select: { team: { select: { role: true, namespaceId: true } } },
    });
    for (const id of namespaceIds) {
      out.set(
        id,
        highestOrgRole(memberships.filter((m) => m.team.namespaceId === id).map((m) => m.team.role)),
      );
    }
    return out;
  }

  async orgRole(p: Principal, namespaceId: bigint): Promise<OrgRole | null> {
    return (await this.orgRoles(p, [namespaceId])).get(namespaceId) ?? null;
  }

  async namespaceAllows(p: Principal, namespaceId: bigint, action: NamespaceAction): Promise<boolean> {
    if (p.kind === "anonymous") return false;
    if (p.kind === "user" && p.scopes) {
      // Administering one's own namespace (its robots, settings) is user:admin, as in Quay; others' is org:admin.
      const admin = p.namespaceId === namespaceId ? "user:admin" : "org:admin";
      const needed = { create_repo: "repo:create", admin, view: null }[action];
      if (needed && !p.scopes.includes(needed)) return false;
    }
    if (p.kind === "user" && p.namespaceId === namespaceId) return true;
    const role = await this.orgRole(p, namespaceId);
    if (action === "view") return role !== null;
    if (action === "create_repo") return role === "creator" || role === "admin";
    return role === "admin" && p.kind === "user"; // robots never administer organizations
  }

  /** Effective roles on many repositories at once (three queries whatever the count). */
  async repoRoles(p: Principal, repos: RepoRef[]): Promise<Map<bigint, RepoRole | null>> {
    const out = new Map<bigint, RepoRole | null>();
    for (const r of repos) out.set(r.id, r.visibility === "public" ? "read" : null);
    if (p.kind === "anonymous" || !repos.length) return out;
    const who = this.who(p);
    const ids = repos.map((r) => r.id);
    const [direct, viaTeams, orgRoles] = await Promise.all([
      this.db.repositoryPermission.findMany({
        where: { repositoryId: { in: ids }, ...who },
        select: { repositoryId: true, role: true },
      }),
      this.db.repositoryPermission.findMany({
        where: { repositoryId: { in: ids }, team: { members: { some: who } } },
        select: { repositoryId: true, role: true },
      }),
      this.orgRoles(p, [...new Set(repos.map((r) => r.namespaceId))]),
    ]);
    const cap = scopeCap(p);
    for (const r of repos) {
      let role: RepoRole | null = out.get(r.id) ?? null;
      if ((p.kind === "user" && p.namespaceId === r.namespaceId) || orgRoles.get(r.namespaceId) === "admin")
        role = "admin";
      for (const g of [...direct, ...viaTeams]) if (g.repositoryId === r.id) role = maxRole(role, g.role);
      if (cap !== undefined && role !== null) {
        role =
          cap === null ? (r.visibility === "public" ? "read" : null) : RANK[role] <= RANK[cap] ? role : cap;
      }
      out.set(r.id, role);
    }
    return out;
  }

  /**
   * repoRoles as a SQL predicate for lists (`_catalog`, the repository list), over `r` (Repository) and `n`
   * (its Namespace): true exactly when the principal's role on the repository is not null.
   */
  readableReposSql(p: Principal): Prisma.Sql {
    const isPublic = Prisma.sql`r.visibility = 'public'`;
    // An OAuth token without a repo scope reads public repositories only, whatever its user could.
    if (p.kind === "anonymous" || scopeCap(p) === null) return isPublic;
    return Prisma.sql`(${Prisma.join([isPublic, ...roleSourcesSql(p, "admin")], " OR ")})`;
  }

  /**
   * SQL predicate: the repository is the principal's own business, not merely public: in their namespace,
   * in an organization where they are in a team, or granted to them directly or through a team.
   */
  involvedReposSql(p: Principal): Prisma.Sql {
    if (p.kind === "anonymous") return Prisma.sql`FALSE`;
    return Prisma.sql`(${Prisma.join(roleSourcesSql(p, "any"), " OR ")})`;
  }

  /** The effective role on a repository, or null. Public repositories give everyone read. */
  async repoRole(p: Principal, repo: RepoRef): Promise<RepoRole | null> {
    return (await this.repoRoles(p, [repo])).get(repo.id) ?? null;
  }

  async repoAllows(p: Principal, repo: RepoRef, action: RepoAction): Promise<boolean> {
    return roleAllows(await this.repoRole(p, repo), action);
  }

  // The require* forms throw the error each door maps to its own format.

  async requireRepo(p: Principal, repo: RepoRef, action: RepoAction): Promise<void> {
    if (!(await this.repoAllows(p, repo, action))) throw this.denied(p);
  }

  async requireNamespace(p: Principal, namespaceId: bigint, action: NamespaceAction): Promise<void> {
    if (!(await this.namespaceAllows(p, namespaceId, action))) throw this.denied(p);
  }

  requireUser(p: Principal, scope?: OAuthScope): Extract<Principal, { kind: "user" }> {
    if (p.kind !== "user") throw new DomainError("UNAUTHENTICATED", "You must be signed in");
    if (scope && !hasScope(p, scope)) throw forbidden(`This token lacks the ${scope} scope`);
    return p;
  }

  requireSuperuser(p: Principal): Extract<Principal, { kind: "user" }> {
    const u = this.requireUser(p, "super:user");
    if (!u.superuser) throw forbidden("Only superusers may do this");
    return u;
  }

  private denied(p: Principal) {
    return p.kind === "anonymous" ? new DomainError("UNAUTHENTICATED", "You must be signed in") : forbidden();
  }
}
