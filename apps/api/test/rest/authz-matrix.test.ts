// The REST permission matrix: every route, as every kind of caller, with the access this file expects of it
// (written here, not read from the route table), plus a token that lacks the route's published scope.
// Callers below the level are refused (401 without a token; 403, or 404 for what they may not even see);
// callers at or above it get through. A route missing from the matrix fails the matrix.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { OAUTH_SCOPES, scopesHold, type OAuthScope } from "../../src/access/authz.js";
import { REST_ROUTES } from "../../src/rest/routes/index.js";
import { RegistryClient } from "../registry-client.js";
import { Rest, RestWorld } from "./client.js";

// Builds are on with no build worker here: a started build stays queued, no buildah runs.
const w = RestWorld.forFile({
  FEATURE_QUOTA_MANAGEMENT: "true",
  FEATURE_SECURITY_SCANNER: "true",
  FEATURE_BUILD_SUPPORT: "true",
  BUILD_WORKERS: "0",
  FEATURE_PROXY_CACHE: "true",
  FEATURE_REPO_MIRROR: "true",
});

type Who = "anon" | "outsider" | "member" | "reader" | "writer" | "repoAdmin" | "orgAdmin" | "superuser";
const EVERYONE: Who[] = [
  "anon",
  "outsider",
  "member",
  "reader",
  "writer",
  "repoAdmin",
  "orgAdmin",
  "superuser",
];
/** Who gets through at each level; everyone else is refused. */
const LEVELS = {
  anyone: EVERYONE,
  user: EVERYONE.filter((x) => x !== "anon"),
  repoRead: ["reader", "writer", "repoAdmin", "orgAdmin"],
  repoWrite: ["writer", "repoAdmin", "orgAdmin"],
  repoAdmin: ["repoAdmin", "orgAdmin"],
  orgMember: ["member", "orgAdmin"],
  orgAdmin: ["orgAdmin"],
  /** Superusers may delete any organization, from the panel or here. */
  orgAdminOrSuperuser: ["orgAdmin", "superuser"],
  /** An organization's quota is read by its members and by superusers. */
  orgMemberOrSuperuser: ["member", "orgAdmin", "superuser"],
  superuser: ["superuser"],
} satisfies Record<string, Who[]>;
type Level = keyof typeof LEVELS;

interface Ctx {
  org: string;
  repo: string;
  digest: string;
  labelId: string;
  clientId: string;
  prototypeId: string;
  /** The organization's quota and one of its limits. */
  quotaId: string;
  limitId: string;
  users: Record<Exclude<Who, "anon">, { name: string; password: string }>;
  /** A name no other call of the run uses. */
  fresh(base: string): string;
  /** A repository of the organization with the same grants as `repo`. */
  freshRepo(): Promise<string>;
}

interface Entry {
  level: Level;
  req: (c: Ctx, who: Who) => [method: string, path: string, body?: unknown];
  /** What the call needs to exist first (run once per entry). */
  prepare?: (c: Ctx) => Promise<Partial<Ctx> & Record<string, string>>;
  /** Only the least-privileged allowed caller makes the call (it changes what the others would meet). */
  once?: boolean;
  /** Allowed callers may still meet 400/404 (they act on their own, possibly absent, things). */
  ownThings?: boolean;
}

