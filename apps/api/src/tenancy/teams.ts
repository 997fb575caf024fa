// Teams of an organization: roles, members (users are invited and join when they accept; robots join at
// once), and the views Quay's console shows. Every change that could leave an organization without an admin
// runs in a transaction that checks, before committing, that at least one user still holds the admin role.
import type { Db } from "../infra/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import type { AuthzService } from "../access/authz.js";
import { badInput, conflict, DomainError, notFound } from "../common/errors.js";
import { parseRobotName, robotFullName, TEAM_RE } from "./names.js";
import type { Principal } from "../access/principal.js";
import { randomToken } from "../access/secrets.js";
import type { NamespaceService } from "./namespaces.js";

type Tx = Prisma.TransactionClient;
export type TeamRoleName = "member" | "creator" | "admin";

export const LAST_ADMIN =
  "An organization must keep at least one admin: add another admin before removing this one";

async function adminUserIds(tx: Tx, namespaceId: bigint): Promise<bigint[]> {
  const rows = await tx.teamMember.findMany({
    where: { team: { namespaceId, role: "admin" }, userId: { not: null } },
    select: { userId: true },
    distinct: ["userId"],
  });
  return rows.map((r) => r.userId!);
}

export async function assertAdminsRemain(tx: Tx, namespaceId: bigint): Promise<void> {
  if (!(await adminUserIds(tx, namespaceId)).length) throw new DomainError("CONFLICT", LAST_ADMIN);
}

/** Names of the organizations where this user is the only admin. */
export async function orgsWhereLastAdmin(tx: Tx, userId: bigint): Promise<string[]> {
  const teams = await tx.team.findMany({
    where: { role: "admin", members: { some: { userId } } },
    select: { namespaceId: true, namespace: { select: { name: true } } },
  });
  const out = new Set<string>();
  for (const t of teams) {
    const admins = await adminUserIds(tx, t.namespaceId);
    if (admins.length === 1 && admins[0] === userId) out.add(t.namespace.name);
  }
  return [...out];
}

export class TeamService {
  constructor(
    private readonly db: Db,
    private readonly authz: AuthzService,
    private readonly namespaces: NamespaceService,
    private readonly uow: UnitOfWork,
  ) {}

  /** The organization, after checking the principal may do `action` there. */
  private org(p: Principal, orgName: string, action: "view" | "admin") {
    return this.namespaces.requireNamespace(p, orgName, action, "organization");
  }

  /** The team; pass the transaction when a change depends on what is read. */
  private async team(namespaceId: bigint, name: string, tx: Tx = this.db) {
    const t = await tx.team.findUnique({ where: { namespaceId_name: { namespaceId, name } } });
    if (!t) throw notFound(`Team ${name}`);
    return t;
  }

  async list(p: Principal, orgName: string) {
    const org = await this.org(p, orgName, "view");
    return this.db.team.findMany({ where: { namespaceId: org.id }, orderBy: { name: "asc" } });
  }

  async get(p: Principal, orgName: string, name: string) {
    const org = await this.org(p, orgName, "view");
    return this.team(org.id, name);
  }

  async create(
    p: Principal,
    orgName: string,
    input: { name: string; description?: string | null; role?: TeamRoleName | null },
    ip?: string | null,
  ) {
    const org = await this.org(p, orgName, "admin");
    if (!TEAM_RE.test(input.name))
      throw badInput("Invalid team name: must match ^[a-z][a-z0-9]{1,254}$ (lowercase letters and digits)");
    const by = { principal: p, namespaceId: org.id, ip };
    return this.uow
      .run(async (w) => {
        const team = await w.tx.team.create({
          data: {
            namespaceId: org.id,
            name: input.name,
            description: input.description ?? "",
            role: input.role ?? "member",
          },
        });
        w.audit("org_create_team", by, { team: team.name, role: team.role });
        return team;
      })
      .catch((e: { code?: string }) => {
        throw e.code === "P2002" ? conflict(`Team ${input.name} already exists`) : e;
      });
  }

