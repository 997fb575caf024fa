// Repository permissions (user, team or robot → read/write/admin) and organization default permissions
// ("prototypes" in Quay), which RepositoryService applies whenever a repository is created.
import type { Db } from "../infra/database.js";
import type { Caller, RepositoryRef, UnitOfWork, Work } from "../events/unit-of-work.js";
import type { NamespaceService } from "../tenancy/namespaces.js";
import { parseRobotName, robotFullName } from "../tenancy/names.js";
import type { AuthzService, RepoRole } from "./authz.js";
import { badInput, conflict, notFound } from "../common/errors.js";
import { ANONYMOUS, type Principal } from "./principal.js";
import type { RepositoryService } from "../content/repositories.js";

export type GranteeKind = "user" | "team" | "robot";
export interface GranteeRef {
  kind: GranteeKind;
  name: string;
}
type GranteeColumn = { userId: bigint } | { teamId: bigint } | { robotId: bigint };

const ROLES = new Set(["read", "write", "admin"]);
const checkRole = (role: string): RepoRole => {
  if (!ROLES.has(role)) throw badInput("Role must be read, write or admin");
  return role as RepoRole;
};

export class PermissionService {
  constructor(
    private readonly db: Db,
    private readonly authz: AuthzService,
    private readonly repos: RepositoryService,
    private readonly namespaces: NamespaceService,
    private readonly uow: UnitOfWork,
  ) {}

  /**
   * Finds the grantee within the rules of the namespace: teams and robots must belong to it (robots of a
   * user namespace belong to that user).
   */
  async resolveGrantee(namespaceId: bigint, g: GranteeRef): Promise<GranteeColumn> {
    if (g.kind === "user") {
      const u = await this.db.user.findUnique({ where: { username: g.name } });
      if (!u) throw notFound(`User ${g.name}`);
      return { userId: u.id };
    }
    if (g.kind === "team") {
      const t = await this.db.team.findUnique({ where: { namespaceId_name: { namespaceId, name: g.name } } });
      if (!t) throw notFound(`Team ${g.name}`);
      return { teamId: t.id };
    }
    const parsed = parseRobotName(g.name);
    const robot = parsed
      ? await this.db.robot.findFirst({
          where: { name: parsed.short, namespace: { name: parsed.namespace } },
        })
      : null;
    if (!robot) throw notFound(`Robot ${g.name}`);
    if (robot.namespaceId !== namespaceId) throw badInput(`Robot ${g.name} belongs to another namespace`);
    return { robotId: robot.id };
  }

  private async adminRepo(p: Principal, namespace: string, name: string) {
    const repo = await this.repos.find(`${namespace}/${name}`);
    if (!repo) throw notFound(`Repository ${namespace}/${name}`);
    await this.authz.requireRepo(p, repo, "admin");
    return repo;
  }

  async list(p: Principal, namespace: string, name: string) {
    const repo = await this.adminRepo(p, namespace, name);
    const rows = await this.db.repositoryPermission.findMany({
      where: { repositoryId: repo.id },
      include: { user: true, team: true, robot: true },
      orderBy: { id: "asc" },
    });
    const userIds = rows.flatMap((r) => (r.userId ? [r.userId] : []));
    const inOrg =
      repo.namespace.kind === "organization" && userIds.length
        ? new Set(
            (
              await this.db.teamMember.findMany({
                where: { userId: { in: userIds }, team: { namespaceId: repo.namespaceId } },
                select: { userId: true },
              })
            ).map((m) => m.userId),
          )
        : null;
    return rows.map((r) => ({
      kind: (r.user ? "user" : r.team ? "team" : "robot") as GranteeKind,
      name: r.user?.username ?? r.team?.name ?? robotFullName(repo.namespace.name, r.robot!.name),
      email: r.user?.email ?? null,
      role: r.role,
      /** In a team of the repository's organization (robots of it always are); null outside organizations. */
      orgMember: inOrg === null ? null : r.robotId !== null || inOrg.has(r.userId),
    }));
  }