const MATRIX: Record<string, Entry> = {
  // ------------------------------------------------------------ the user's own things
  getLoggedInUser: { level: "user", req: () => ["GET", "/user/"] },
  getUserInformation: { level: "anyone", req: (c) => ["GET", `/users/${c.users.outsider.name}`] },
  listStarredRepos: { level: "user", req: () => ["GET", "/user/starred"] },
  createStar: {
    level: "user",
    ownThings: true,
    req: (c) => ["POST", "/user/starred", { namespace: c.org, repository: "app" }],
  },
  deleteStar: { level: "user", ownThings: true, req: (c) => ["DELETE", `/user/starred/${c.repo}`] },
  listAppTokens: { level: "user", req: () => ["GET", "/user/apptoken"] },
  createAppToken: { level: "user", req: () => ["POST", "/user/apptoken", { title: "t" }] },
  getAppToken: { level: "user", ownThings: true, req: () => ["GET", "/user/apptoken/1"] },
  revokeAppToken: { level: "user", ownThings: true, req: () => ["DELETE", "/user/apptoken/999999"] },
  getUserRobots: { level: "user", req: () => ["GET", "/user/robots"] },
  getUserRobot: { level: "user", ownThings: true, req: () => ["GET", "/user/robots/nosuch"] },
  createUserRobot: { level: "user", req: (c) => ["PUT", `/user/robots/${c.fresh("r")}`] },
  deleteUserRobot: { level: "user", ownThings: true, req: () => ["DELETE", "/user/robots/nosuch"] },
  getUserRobotPermissions: {
    level: "user",
    ownThings: true,
    req: () => ["GET", "/user/robots/nosuch/permissions"],
  },
  regenerateUserRobotToken: {
    level: "user",
    ownThings: true,
    req: () => ["POST", "/user/robots/nosuch/regenerate"],
  },
  listUserLogs: { level: "user", req: () => ["GET", "/user/logs"] },
  getAggregateUserLogs: { level: "user", req: () => ["GET", "/user/aggregatelogs"] },
  createOrganization: { level: "user", req: (c) => ["POST", "/organization/", { name: c.fresh("neworg") }] },
  // ------------------------------------------------------------ organizations
  getOrganization: { level: "anyone", req: (c) => ["GET", `/organization/${c.org}`] },
  changeOrganizationDetails: {
    level: "orgAdmin",
    req: (c) => ["PUT", `/organization/${c.org}`, { tag_expiration_s: 1209600 }],
  },
  deleteAdminedOrganization: {
    level: "orgAdminOrSuperuser",
    once: true,
    prepare: async (c) => {
      const name = c.fresh("doomed");
      await w.sys.services.orgs.create(await w.principal(c.users.orgAdmin.name, c.users.orgAdmin.password), {
        name,
      });
      return { doomed: name };
    },
    req: (c) => ["DELETE", `/organization/${(c as Ctx & { doomed: string }).doomed}`],
  },
  getOrganizationMembers: { level: "orgMember", req: (c) => ["GET", `/organization/${c.org}/members`] },
  getOrganizationMember: {
    level: "orgMember",
    req: (c) => ["GET", `/organization/${c.org}/members/${c.users.member.name}`],
  },
  removeOrganizationMember: {
    level: "orgAdmin",
    once: true,
    prepare: async (c) => {
      const x = await w.user("leaver");
      await w.sys.services.permissions.set(
        await orgAdmin(c),
        c.org,
        "app",
        { kind: "user", name: x.name },
        "read",
      );
      return { leaver: x.name };
    },
    req: (c) => ["DELETE", `/organization/${c.org}/members/${(c as Ctx & { leaver: string }).leaver}`],
  },
  getOrganizationCollaborators: {
    level: "orgAdmin",
    req: (c) => ["GET", `/organization/${c.org}/collaborators`],
  },
  getOrganizationApplications: {
    level: "orgAdmin",
    req: (c) => ["GET", `/organization/${c.org}/applications`],
  },
  createOrganizationApplication: {
    level: "orgAdmin",
    req: (c) => ["POST", `/organization/${c.org}/applications`, { name: "a" }],
  },
  getOrganizationApplication: {
    level: "orgAdmin",
    req: (c) => ["GET", `/organization/${c.org}/applications/${c.clientId}`],
  },
  updateOrganizationApplication: {
    level: "orgAdmin",
    req: (c) => ["PUT", `/organization/${c.org}/applications/${c.clientId}`, { description: "d" }],
  },
  deleteOrganizationApplication: {
    level: "orgAdmin",
    once: true,
    prepare: async (c) => ({
      victim: (await w.sys.services.oauth.createApplication(await orgAdmin(c), c.org, { name: "victim" })).app
        .clientId,
    }),
    req: (c) => ["DELETE", `/organization/${c.org}/applications/${(c as Ctx & { victim: string }).victim}`],
  },
  resetOrganizationApplicationClientSecret: {
    level: "orgAdmin",
    req: (c) => ["POST", `/organization/${c.org}/applications/${c.clientId}/resetclientsecret`],
  },
  getApplicationInformation: { level: "anyone", req: (c) => ["GET", `/app/${c.clientId}`] },
  getOrgRobots: { level: "orgAdmin", req: (c) => ["GET", `/organization/${c.org}/robots`] },
  getOrgRobot: { level: "orgAdmin", req: (c) => ["GET", `/organization/${c.org}/robots/bot`] },
  createOrgRobot: { level: "orgAdmin", req: (c) => ["PUT", `/organization/${c.org}/robots/${c.fresh("r")}`] },
  deleteOrgRobot: {
    level: "orgAdmin",
    once: true,
    prepare: async (c) => {
      await w.sys.services.robots.createAs(await orgAdmin(c), c.org, "victim");
      return {};
    },
    req: (c) => ["DELETE", `/organization/${c.org}/robots/victim`],
  },
  getOrgRobotPermissions: {
    level: "orgAdmin",
    req: (c) => ["GET", `/organization/${c.org}/robots/bot/permissions`],
  },
  regenerateOrgRobotToken: {
    level: "orgAdmin",
    req: (c) => ["POST", `/organization/${c.org}/robots/bot/regenerate`],
  },
  listOrgLogs: { level: "orgAdmin", req: (c) => ["GET", `/organization/${c.org}/logs`] },
  getAggregateOrgLogs: { level: "orgAdmin", req: (c) => ["GET", `/organization/${c.org}/aggregatelogs`] },
  // ------------------------------------------------------------ teams and default permissions
  updateOrganizationTeam: {
    level: "orgAdmin",
    req: (c) => ["PUT", `/organization/${c.org}/team/devs`, { role: "member" }],
  },
  deleteOrganizationTeam: {
    level: "orgAdmin",
    once: true,
    prepare: async (c) => {
      await w.sys.services.teams.create(await orgAdmin(c), c.org, { name: "victims" });
      return {};
    },
    req: (c) => ["DELETE", `/organization/${c.org}/team/victims`],
  },
  getOrganizationTeamMembers: {
    level: "orgMember",
    req: (c) => ["GET", `/organization/${c.org}/team/devs/members`],
  },
  updateOrganizationTeamMember: {
    level: "orgAdmin",
    req: (c) => ["PUT", `/organization/${c.org}/team/devs/members/${c.org}+bot`],
  },
  deleteOrganizationTeamMember: {
    level: "orgAdmin",
    once: true,
    prepare: async (c) => {
      await w.sys.services.teams.addMember(await orgAdmin(c), c.org, "devs", `${c.org}+bot`);
      return {};
    },
    req: (c) => ["DELETE", `/organization/${c.org}/team/devs/members/${c.org}+bot`],
  },
  inviteTeamMemberEmail: {
    level: "orgAdmin",
    req: (c) => ["PUT", `/organization/${c.org}/team/devs/invite/x@example.com`],
  },
  deleteTeamMemberEmailInvite: {
    level: "orgAdmin",
    once: true,
    prepare: async (c) => {
      await w.sys.services.teams.addMember(await orgAdmin(c), c.org, "devs", "gone@example.com");
      return {};
    },
    req: (c) => ["DELETE", `/organization/${c.org}/team/devs/invite/gone@example.com`],
  },
  getOrganizationTeamPermissions: {
    level: "orgMember",
    req: (c) => ["GET", `/organization/${c.org}/team/devs/permissions`],
  },
  getOrganizationPrototypePermissions: {
    level: "orgAdmin",
    req: (c) => ["GET", `/organization/${c.org}/prototypes`],
  },
  createOrganizationPrototypePermission: {
    level: "orgAdmin",
    once: true,
    req: (c) => [
      "POST",
      `/organization/${c.org}/prototypes`,
      { role: "read", delegate: { kind: "user", name: c.users.reader.name } },
    ],
  },
  updateOrganizationPrototypePermission: {
    level: "orgAdmin",
    req: (c) => ["PUT", `/organization/${c.org}/prototypes/${c.prototypeId}`, { role: "read" }],
  },
  deleteOrganizationPrototypePermission: {
    level: "orgAdmin",
    once: true,
    prepare: async (c) => {
      const row = await w.sys.services.permissions.createDefault(await orgAdmin(c), c.org, {
        delegate: { kind: "user", name: c.users.writer.name },
        role: "write",
      });
      return { victim: String(row.id) };
    },
    req: (c) => ["DELETE", `/organization/${c.org}/prototypes/${(c as Ctx & { victim: string }).victim}`],
  },
  // ------------------------------------------------------------ repositories
  listRepos: { level: "anyone", req: (c) => ["GET", `/repository?namespace=${c.org}&public=true`] },
  createRepo: {
    level: "orgAdmin",
    req: (c) => [
      "POST",
      "/repository",
      { namespace: c.org, repository: c.fresh("new"), visibility: "private" },
    ],
  },
  getRepo: { level: "repoRead", req: (c) => ["GET", `/repository/${c.repo}`] },
  updateRepo: { level: "repoWrite", req: (c) => ["PUT", `/repository/${c.repo}`, { description: "d" }] },
  deleteRepository: {
    level: "repoAdmin",
    once: true,
    prepare: async (c) => ({ victim: await c.freshRepo() }),
    req: (c) => ["DELETE", `/repository/${(c as Ctx & { victim: string }).victim}`],
  },
  changeRepoVisibility: {
    level: "repoAdmin",
    req: (c) => ["POST", `/repository/${c.repo}/changevisibility`, { visibility: "private" }],
  },
  listRepoUserPermissions: {
    level: "repoAdmin",
    req: (c) => ["GET", `/repository/${c.repo}/permissions/user/`],
  },
  getUserPermissions: {
    level: "repoAdmin",
    req: (c) => ["GET", `/repository/${c.repo}/permissions/user/${c.users.reader.name}`],
  },
  getUserTransitivePermission: {
    level: "repoAdmin",
    req: (c) => ["GET", `/repository/${c.repo}/permissions/user/${c.users.reader.name}/transitive`],
  },
  changeUserPermissions: {
    level: "repoAdmin",
    req: (c) => ["PUT", `/repository/${c.repo}/permissions/user/${c.users.reader.name}`, { role: "read" }],
  },
  deleteUserPermissions: {
    level: "repoAdmin",
    once: true,
    prepare: async (c) => ({ victim: await c.freshRepo() }),
    req: (c) => [
      "DELETE",
      `/repository/${(c as Ctx & { victim: string }).victim}/permissions/user/${c.users.reader.name}`,
    ],
  },
  listRepoTeamPermissions: {
    level: "repoAdmin",
    req: (c) => ["GET", `/repository/${c.repo}/permissions/team/`],
  },
  getTeamPermissions: {
    level: "repoAdmin",
    req: (c) => ["GET", `/repository/${c.repo}/permissions/team/devs`],
  },
  changeTeamPermissions: {
    level: "repoAdmin",
    req: (c) => ["PUT", `/repository/${c.repo}/permissions/team/devs`, { role: "read" }],
  },
  deleteTeamPermissions: {
    level: "repoAdmin",
    once: true,
    prepare: async (c) => ({ victim: await c.freshRepo() }),
    req: (c) => ["DELETE", `/repository/${(c as Ctx & { victim: string }).victim}/permissions/team/devs`],
  },
  listRepoTags: { level: "repoRead", req: (c) => ["GET", `/repository/${c.repo}/tag/`] },
  changeTag: {
    level: "repoWrite",
    req: (c) => ["PUT", `/repository/${c.repo}/tag/moved`, { manifest_digest: c.digest }],
  },
  deleteFullTag: {
    level: "repoWrite",
    once: true,
    prepare: async (c) => {
      await w.sys.services.tagCommands.setTag(await orgAdmin(c), c.repo, "doomed", c.digest);
      return {};
    },
    req: (c) => ["DELETE", `/repository/${c.repo}/tag/doomed`],
  },
  restoreTag: {
    level: "repoWrite",
    once: true,
    prepare: async (c) => {
      const p = await orgAdmin(c);
      await w.sys.services.tagCommands.setTag(p, c.repo, "undone", c.digest);
      await w.sys.services.tagCommands.deleteTags(p, c.repo, ["undone"]);
      return {};
    },
    req: (c) => ["POST", `/repository/${c.repo}/tag/undone/restore`, { manifest_digest: c.digest }],
  },
  getRepoManifest: { level: "repoRead", req: (c) => ["GET", `/repository/${c.repo}/manifest/${c.digest}`] },
  getRepoManifestSecurity: {
    level: "repoRead",
    req: (c) => ["GET", `/repository/${c.repo}/manifest/${c.digest}/security?vulnerabilities=true`],
  },
  listManifestLabels: {
    level: "repoRead",
    req: (c) => ["GET", `/repository/${c.repo}/manifest/${c.digest}/labels`],
  },
  addManifestLabel: {
    level: "repoWrite",
    req: (c) => ["POST", `/repository/${c.repo}/manifest/${c.digest}/labels`, { key: "k", value: "v" }],
  },
  getManifestLabel: {
    level: "repoRead",
    req: (c) => ["GET", `/repository/${c.repo}/manifest/${c.digest}/labels/${c.labelId}`],
  },
  deleteManifestLabel: {
    level: "repoWrite",
    once: true,
    prepare: async (c) => ({
      victim: String((await w.sys.services.labels.add(await orgAdmin(c), c.repo, c.digest, "gone=yes")).id),
    }),
    req: (c) => [
      "DELETE",
      `/repository/${c.repo}/manifest/${c.digest}/labels/${(c as Ctx & { victim: string }).victim}`,
    ],
  },
  listRepoLogs: { level: "repoAdmin", req: (c) => ["GET", `/repository/${c.repo}/logs`] },
  getAggregateRepoLogs: { level: "repoAdmin", req: (c) => ["GET", `/repository/${c.repo}/aggregatelogs`] },
  // ------------------------------------------------------------ superuser
  listAllLogs: { level: "superuser", req: () => ["GET", "/superuser/logs"] },
  listAllAggregateLogs: { level: "superuser", req: () => ["GET", "/superuser/aggregatelogs"] },
  listAllUsers: { level: "superuser", req: () => ["GET", "/superuser/users/?limit=5"] },
  createInstallUser: {
    level: "superuser",
    req: (c) => {
      const name = c.fresh("made");
      return ["POST", "/superuser/users/", { username: name, email: `${name}@example.com` }];
    },
  },
  getInstallUser: { level: "superuser", req: (c) => ["GET", `/superuser/users/${c.users.outsider.name}`] },
  changeInstallUser: {
    level: "superuser",
    req: (c) => ["PUT", `/superuser/users/${c.users.outsider.name}`, { enabled: true }],
  },
  deleteInstallUser: {
    level: "superuser",
    once: true,
    prepare: async () => ({ victim: (await w.user("deleted")).name }),
    req: (c) => ["DELETE", `/superuser/users/${(c as Ctx & { victim: string }).victim}`],
  },
  listAllOrganizations: { level: "superuser", req: () => ["GET", "/superuser/organizations/?limit=5"] },
  changeOrganization: { level: "superuser", req: (c) => ["PUT", `/superuser/organizations/${c.org}`, {}] },
  deleteOrganization: {
    level: "superuser",
    once: true,
    prepare: async (c) => {
      const name = c.fresh("sudoomed");
      await w.sys.services.orgs.create(await orgAdmin(c), { name });
      return { victim: name };
    },
    req: (c) => ["DELETE", `/superuser/organizations/${(c as Ctx & { victim: string }).victim}`],
  },
  // ------------------------------------------------------------ quota (seed 001 ch. 14)
  listOrganizationQuota: {
    level: "orgMemberOrSuperuser",
    req: (c) => ["GET", `/organization/${c.org}/quota`],
  },
  getOrganizationQuota: {
    level: "orgMemberOrSuperuser",
    req: (c) => ["GET", `/organization/${c.org}/quota/${c.quotaId}`],
  },
  listOrganizationQuotaLimit: {
    level: "orgMemberOrSuperuser",
    req: (c) => ["GET", `/organization/${c.org}/quota/${c.quotaId}/limit`],
  },
  getOrganizationQuotaLimit: {
    level: "orgMemberOrSuperuser",
    req: (c) => ["GET", `/organization/${c.org}/quota/${c.quotaId}/limit/${c.limitId}`],
  },
  createOrganizationQuota: {
    level: "superuser",
    prepare: async (c) => ({ victim: await freshOrg(c) }),
    req: (c) => ["POST", `/organization/${victim(c)}/quota`, { limit_bytes: 2 ** 30 }],
  },
  changeOrganizationQuota: {
    level: "superuser",
    req: (c) => ["PUT", `/organization/${c.org}/quota/${c.quotaId}`, { limit_bytes: 2 * 2 ** 30 }],
  },
  deleteOrganizationQuota: {
    level: "superuser",
    prepare: async (c) => withQuota(await freshOrg(c)),
    req: (c) => ["DELETE", `/organization/${victim(c)}/quota/${(c as Ctx & { qid: string }).qid}`],
  },
  createOrganizationQuotaLimit: {
    level: "superuser",
    req: (c) => [
      "POST",
      `/organization/${c.org}/quota/${c.quotaId}/limit`,
      { type: "Warning", threshold_percent: 50 },
    ],
  },
  changeOrganizationQuotaLimit: {
    level: "superuser",
    req: (c) => [
      "PUT",
      `/organization/${c.org}/quota/${c.quotaId}/limit/${c.limitId}`,
      { threshold_percent: 85 },
    ],
  },
  deleteOrganizationQuotaLimit: {
    level: "superuser",
    prepare: async (c) => {
      const q = await withQuota(await freshOrg(c));
      const l = await w.sys.services.quota.addLimit(await su(), q.victim, BigInt(q.qid), "Warning", 70);
      return { ...q, lid: String(l.id) };
    },
    req: (c) => {
      const v = c as Ctx & { victim: string; qid: string; lid: string };
      return ["DELETE", `/organization/${v.victim}/quota/${v.qid}/limit/${v.lid}`];
    },
  },
  // A user reads their own quota; ids of a quota they do not have are 404.
  listUserQuota: { level: "user", req: () => ["GET", "/user/quota"] },
  getUserQuota: { level: "user", ownThings: true, req: (c) => ["GET", `/user/quota/${c.quotaId}`] },
  listUserQuotaLimit: {
    level: "user",
    ownThings: true,
    req: (c) => ["GET", `/user/quota/${c.quotaId}/limit`],
  },
  getUserQuotaLimit: {
    level: "user",
    ownThings: true,
    req: (c) => ["GET", `/user/quota/${c.quotaId}/limit/${c.limitId}`],
  },
  listOrganizationQuotaSuperUser: {
    level: "superuser",
    req: (c) => ["GET", `/superuser/organization/${c.org}/quota`],
  },
  createOrganizationQuotaSuperUser: {
    level: "superuser",
    prepare: async (c) => ({ victim: await freshOrg(c) }),
    req: (c) => ["POST", `/superuser/organization/${victim(c)}/quota`, { limit: "3 GiB" }],
  },
  changeOrganizationQuotaSuperUser: {
    level: "superuser",
    req: (c) => ["PUT", `/superuser/organization/${c.org}/quota/${c.quotaId}`, { limit_bytes: 3 * 2 ** 30 }],
  },
  deleteOrganizationQuotaSuperUser: {
    level: "superuser",
    prepare: async (c) => withQuota(await freshOrg(c)),
    req: (c) => ["DELETE", `/superuser/organization/${victim(c)}/quota/${(c as Ctx & { qid: string }).qid}`],
  },
  listUserQuotaSuperUser: {
    level: "superuser",
    req: (c) => ["GET", `/superuser/users/${c.users.outsider.name}/quota`],
  },
  createUserQuotaSuperUser: {
    level: "superuser",
    prepare: async () => ({ victim: (await w.user("quotaed")).name }),
    req: (c) => ["POST", `/superuser/users/${victim(c)}/quota`, { limit_bytes: 2 ** 30 }],
  },
  changeUserQuotaSuperUser: {
    level: "superuser",
    prepare: async () => withQuota((await w.user("requotaed")).name),
    req: (c) => [
      "PUT",
      `/superuser/users/${victim(c)}/quota/${(c as Ctx & { qid: string }).qid}`,
      { limit_bytes: 2 * 2 ** 30 },
    ],
  },
  deleteUserQuotaSuperUser: {
    level: "superuser",
    prepare: async () => withQuota((await w.user("unquotaed")).name),
    req: (c) => ["DELETE", `/superuser/users/${victim(c)}/quota/${(c as Ctx & { qid: string }).qid}`],
  },
  // ------------------------------------------------------------ notifications (seed 004)
  listRepoNotifications: { level: "repoAdmin", req: (c) => ["GET", `/repository/${c.repo}/notification/`] },
  createRepoNotification: {
    level: "repoAdmin",
    req: (c) => [
      "POST",
      `/repository/${c.repo}/notification/`,
      { event: "repo_push", method: "quay_notification", config: { target: { kind: "org", name: c.org } } },
    ],
  },
  getRepoNotification: {
    level: "repoAdmin",
    prepare: async (c) => ({ nid: await notification(c) }),
    req: (c) => ["GET", `/repository/${c.repo}/notification/${nid(c)}`],
  },
  deleteRepoNotification: {
    level: "repoAdmin",
    once: true,
    prepare: async (c) => ({ nid: await notification(c) }),
    req: (c) => ["DELETE", `/repository/${c.repo}/notification/${nid(c)}`],
  },
  resetRepositoryNotificationFailures: {
    level: "repoAdmin",
    prepare: async (c) => ({ nid: await notification(c) }),
    req: (c) => ["POST", `/repository/${c.repo}/notification/${nid(c)}`],
  },
  testRepoNotification: {
    level: "repoAdmin",
    prepare: async (c) => ({ nid: await notification(c) }),
    req: (c) => ["POST", `/repository/${c.repo}/notification/${nid(c)}/test`],
  },
  // No address was asked for (404), and mailing is off here (400): callers who get through meet those.
  checkRepoEmailAuthorized: {
    level: "repoAdmin",
    ownThings: true,
    req: (c) => ["GET", `/repository/${c.repo}/authorizedemail/a@example.com`],
  },
  sendAuthorizeRepoEmail: {
    level: "repoAdmin",
    ownThings: true,
    req: (c) => ["POST", `/repository/${c.repo}/authorizedemail/a@example.com`],
  },
  listUserNotifications: { level: "user", req: () => ["GET", "/user/notifications"] },
  getUserNotification: {
    level: "user",
    ownThings: true,
    req: () => ["GET", "/user/notifications/00000000-0000-0000-0000-000000000000"],
  },
  updateUserNotification: {
    level: "user",
    ownThings: true,
    req: () => ["PUT", "/user/notifications/00000000-0000-0000-0000-000000000000", { dismissed: true }],
  },
  // ------------------------------------------------------------ builds and triggers (issue 19)
  getFiledropUrl: { level: "user", req: () => ["POST", "/filedrop/", { mimeType: "application/gzip" }] },
  getRepoBuilds: { level: "repoRead", req: (c) => ["GET", `/repository/${c.repo}/build/`] },
  requestRepoBuild: {
    level: "repoWrite",
    req: (c) => ["POST", `/repository/${c.repo}/build/`, { archive_url: "http://127.0.0.1:9/ctx.tar.gz" }],
  },
  getRepoBuild: {
    level: "repoRead",
    prepare: async (c) => ({ bid: await build(c) }),
    req: (c) => ["GET", `/repository/${c.repo}/build/${bid(c)}`],
  },
  getRepoBuildStatus: {
    level: "repoRead",
    prepare: async (c) => ({ bid: await build(c) }),
    req: (c) => ["GET", `/repository/${c.repo}/build/${bid(c)}/status`],
  },
  getRepoBuildLogs: {
    level: "repoRead",
    prepare: async (c) => ({ bid: await build(c) }),
    req: (c) => ["GET", `/repository/${c.repo}/build/${bid(c)}/logs`],
  },
  cancelRepoBuild: {
    level: "repoWrite",
    once: true,
    prepare: async (c) => ({ bid: await build(c) }),
    req: (c) => ["DELETE", `/repository/${c.repo}/build/${bid(c)}`],
  },
  listBuildTriggers: { level: "repoAdmin", req: (c) => ["GET", `/repository/${c.repo}/trigger/`] },
  createBuildTrigger: {
    level: "repoAdmin",
    req: (c) => ["POST", `/repository/${c.repo}/trigger/`, { service: "custom-git" }],
  },
  getBuildTrigger: {
    level: "repoAdmin",
    prepare: async (c) => ({ tid: await trigger(c) }),
    req: (c) => ["GET", `/repository/${c.repo}/trigger/${tid(c)}`],
  },
  updateBuildTrigger: {
    level: "repoAdmin",
    prepare: async (c) => ({ tid: await trigger(c) }),
    req: (c) => ["PUT", `/repository/${c.repo}/trigger/${tid(c)}`, { enabled: true }],
  },
  activateBuildTrigger: {
    level: "repoAdmin",
    prepare: async (c) => ({ tid: await trigger(c, false) }),
    req: (c) => [
      "POST",
      `/repository/${c.repo}/trigger/${tid(c)}/activate`,
      { config: { build_source: "git@git.example.com:team/app.git", dockerfile_path: "/Dockerfile" } },
    ],
  },
  deleteBuildTrigger: {
    level: "repoAdmin",
    once: true,
    prepare: async (c) => ({ tid: await trigger(c) }),
    req: (c) => ["DELETE", `/repository/${c.repo}/trigger/${tid(c)}`],
  },
  // Once: the same commit twice would be refused as already building.
  manuallyStartBuildTrigger: {
    level: "repoWrite",
    once: true,
    prepare: async (c) => ({ tid: await trigger(c) }),
    req: (c) => ["POST", `/repository/${c.repo}/trigger/${tid(c)}/start`, { commit_sha: "1c002dd" }],
  },
  listTriggerRecentBuilds: {
    level: "repoRead",
    prepare: async (c) => ({ tid: await trigger(c) }),
    req: (c) => ["GET", `/repository/${c.repo}/trigger/${tid(c)}/builds`],
  },
  // ------------------------------------------------------------ proxy cache (issue 20)
  getProxyCacheConfig: { level: "orgMember", req: (c) => ["GET", `/organization/${c.org}/proxycache`] },
  // Fresh organizations: a proxy cache refuses pushes, which the shared organization takes for other entries.
  createProxyCacheConfig: {
    level: "orgAdmin",
    once: true,
    prepare: async (c) => ({ porg: await freshOrg(c) }),
    req: (c) => ["POST", `/organization/${porg(c)}/proxycache`, { upstream_registry: "127.0.0.1:9/library" }],
  },
  deleteProxyCacheConfig: {
    level: "orgAdmin",
    once: true,
    prepare: async (c) => {
      const name = await freshOrg(c);
      await w.sys.services.proxyCache.create(await orgAdmin(c), name, { upstreamRegistry: "127.0.0.1:9" });
      return { porg: name };
    },
    req: (c) => ["DELETE", `/organization/${porg(c)}/proxycache`],
  },
  // The test system as the upstream: its /v2/ wants a token, so the answer is 202 "Anonymous".
  validateProxyCacheConfig: {
    level: "orgAdmin",
    prepare: async (c) => ({ porg: await freshOrg(c) }),
    req: (c) => [
      "POST",
      `/organization/${porg(c)}/validateproxycache`,
      { upstream_registry: w.sys.host, insecure: true },
    ],
  },
  // ------------------------------------------------------------ repository mirroring (issue 20)
  getRepoMirrorConfig: {
    level: "repoAdmin",
    prepare: async (c) => ({ mrepo: await mirrorOf(c) }),
    req: (c) => ["GET", `/repository/${mrepo(c)}/mirror`],
  },
  createRepoMirrorConfig: {
    level: "repoAdmin",
    once: true,
    prepare: async (c) => ({ mrepo: await c.freshRepo() }),
    req: (c) => ["POST", `/repository/${mrepo(c)}/mirror`, mirrorBody(c)],
  },
  changeRepoMirrorConfig: {
    level: "repoAdmin",
    prepare: async (c) => ({ mrepo: await mirrorOf(c) }),
    req: (c) => ["PUT", `/repository/${mrepo(c)}/mirror`, { sync_interval: 60 }],
  },
  // The queued sync may be running (404) or cancelled (404) when the next caller comes.
  syncNow: {
    level: "repoAdmin",
    ownThings: true,
    prepare: async (c) => ({ mrepo: await mirrorOf(c) }),
    req: (c) => ["POST", `/repository/${mrepo(c)}/mirror/sync-now`],
  },
  syncCancel: {
    level: "repoAdmin",
    ownThings: true,
    prepare: async (c) => ({ mrepo: await mirrorOf(c, true) }),
    req: (c) => ["POST", `/repository/${mrepo(c)}/mirror/sync-cancel`],
  },
  listRepoMirrorSyncs: {
    level: "repoAdmin",
    prepare: async (c) => ({ mrepo: await mirrorOf(c) }),
    req: (c) => ["GET", `/repository/${mrepo(c)}/mirror/syncs`],
  },
  changeRepoState: {
    level: "repoAdmin",
    prepare: async (c) => ({ mrepo: await c.freshRepo() }),
    req: (c) => ["PUT", `/repository/${mrepo(c)}/changestate`, { state: "READ_ONLY" }],
  },
  // ------------------------------------------------------------ anyone
  conductRepoSearch: { level: "anyone", req: () => ["GET", "/find/repositories?query=app"] },
  getMatchingEntities: { level: "user", req: (c) => ["GET", `/entities/${c.users.reader.name.slice(0, 5)}`] },
  discovery: { level: "anyone", req: () => ["GET", "/discovery"] },
  getErrorDescription: { level: "anyone", req: () => ["GET", "/error/not_found"] },
};