  async update(
    p: Principal,
    orgName: string,
    name: string,
    input: { description?: string | null; role?: TeamRoleName | null },
    ip?: string | null,
  ) {
    const org = await this.org(p, orgName, "admin");
    return this.uow.run(async (w) => {
      const team = await this.team(org.id, name, w.tx);
      const updated = await w.tx.team.update({
        where: { id: team.id },
        data: {
          ...(input.description != null ? { description: input.description } : {}),
          ...(input.role ? { role: input.role } : {}),
        },
      });
      await assertAdminsRemain(w.tx, org.id);
      const by = { principal: p, namespaceId: org.id, ip };
      if (input.description != null && input.description !== team.description)
        w.audit("org_set_team_description", by, { team: name, description: input.description });
      if (input.role && input.role !== team.role)
        w.audit("org_set_team_role", by, { team: name, role: input.role });
      return updated;
    });
  }

  /** Quay's PUT of a team: changes it when it exists, creates it otherwise. */
  async save(
    p: Principal,
    orgName: string,
    name: string,
    input: { description?: string | null; role: TeamRoleName },
    ip?: string | null,
  ) {
    const org = await this.org(p, orgName, "admin");
    const exists = await this.db.team.findUnique({
      where: { namespaceId_name: { namespaceId: org.id, name } },
    });
    return exists
      ? { team: await this.update(p, orgName, name, input, ip), created: false }
      : { team: await this.create(p, orgName, { name, ...input }, ip), created: true };
  }

  async delete(p: Principal, orgName: string, name: string, ip?: string | null) {
    const org = await this.org(p, orgName, "admin");
    await this.uow.run(async (w) => {
      const team = await this.team(org.id, name, w.tx);
      await w.tx.team.delete({ where: { id: team.id } });
      await assertAdminsRemain(w.tx, org.id);
      w.audit("org_delete_team", { principal: p, namespaceId: org.id, ip }, { team: name });
    });
  }

  /** Members and pending invites of a team. */
  async members(p: Principal, orgName: string, name: string) {
    const org = await this.org(p, orgName, "view");
    const team = await this.team(org.id, name);
    const [members, invites] = await Promise.all([
      this.db.teamMember.findMany({
        where: { teamId: team.id },
        include: { user: true, robot: true },
        orderBy: { id: "asc" },
      }),
      this.db.teamInvite.findMany({
        where: { teamId: team.id },
        include: { user: true },
        orderBy: { id: "asc" },
      }),
    ]);
    return [
      ...members.map((m) =>
        m.user
          ? { kind: "user" as const, name: m.user.username, email: m.user.email, invited: false }
          : {
              kind: "robot" as const,
              name: robotFullName(org.name, m.robot!.name),
              email: null,
              invited: false,
            },
      ),
      ...invites.map((i) => ({
        kind: "user" as const,
        name: i.user?.username ?? i.email!,
        email: i.user?.email ?? i.email,
        invited: true,
      })),
    ];
  }

  /**
   * Adds `member`: a robot (`org+name`) joins at once; a user (username or e-mail) is invited and joins
   * when they accept. An e-mail that matches no user leaves an invitation for whoever signs up with it.
   */
  async addMember(p: Principal, orgName: string, name: string, member: string, ip?: string | null) {
    const org = await this.org(p, orgName, "admin");
    const team = await this.team(org.id, name);
    const m = member.trim();
    const by = { principal: p, namespaceId: org.id, ip };
    if (m.includes("+")) {
      const robotName = parseRobotName(m);
      if (!robotName) throw badInput("Robot names look like namespace+name");
      if (robotName.namespace !== org.name) throw badInput(`Only robots of ${org.name} can join its teams`);
      return this.uow.run(async (w) => {
        const robot = await w.tx.robot.findUnique({
          where: { namespaceId_name: { namespaceId: org.id, name: robotName.short } },
        });
        if (!robot) throw notFound(`Robot ${m}`);
        await w.tx.teamMember.createMany({
          data: [{ teamId: team.id, robotId: robot.id }],
          skipDuplicates: true,
        });
        w.audit("org_add_team_member", by, { team: name, member: m });
        return { kind: "robot" as const, name: m, email: null, invited: false };
      });
    }
    return this.uow.run(async (w) => {
      const { tx } = w;
      const user = await tx.user.findFirst({ where: m.includes("@") ? { email: m } : { username: m } });
      if (!user && !m.includes("@")) throw notFound(`User ${m}`);
      if (user && (await tx.teamMember.findFirst({ where: { teamId: team.id, userId: user.id } })))
        throw conflict(`${user.username} is already a member of ${name}`);
      const existing = await tx.teamInvite.findFirst({
        where: { teamId: team.id, ...(user ? { userId: user.id } : { email: m }) },
      });
      if (!existing) {
        const invite = await tx.teamInvite.create({
          data: {
            teamId: team.id,
            userId: user?.id ?? null,
            email: user ? null : m,
            inviterId: p.kind === "user" ? p.userId : null,
            token: randomToken(24),
          },
        });
        w.emit("team_invite_created", { inviteId: String(invite.id) }, null);
      }
      w.audit("org_invite_team_member", by, { team: name, member: user?.username ?? m });
      return { kind: "user" as const, name: user?.username ?? m, email: user?.email ?? m, invited: true };
    });
  }