  /**
   * The role a user or robot holds on the repository through every source (own namespace, organization
   * admin teams, direct and team permissions), public visibility aside; null when none.
   */
  async effectiveRole(p: Principal, namespace: string, name: string, grantee: GranteeRef) {
    const repo = await this.adminRepo(p, namespace, name);
    const column = await this.resolveGrantee(repo.namespaceId, grantee);
    const holder: Principal =
      "userId" in column
        ? await this.db.user.findUniqueOrThrow({ where: { id: column.userId } }).then((u) => ({
            kind: "user",
            userId: u.id,
            username: u.username,
            namespaceId: u.namespaceId,
            superuser: false,
          }))
        : "robotId" in column
          ? await this.db.robot
              .findUniqueOrThrow({ where: { id: column.robotId }, include: { namespace: true } })
              .then((r) => ({
                kind: "robot",
                robotId: r.id,
                name: r.name,
                namespaceId: r.namespaceId,
                namespace: r.namespace.name,
              }))
          : ANONYMOUS;
    return this.authz.repoRole(holder, { ...repo, visibility: "private" });
  }

  async set(
    p: Principal,
    namespace: string,
    name: string,
    grantee: GranteeRef,
    role: string,
    ip?: string | null,
  ) {
    const repo = await this.adminRepo(p, namespace, name);
    const checked = checkRole(role);
    const column = await this.resolveGrantee(repo.namespaceId, grantee);
    await this.uow.run((w) => this.setOn(w, { principal: p, ip }, repo, grantee, column, checked));
  }

  /** Grants `role` (or changes the role held) in the unit of work; nothing when it is already held. */
  private async setOn(
    w: Work,
    by: Caller,
    repo: RepositoryRef,
    grantee: GranteeRef,
    column: GranteeColumn,
    role: RepoRole,
  ) {
    const prior = await w.tx.repositoryPermission.findFirst({ where: { repositoryId: repo.id, ...column } });
    if (prior?.role === role) return;
    if (prior) await w.tx.repositoryPermission.update({ where: { id: prior.id }, data: { role } });
    else await w.tx.repositoryPermission.create({ data: { repositoryId: repo.id, role, ...column } });
    w.auditRepo(prior ? "change_repo_permission" : "add_repo_permission", by, repo, {
      [grantee.kind]: grantee.name,
      role,
    });
  }

  async remove(p: Principal, namespace: string, name: string, grantee: GranteeRef, ip?: string | null) {
    const repo = await this.adminRepo(p, namespace, name);
    const column = await this.resolveGrantee(repo.namespaceId, grantee);
    await this.uow.run(async (w) => {
      if (!(await this.removeOn(w, { principal: p, ip }, repo, grantee, column)))
        throw notFound(`Permission for ${grantee.name}`);
    });
  }

  /** Removes the grantee's permission in the unit of work; false when there was none. */
  private async removeOn(
    w: Work,
    by: Caller,
    repo: RepositoryRef,
    grantee: GranteeRef,
    column: GranteeColumn,
  ): Promise<boolean> {
    const r = await w.tx.repositoryPermission.deleteMany({ where: { repositoryId: repo.id, ...column } });
    if (r.count) w.auditRepo("delete_repo_permission", by, repo, { [grantee.kind]: grantee.name });
    return r.count > 0;
  }

  /** One grantee across many repositories of a namespace at once (role null removes the permission). */
  async setMany(
    p: Principal,
    namespace: string,
    repositories: string[],
    grantee: GranteeRef,
    role: string | null,
    ip?: string | null,
  ): Promise<number> {
    if (repositories.length > 500) throw badInput("At most 500 repositories at once");
    const checked = role === null ? null : checkRole(role);
    const repos: RepositoryRef[] = [];
    for (const name of new Set(repositories)) repos.push(await this.adminRepo(p, namespace, name));
    if (!repos.length) return 0;
    // Every repository is in `namespace`: the grantee resolves once, and all the changes commit together.
    const column = await this.resolveGrantee(repos[0]!.namespaceId, grantee);
    const by = { principal: p, ip };
    await this.uow.run(async (w) => {
      for (const repo of repos) {
        if (checked) await this.setOn(w, by, repo, grantee, column, checked);
        else await this.removeOn(w, by, repo, grantee, column);
      }
    });
    return repos.length;
  }

