// Figures shown beside teams, organizations and robots in lists (counts, a robot's teams, the repository roles
// of a robot or team), each read for many ids in one query; ids missing from an answer have none.
import type { Db } from "../infra/database.js";
import { Prisma } from "../generated/prisma/client.js";
import type { RepoRole } from "../access/authz.js";

/** What `counts` counts: the table, and the id column its rows are grouped by (fixed names, never input). */
const COUNTED = {
  teamMembers: ["TeamMember", "teamId"],
  teamInvites: ["TeamInvite", "teamId"],
  teamRepositories: ["RepositoryPermission", "teamId"],
  namespaceRepositories: ["Repository", "namespaceId"],
  namespaceTeams: ["Team", "namespaceId"],
  namespaceRobots: ["Robot", "namespaceId"],
} as const;
export type Counted = keyof typeof COUNTED;

export interface RepositoryGrant {
  repository: string;
  role: RepoRole;
  public: boolean;
}

function grouped<T>(rows: { id: bigint; value: T }[]): Map<bigint, T[]> {
  const out = new Map<bigint, T[]>();
  for (const r of rows) {
    const list = out.get(r.id);
    if (list) list.push(r.value);
    else out.set(r.id, [r.value]);
  }
  return out;
}

export class TenancyStats {
  constructor(private readonly db: Db) {}

  /** How many team members, invites, repositories, teams or robots each team or namespace has. */
  async counts(what: Counted, ids: bigint[]): Promise<Map<bigint, number>> {
    const [table, column] = COUNTED[what];
    const col = Prisma.raw(`"${column}"`);
    const rows = await this.db.$queryRaw<{ id: bigint; n: number }[]>`
      SELECT ${col} AS id, count(*)::int AS n FROM ${Prisma.raw(`"${table}"`)}
      WHERE ${col} = ANY(${ids}::bigint[]) GROUP BY 1`;
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  /** Distinct users in any team of each organization. */
  async namespaceMemberCounts(namespaceIds: bigint[]): Promise<Map<bigint, number>> {
    const rows = await this.db.$queryRaw<{ id: bigint; n: number }[]>`
      SELECT t."namespaceId" AS id, count(DISTINCT tm."userId")::int AS n
      FROM "TeamMember" tm JOIN "Team" t ON t.id = tm."teamId"
      WHERE t."namespaceId" = ANY(${namespaceIds}::bigint[]) GROUP BY 1`;
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  /** The names of the teams each robot belongs to. */
  async robotTeams(robotIds: bigint[]): Promise<Map<bigint, string[]>> {
    const rows = await this.db.teamMember.findMany({
      where: { robotId: { in: robotIds } },
      select: { robotId: true, team: { select: { name: true } } },
    });
    return grouped(rows.map((r) => ({ id: r.robotId!, value: r.team.name })));
  }

  robotPermissions(robotIds: bigint[]) {
    return this.grantsBy("robotId", robotIds);
  }

  teamPermissions(teamIds: bigint[]) {
    return this.grantsBy("teamId", teamIds);
  }

  /** The repository roles granted to each robot or team. */
  private async grantsBy(
    holder: "robotId" | "teamId",
    ids: bigint[],
  ): Promise<Map<bigint, RepositoryGrant[]>> {
    const rows = await this.db.repositoryPermission.findMany({
      where: { [holder]: { in: ids } },
      select: {
        robotId: true,
        teamId: true,
        role: true,
        repository: { select: { name: true, visibility: true } },
      },
      orderBy: { repository: { name: "asc" } },
    });
    return grouped(
      rows.map((r) => ({
        id: r[holder]!,
        value: { repository: r.repository.name, role: r.role, public: r.repository.visibility === "public" },
      })),
    );
  }
}