  async removeMember(p: Principal, orgName: string, name: string, member: string, ip?: string | null) {
    const org = await this.org(p, orgName, "admin");
    const team = await this.team(org.id, name);
    const m = member.trim();
    await this.uow.run(async (w) => {
      const removed = await this.removeFrom(w.tx, org.id, team.id, m);
      if (!removed) throw notFound(`${m} in team ${name}`);
      w.audit(
        removed === "invite" ? "org_delete_team_member_invite" : "org_remove_team_member",
        { principal: p, namespaceId: org.id, ip },
        { team: name, member: m },
      );
    });
  }

  /** Removes a member (`org+robot`, username or e-mail) or their pending invite; what was removed, if any. */
  private async removeFrom(tx: Tx, namespaceId: bigint, teamId: bigint, m: string) {
    if (m.includes("+")) {
      const short = parseRobotName(m)?.short;
      if (!short) return null;
      const r = await tx.teamMember.deleteMany({ where: { teamId, robot: { name: short, namespaceId } } });
      return r.count ? "member" : null;
    }
    const user = await tx.user.findFirst({ where: m.includes("@") ? { email: m } : { username: m } });
    const invite = await tx.teamInvite.deleteMany({
      where: { teamId, OR: [{ email: m }, ...(user ? [{ userId: user.id }] : [])] },
    });
    if (invite.count) return "invite";
    if (!user) return null;
    const r = await tx.teamMember.deleteMany({ where: { teamId, userId: user.id } });
    if (r.count) await assertAdminsRemain(tx, namespaceId);
    return r.count ? "member" : null;
  }

  /**
   * Takes a user out of the organization: every team, pending invitation and direct permission on its
   * repositories (Quay's "remove member"), refused when that would leave no admin.
   */
  async removeFromOrganization(p: Principal, orgName: string, username: string, ip?: string | null) {
    const org = await this.org(p, orgName, "admin");
    await this.uow.run(async (w) => {
      const user = await w.tx.user.findUnique({ where: { username } });
      if (!user) throw notFound(`User ${username}`);
      const teams = await w.tx.team.findMany({
        where: { namespaceId: org.id, members: { some: { userId: user.id } } },
        select: { name: true },
      });
      const inTeams = {
        teamId: { in: (await w.tx.team.findMany({ where: { namespaceId: org.id } })).map((t) => t.id) },
      };
      await w.tx.teamMember.deleteMany({ where: { ...inTeams, userId: user.id } });
      await w.tx.teamInvite.deleteMany({
        where: { ...inTeams, OR: [{ userId: user.id }, { email: user.email }] },
      });
      const grants = await w.tx.repositoryPermission.deleteMany({
        where: { userId: user.id, repository: { namespaceId: org.id } },
      });
      if (!teams.length && !grants.count) throw notFound(`${username} in ${orgName}`);
      await assertAdminsRemain(w.tx, org.id);
      for (const t of teams)
        w.audit(
          "org_remove_team_member",
          { principal: p, namespaceId: org.id, ip },
          { team: t.name, member: username },
        );
    });
  }

  // ------------------------------------------------------------ invitations (the invitee's side)