  /** Repository permissions held by a robot or team (for their detail views). */
  async heldBy(namespaceId: bigint, column: GranteeColumn) {
    const rows = await this.db.repositoryPermission.findMany({
      where: { ...column, repository: { namespaceId } },
      include: { repository: { select: { name: true } } },
      orderBy: { repository: { name: "asc" } },
    });
    return rows.map((r) => ({ repository: r.repository.name, role: r.role }));
  }

  // ------------------------------------------------------------ default permissions

  private adminOrg(p: Principal, org: string) {
    return this.namespaces.requireNamespace(p, org, "admin", "organization");
  }

  async listDefaults(p: Principal, org: string) {
    const ns = await this.adminOrg(p, org);
    const rows = await this.db.defaultPermission.findMany({
      where: { namespaceId: ns.id },
      orderBy: { id: "asc" },
    });
    const ids = (k: "creatorUserId" | "delegateUserId" | "delegateTeamId" | "delegateRobotId") =>
      rows.map((r) => r[k]).filter((x): x is bigint => x !== null);
    const [users, teams, robots] = await Promise.all([
      this.db.user.findMany({ where: { id: { in: [...ids("creatorUserId"), ...ids("delegateUserId")] } } }),
      this.db.team.findMany({ where: { id: { in: ids("delegateTeamId") } } }),
      this.db.robot.findMany({ where: { id: { in: ids("delegateRobotId") } } }),
    ]);
    const uname = (id: bigint | null) => users.find((u) => u.id === id)?.username ?? null;
    return rows.map((r) => ({
      id: r.id,
      creator: uname(r.creatorUserId),
      delegate: r.delegateUserId
        ? { kind: "user" as GranteeKind, name: uname(r.delegateUserId)! }
        : r.delegateTeamId
          ? { kind: "team" as GranteeKind, name: teams.find((t) => t.id === r.delegateTeamId)!.name }
          : {
              kind: "robot" as GranteeKind,
              name: robotFullName(ns.name, robots.find((x) => x.id === r.delegateRobotId)!.name),
            },
      role: r.role,
    }));
  }

  async createDefault(
    p: Principal,
    org: string,
    input: { creator?: string | null; delegate: GranteeRef; role: string },
    ip?: string | null,
  ) {
    const ns = await this.adminOrg(p, org);
    const role = checkRole(input.role);
    let creatorUserId: bigint | null = null;
    if (input.creator) {
      const u = await this.db.user.findUnique({ where: { username: input.creator } });
      if (!u) throw notFound(`User ${input.creator}`);
      creatorUserId = u.id;
    }
    const column = await this.resolveGrantee(ns.id, input.delegate);
    const delegate = {
      delegateUserId: "userId" in column ? column.userId : null,
      delegateTeamId: "teamId" in column ? column.teamId : null,
      delegateRobotId: "robotId" in column ? column.robotId : null,
    };
    return this.uow.run(async (w) => {
      const same = { namespaceId: ns.id, creatorUserId, ...delegate };
      if (await w.tx.defaultPermission.findFirst({ where: same }))
        throw conflict("A default permission for this creator and delegate already exists");
      const row = await w.tx.defaultPermission.create({ data: { ...same, role } });
      w.audit(
        "create_prototype_permission",
        { principal: p, namespaceId: ns.id, ip },
        { activating_user: input.creator ?? null, delegate: input.delegate, role },
      );
      return row;
    });
  }

  async updateDefault(p: Principal, org: string, id: bigint, role: string, ip?: string | null) {
    const ns = await this.adminOrg(p, org);
    const checked = checkRole(role);
    await this.uow.run(async (w) => {
      const r = await w.tx.defaultPermission.updateMany({
        where: { id, namespaceId: ns.id },
        data: { role: checked },
      });
      if (!r.count) throw notFound("Default permission");
      w.audit(
        "modify_prototype_permission",
        { principal: p, namespaceId: ns.id, ip },
        { id: String(id), role },
      );
    });
  }

  async deleteDefault(p: Principal, org: string, id: bigint, ip?: string | null) {
    const ns = await this.adminOrg(p, org);
    await this.uow.run(async (w) => {
      const r = await w.tx.defaultPermission.deleteMany({ where: { id, namespaceId: ns.id } });
      if (!r.count) throw notFound("Default permission");
      w.audit("delete_prototype_permission", { principal: p, namespaceId: ns.id, ip }, { id: String(id) });
    });
  }
}
