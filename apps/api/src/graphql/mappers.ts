// Rows from the services → GraphQL objects. Internal ids ride along for field resolvers.
import type { RepositoryRow } from "../content/repositories.js";
import { avatar, type RoleName, type TeamRole, type Visibility } from "./types/common.js";
import type { Organization, Repository, Robot, Team, UserAccount, Viewer } from "./types/tenancy.js";

/** Seconds → the compact form users chose it in (2w, 1d, 0s). */
export function durationName(seconds: number): string {
  for (const [unit, n] of [
    ["w", 604800],
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
  ] as const)
    if (seconds > 0 && seconds % n === 0) return `${seconds / n}${unit}`;
  return `${seconds}s`;
}

interface UserRow {
  id: bigint;
  namespaceId: bigint;
  username: string;
  email: string;
  superuser: boolean;
  enabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

export const toUserAccount = (u: UserRow, superuser = u.superuser): UserAccount => ({
  id: u.id,
  username: u.username,
  email: u.email,
  avatar: avatar(u.username, u.email, "user"),
  superuser,
  enabled: u.enabled,
  createdAt: u.createdAt,
  lastLoginAt: u.lastLoginAt,
});

export const toViewer = (
  u: UserRow & { emailVerified: boolean; namespace: { timeMachineSeconds: number } },
  superuser: boolean,
): Viewer => ({
  id: u.id,
  namespaceId: u.namespaceId,
  username: u.username,
  email: u.email,
  emailVerified: u.emailVerified,
  avatar: avatar(u.username, u.email, "user"),
  superuser,
  createdAt: u.createdAt,
  lastLoginAt: u.lastLoginAt,
  timeMachine: durationName(u.namespace.timeMachineSeconds),
});

export const toOrganization = (ns: {
  id: bigint;
  name: string;
  email: string | null;
  timeMachineSeconds: number;
  createdAt: Date;
}): Organization => ({
  id: ns.id,
  name: ns.name,
  email: ns.email,
  avatar: avatar(ns.name, ns.email, "org"),
  timeMachine: durationName(ns.timeMachineSeconds),
  createdAt: ns.createdAt,
});

export const toTeam = (
  t: { id: bigint; namespaceId: bigint; name: string; description: string; role: string },
  organizationName: string,
): Team => ({
  id: t.id,
  namespaceId: t.namespaceId,
  organizationName,
  name: t.name,
  description: t.description,
  role: t.role as TeamRole,
  avatar: avatar(t.name, t.name, "team"),
});

export const toRobot = (r: {
  id: bigint;
  namespaceId: bigint;
  name: string;
  fullName: string;
  description: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}): Robot => ({
  id: r.id,
  namespaceId: r.namespaceId,
  name: r.fullName,
  shortName: r.name,
  description: r.description,
  avatar: avatar(r.fullName, r.fullName, "robot"),
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
});

export const toRepository = (
  r: Pick<
    RepositoryRow,
    "id" | "namespaceId" | "name" | "description" | "visibility" | "kind" | "state" | "createdAt"
  > & {
    namespaceName: string;
    namespaceKind: string;
  },
): Repository => ({
  id: r.id,
  namespaceId: r.namespaceId,
  namespace: r.namespaceName,
  name: r.name,
  fullName: `${r.namespaceName}/${r.name}`,
  description: r.description,
  visibility: r.visibility as Visibility,
  kind: r.kind,
  state: r.state,
  isOrganization: r.namespaceKind === "organization",
  createdAt: r.createdAt,
});

/** A repository row from Prisma (with its namespace included) → GraphQL. */
export const repositoryFromModel = (r: {
  id: bigint;
  namespaceId: bigint;
  name: string;
  description: string;
  visibility: string;
  kind: string;
  state: string;
  createdAt: Date;
  namespace: { name: string; kind: string };
}) =>
  toRepository({
    ...r,
    visibility: r.visibility as "public" | "private",
    namespaceName: r.namespace.name,
    namespaceKind: r.namespace.kind,
  });

export const asRole = (r: string) => r as RoleName;