  async invitationsFor(p: Principal) {
    if (p.kind !== "user") return [];
    const me = await this.db.user.findUniqueOrThrow({ where: { id: p.userId } });
    return this.db.teamInvite.findMany({
      where: { OR: [{ userId: me.id }, { email: me.email }] },
      include: { team: { include: { namespace: true } } },
      orderBy: { id: "asc" },
    });
  }

  private async myInvite(p: Principal, inviteId: bigint) {
    const u = this.authz.requireUser(p);
    const me = await this.db.user.findUniqueOrThrow({ where: { id: u.userId } });
    const inv = await this.db.teamInvite.findFirst({
      where: { id: inviteId, OR: [{ userId: me.id }, { email: me.email }] },
      include: { team: { include: { namespace: true } } },
    });
    if (!inv) throw notFound("Invitation");
    return { me, inv };
  }

  async acceptInvite(p: Principal, inviteId: bigint, ip?: string | null) {
    const { me, inv } = await this.myInvite(p, inviteId);
    await this.uow.run(async (w) => {
      await w.tx.teamMember.createMany({
        data: [{ teamId: inv.teamId, userId: me.id }],
        skipDuplicates: true,
      });
      await w.tx.teamInvite.delete({ where: { id: inv.id } });
      w.audit(
        "org_team_member_invite_accepted",
        { principal: p, namespaceId: inv.team.namespaceId, ip },
        { team: inv.team.name, member: me.username },
      );
    });
    return inv.team;
  }

  async declineInvite(p: Principal, inviteId: bigint, ip?: string | null) {
    const { me, inv } = await this.myInvite(p, inviteId);
    await this.uow.run(async (w) => {
      await w.tx.teamInvite.delete({ where: { id: inv.id } });
      w.audit(
        "org_team_member_invite_declined",
        { principal: p, namespaceId: inv.team.namespaceId, ip },
        { team: inv.team.name, member: me.username },
      );
    });
  }

  // ------------------------------------------------------------ organization-wide views

  /** Every user in a team of the organization, with their teams and their direct repository permissions. */
  async orgMembers(p: Principal, orgName: string) {
    const org = await this.org(p, orgName, "view");
    const rows = await this.db.teamMember.findMany({
      where: { team: { namespaceId: org.id }, userId: { not: null } },
      include: { user: true, team: { select: { name: true } } },
    });
    const byUser = new Map<bigint, { user: (typeof rows)[number]["user"] & {}; teams: string[] }>();
    for (const r of rows) {
      const e = byUser.get(r.userId!) ?? { user: r.user!, teams: [] };
      e.teams.push(r.team.name);
      byUser.set(r.userId!, e);
    }
    const perms = await this.db.repositoryPermission.findMany({
      where: { userId: { in: [...byUser.keys()] }, repository: { namespaceId: org.id } },
      include: { repository: { select: { name: true } } },
    });
    return [...byUser.values()]
      .map(({ user, teams }) => ({
        user,
        teams: teams.sort(),
        repositories: perms
          .filter((x) => x.userId === user.id)
          .map((x) => ({ repository: x.repository.name, role: x.role })),
      }))
      .sort((a, b) => a.user.username.localeCompare(b.user.username));
  }

  /** Users with direct permissions on the organization's repositories who are in none of its teams. */
  async collaborators(p: Principal, orgName: string) {
    const org = await this.org(p, orgName, "view");
    const perms = await this.db.repositoryPermission.findMany({
      where: {
        repository: { namespaceId: org.id },
        user: { teamMemberships: { none: { team: { namespaceId: org.id } } } },
      },
      include: { user: true, repository: { select: { name: true } } },
    });
    const byUser = new Map<
      bigint,
      {
        user: NonNullable<(typeof perms)[number]["user"]>;
        repositories: { repository: string; role: string }[];
      }
    >();
    for (const x of perms) {
      const e = byUser.get(x.userId!) ?? { user: x.user!, repositories: [] };
      e.repositories.push({ repository: x.repository.name, role: x.role });
      byUser.set(x.userId!, e);
    }
    return [...byUser.values()].sort((a, b) => a.user.username.localeCompare(b.user.username));
  }
}
