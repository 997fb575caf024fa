// Teams of an organization: roles, members (users are invited and join when they accept; robots join at
// once), and the views Quay's console shows. Every change that could leave an organization without an admin
// runs in a transaction that checks, before committing, that at least one user still holds the admin role.
import type { Db } from "../infra/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { AuditService } from "../audit/writer.js";
import type { AuthzService } from "../access/authz.js";
import { badInput, conflict, DomainError, notFound } from "../common/errors.js";
import { TEAM_RE } from "./names.js";
import type { Principal } from "../access/principal.js";
import { randomToken } from "../access/secrets.js";
import type { OrganizationService } from "./organizations.js";

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
    private readonly orgs: OrganizationService,
    private readonly audit: AuditService,
  ) {}

  /** The organization, after checking the principal may do `action` there. */
  private async org(p: Principal, orgName: string, action: "view" | "admin") {
    const org = await this.orgs.get(orgName);
    await this.authz.requireNamespace(p, org.id, action);
    return org;
  }

  private async team(namespaceId: bigint, name: string) {
    const t = await this.db.team.findUnique({ where: { namespaceId_name: { namespaceId, name } } });
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
    const team = await this.db.team
      .create({
        data: {
          namespaceId: org.id,
          name: input.name,
          description: input.description ?? "",
          role: input.role ?? "member",
        },
      })
      .catch((e: { code?: string }) => {
        throw e.code === "P2002" ? conflict(`Team ${input.name} already exists`) : e;
      });
    await this.audit.record({
      kind: "org_create_team",
      principal: p,
      namespaceId: org.id,
      ip,
      metadata: { team: team.name, role: team.role },
    });
    return team;
  }

  async update(
    p: Principal,
    orgName: string,
    name: string,
    input: { description?: string | null; role?: TeamRoleName | null },
    ip?: string | null,
  ) {
    const org = await this.org(p, orgName, "admin");
    const team = await this.team(org.id, name);
    const updated = await this.db.$transaction(async (tx) => {
      const t = await tx.team.update({
        where: { id: team.id },
        data: {
          ...(input.description != null ? { description: input.description } : {}),
          ...(input.role ? { role: input.role } : {}),
        },
      });
      await assertAdminsRemain(tx, org.id);
      return t;
    });
    if (input.description != null && input.description !== team.description)
      await this.audit.record({
        kind: "org_set_team_description",
        principal: p,
        namespaceId: org.id,
        ip,
        metadata: { team: name, description: input.description },
      });
    if (input.role && input.role !== team.role)
      await this.audit.record({
        kind: "org_set_team_role",
        principal: p,
        namespaceId: org.id,
        ip,
        metadata: { team: name, role: input.role },
      });
    return updated;
  }

  async delete(p: Principal, orgName: string, name: string, ip?: string | null) {
    const org = await this.org(p, orgName, "admin");
    const team = await this.team(org.id, name);
    await this.db.$transaction(async (tx) => {
      await tx.team.delete({ where: { id: team.id } });
      await assertAdminsRemain(tx, org.id);
    });
    await this.audit.record({
      kind: "org_delete_team",
      principal: p,
      namespaceId: org.id,
      ip,
      metadata: { team: name },
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
          : { kind: "robot" as const, name: `${org.name}+${m.robot!.name}`, email: null, invited: false },
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
    if (m.includes("+")) {
      const [ns, short] = m.split("+", 2);
      if (ns !== org.name) throw badInput(`Only robots of ${org.name} can join its teams`);
      const robot = await this.db.robot.findUnique({
        where: { namespaceId_name: { namespaceId: org.id, name: short! } },
      });
      if (!robot) throw notFound(`Robot ${m}`);
      await this.db.teamMember.createMany({
        data: [{ teamId: team.id, robotId: robot.id }],
        skipDuplicates: true,
      });
      await this.audit.record({
        kind: "org_add_team_member",
        principal: p,
        namespaceId: org.id,
        ip,
        metadata: { team: name, member: m },
      });
      return { kind: "robot" as const, name: m, email: null, invited: false };
    }
    const user = await this.db.user.findFirst({ where: m.includes("@") ? { email: m } : { username: m } });
    if (!user && !m.includes("@")) throw notFound(`User ${m}`);
    if (user && (await this.db.teamMember.findFirst({ where: { teamId: team.id, userId: user.id } })))
      throw conflict(`${user.username} is already a member of ${name}`);
    const existing = await this.db.teamInvite.findFirst({
      where: { teamId: team.id, ...(user ? { userId: user.id } : { email: m }) },
    });
    if (!existing) {
      await this.db.teamInvite.create({
        data: {
          teamId: team.id,
          userId: user?.id ?? null,
          email: user ? null : m,
          inviterId: p.kind === "user" ? p.userId : null,
          token: randomToken(24),
        },
      });
    }
    await this.audit.record({
      kind: "org_invite_team_member",
      principal: p,
      namespaceId: org.id,
      ip,
      metadata: { team: name, member: user?.username ?? m },
    });
    return { kind: "user" as const, name: user?.username ?? m, email: user?.email ?? m, invited: true };
  }

  async removeMember(p: Principal, orgName: string, name: string, member: string, ip?: string | null) {
    const org = await this.org(p, orgName, "admin");
    const team = await this.team(org.id, name);
    const m = member.trim();
    const removed = await this.db.$transaction(async (tx) => {
      if (m.includes("+")) {
        const short = m.split("+", 2)[1]!;
        const r = await tx.teamMember.deleteMany({
          where: { teamId: team.id, robot: { name: short, namespaceId: org.id } },
        });
        return r.count ? "member" : null;
      }
      const user = await tx.user.findFirst({ where: m.includes("@") ? { email: m } : { username: m } });
      const invite = await tx.teamInvite.deleteMany({
        where: { teamId: team.id, OR: [{ email: m }, ...(user ? [{ userId: user.id }] : [])] },
      });
      if (invite.count) return "invite";
      if (!user) return null;
      const r = await tx.teamMember.deleteMany({ where: { teamId: team.id, userId: user.id } });
      if (r.count) await assertAdminsRemain(tx, org.id);
      return r.count ? "member" : null;
    });
    if (!removed) throw notFound(`${m} in team ${name}`);
    await this.audit.record({
      kind: removed === "invite" ? "org_delete_team_member_invite" : "org_remove_team_member",
      principal: p,
      namespaceId: org.id,
      ip,
      metadata: { team: name, member: m },
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
    await this.db.$transaction([
      this.db.teamMember.createMany({ data: [{ teamId: inv.teamId, userId: me.id }], skipDuplicates: true }),
      this.db.teamInvite.delete({ where: { id: inv.id } }),
    ]);
    await this.audit.record({
      kind: "org_team_member_invite_accepted",
      principal: p,
      namespaceId: inv.team.namespaceId,
      ip,
      metadata: { team: inv.team.name, member: me.username },
    });
    return inv.team;
  }

  async declineInvite(p: Principal, inviteId: bigint, ip?: string | null) {
    const { me, inv } = await this.myInvite(p, inviteId);
    await this.db.teamInvite.delete({ where: { id: inv.id } });
    await this.audit.record({
      kind: "org_team_member_invite_declined",
      principal: p,
      namespaceId: inv.team.namespaceId,
      ip,
      metadata: { team: inv.team.name, member: me.username },
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