const orgAdmin = (c: Ctx) => w.principal(c.users.orgAdmin.name, c.users.orgAdmin.password);
const su = () => w.principal("admin", "admin-password");
const victim = (c: Ctx) => (c as Ctx & { victim: string }).victim;
/** An organization of its own, for calls that would change what the others meet. */
async function freshOrg(c: Ctx): Promise<string> {
  const name = c.fresh("qorg");
  await w.sys.services.orgs.create(await orgAdmin(c), { name });
  return name;
}
const nid = (c: Ctx) => (c as Ctx & { nid: string }).nid;
const porg = (c: Ctx) => (c as Ctx & { porg: string }).porg;
/** A notification on the shared repository, made by its organization's admin. */
async function notification(c: Ctx): Promise<string> {
  const n = await w.sys.services.notifications.create(await orgAdmin(c), c.repo, {
    event: "repo_push",
    method: "quay_notification",
    config: { target: { kind: "org", name: c.org } },
  });
  return n.uuid;
}
const bid = (c: Ctx) => (c as Ctx & { bid: string }).bid;
const tid = (c: Ctx) => (c as Ctx & { tid: string }).tid;
/** A queued build of the shared repository (no worker runs it here). */
async function build(c: Ctx): Promise<string> {
  const b = await w.sys.services.builds.start(await orgAdmin(c), c.repo, {
    archiveUrl: "http://127.0.0.1:9/ctx.tar.gz",
  });
  return b.uuid;
}
/** A custom git trigger of the shared repository, set up unless `active` is false. */
async function trigger(c: Ctx, active = true): Promise<string> {
  const t = await w.sys.services.triggers.create(await orgAdmin(c), c.repo, {
    service: "custom-git",
    config: active ? { build_source: "git@git.example.com:team/app.git" } : null,
  });
  return t.row.uuid;
}
/** A repository of the organization mirroring an upstream nobody serves, first synced in 2099. */
const mirrorBody = (c: Ctx) => ({
  external_reference: "127.0.0.1:9/ns/app",
  sync_interval: 600,
  sync_start_date: "2099-01-01T00:00:00Z",
  root_rule: { rule_kind: "tag_glob_csv", rule_value: ["latest"] },
  robot_username: `${c.org}+bot`,
});
const mrepo = (c: Ctx) => (c as Ctx & { mrepo: string }).mrepo;
async function mirrorOf(c: Ctx, queued = false): Promise<string> {
  const repo = await c.freshRepo();
  const b = mirrorBody(c);
  await w.sys.services.mirrors.create(await orgAdmin(c), repo, {
    externalReference: b.external_reference,
    syncInterval: b.sync_interval,
    syncStartDate: b.sync_start_date,
    tagGlobs: b.root_rule.rule_value,
    robotUsername: b.robot_username,
  });
  if (queued) await w.sys.services.mirrors.syncNow(await orgAdmin(c), repo);
  return repo;
}
/** Gives the namespace a quota (as a superuser would) and returns both. */
async function withQuota(namespace: string) {
  const q = await w.sys.services.quota.create(await su(), namespace, 1n << 30n);
  return { victim: namespace, qid: String(q.id) };
}

