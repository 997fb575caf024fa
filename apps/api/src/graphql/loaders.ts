// Per-request DataLoaders: every list field that needs related data (roles, counts, stars) batches its
// lookups into one call of a domain service per field, so a page of N rows costs a fixed number of queries.
import DataLoader from "dataloader";
import type { Services } from "../app/services.js";
import type { RepoRef, RepoRole } from "../access/authz.js";
import type { Principal } from "../access/principal.js";
import type { SecuritySummary } from "../scanning/reports.js";

/** A loader over a batch method answering a map by id; ids it leaves out get `missing`. */
function byId<T>(load: (ids: bigint[]) => Promise<Map<bigint, T>>, missing: () => NoInfer<T>) {
  return new DataLoader<bigint, T, string>(
    async (ids) => {
      const m = await load([...ids]);
      return ids.map((id) => m.get(id) ?? missing());
    },
    { cacheKeyFn: String },
  );
}

const zero = () => 0;
const none = () => null;
const empty = <T>(): T[] => [];

export function createLoaders(s: Services, principal: Principal) {
  const { repoStats, tenancyStats: tenancy } = s;
  return {
    repoRole: new DataLoader<RepoRef, RepoRole | null, string>(
      async (repos) => {
        const roles = await s.authz.repoRoles(principal, [...repos]);
        return repos.map((r) => roles.get(r.id) ?? null);
      },
      { cacheKeyFn: (r) => String(r.id) },
    ),
    orgRole: byId((ids) => s.authz.orgRoles(principal, ids), none),
    starCount: byId((ids) => repoStats.starCounts(ids), zero),
    starredByViewer: byId(
      async (ids) => (principal.kind === "user" ? repoStats.starredBy(principal.userId, ids) : new Map()),
      () => false,
    ),
    popularity: byId((ids) => repoStats.popularity(ids), zero),
    lastModified: byId<Date | null>((ids) => repoStats.lastModified(ids), none),
    repositorySize: byId(
      (ids) => s.quota.repositorySizes(ids),
      () => 0n,
    ),
    securitySummary: new DataLoader<string, SecuritySummary | null>(async (digests) => {
      const m = await s.security.summaries(digests);
      return digests.map((d) => m.get(d) ?? null);
    }),
    teamMemberCount: byId((ids) => tenancy.counts("teamMembers", ids), zero),
    teamInviteCount: byId((ids) => tenancy.counts("teamInvites", ids), zero),
    teamRepositoryCount: byId((ids) => tenancy.counts("teamRepositories", ids), zero),
    namespaceRepositoryCount: byId((ids) => tenancy.counts("namespaceRepositories", ids), zero),
    namespaceTeamCount: byId((ids) => tenancy.counts("namespaceTeams", ids), zero),
    namespaceRobotCount: byId((ids) => tenancy.counts("namespaceRobots", ids), zero),
    namespaceMemberCount: byId((ids) => tenancy.namespaceMemberCounts(ids), zero),
    robotTeams: byId((ids) => tenancy.robotTeams(ids), empty),
    robotPermissions: byId((ids) => tenancy.robotPermissions(ids), empty),
    teamPermissions: byId((ids) => tenancy.teamPermissions(ids), empty),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