let ctx: Ctx;
const callers = new Map<Who, Rest>();

before(async () => {
  await w.start();
  let n = 0;
  const names = ["outsider", "member", "reader", "writer", "repoAdmin", "orgAdmin"] as const;
  const made = await Promise.all(names.map((k) => w.user(k.toLowerCase())));
  const users = Object.fromEntries(
    names.map((k, i) => [k, { name: made[i]!.name, password: made[i]!.password }]),
  ) as Ctx["users"];
  users.superuser = { name: "admin", password: "admin-password" };
  const owner = await w.principal(users.orgAdmin.name, users.orgAdmin.password);
  const org = `mx${Math.random().toString(16).slice(2, 8)}`;
  const s = w.sys.services;
  await s.orgs.create(owner, { name: org });
  await s.teams.create(owner, org, { name: "members", role: "member" });
  await s.teams.create(owner, org, { name: "devs", role: "member" });
  await s.teams.addMember(owner, org, "members", users.member.name);
  const member = await w.principal(users.member.name, users.member.password);
  await s.teams.acceptInvite(member, (await s.teams.invitationsFor(member))[0]!.id);
  await s.robots.createAs(owner, org, "bot");
  await s.repos.create(owner, { namespace: org, name: "app" });
  const grant = async (repo: string) => {
    for (const [who, role] of [
      ["reader", "read"],
      ["writer", "write"],
      ["repoAdmin", "admin"],
    ] as const)
      await s.permissions.set(owner, org, repo, { kind: "user", name: users[who].name }, role);
    await s.permissions.set(owner, org, repo, { kind: "team", name: "devs" }, "read");
  };
  await grant("app");
  const { digest } = await new RegistryClient(w.sys, [
    users.orgAdmin.name,
    users.orgAdmin.password,
  ]).pushImage(`${org}/app`, "v1");
  const label = await s.labels.add(owner, `${org}/app`, digest, "keep=yes");
  const { app } = await s.oauth.createApplication(owner, org, { name: "app" });
  const quota = await s.quota.create(await su(), org, 1n << 30n);
  const limit = await s.quota.addLimit(await su(), org, quota.id, "Reject", 100);
  const proto = await s.permissions.createDefault(owner, org, {
    delegate: { kind: "team", name: "devs" },
    role: "read",
  });
  ctx = {
    org,
    repo: `${org}/app`,
    digest,
    labelId: String(label.id),
    clientId: app.clientId,
    prototypeId: String(proto.id),
    quotaId: String(quota.id),
    limitId: String(limit.id),
    users,
    fresh: (base) => `${base}${++n}x${Math.random().toString(16).slice(2, 6)}`,
    freshRepo: async () => {
      const name = ctx.fresh("repo");
      await s.repos.create(owner, { namespace: org, name });
      await grant(name);
      return `${org}/${name}`;
    },
  };
  callers.set("anon", w.anonymous);
  for (const k of [...names, "superuser"] as const)
    callers.set(k, await w.as(users[k].name, users[k].password));
});

/** A token of `who` holding every scope except those that would hold `scope`. */
async function tokenWithout(who: Exclude<Who, "anon">, scope: OAuthScope): Promise<Rest> {
  const rest = OAUTH_SCOPES.filter((s) => !scopesHold([s], scope));
  return w.as(ctx.users[who].name, ctx.users[who].password, rest);
}

describe("REST permission matrix", () => {
  test("every route is in the matrix", () => {
    assert.deepEqual(
      REST_ROUTES.map((r) => r.nickname).filter((n) => !MATRIX[n]),
      [],
    );
  });

  for (const route of REST_ROUTES) {
    const entry = MATRIX[route.nickname];
    if (!entry) continue;
    test(`${route.nickname} (${entry.level})`, async () => {
      const c = { ...ctx, ...(entry.prepare ? await entry.prepare(ctx) : {}) } as Ctx;
      const allowed = LEVELS[entry.level] as Who[];
      const denied = EVERYONE.filter((x) => !allowed.includes(x));
      for (const who of denied) {
        const [method, path, body] = entry.req(c, who);
        const r = await callers.get(who)!.call(method, path, { body });
        const ok = who === "anon" ? [401, 404] : [403, 404];
        assert.ok(
          ok.includes(r.status),
          `${who}: ${method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`,
        );
      }
      const first = allowed.find((x) => x !== "anon");
      if (route.scope && first) {
        const [method, path, body] = entry.req(c, first);
        const r = await (await tokenWithout(first, route.scope)).call(method, path, { body });
        assert.equal(r.status, 403, `${first} without ${route.scope}: ${method} ${path} → ${r.status}`);
      }
      for (const who of entry.once ? allowed.slice(0, 1) : allowed) {
        const [method, path, body] = entry.req(c, who);
        const r = await callers.get(who)!.call(method, path, { body });
        const through = entry.ownThings
          ? r.status < 500 && r.status !== 401 && r.status !== 403
          : r.status < 300;
        assert.ok(through, `${who}: ${method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      }
    });
  }
});
