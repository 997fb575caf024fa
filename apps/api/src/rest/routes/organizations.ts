// Organizations: create, read, change, delete, and their members and collaborators (Quay's organization
// module).
import { z } from "zod";
import type { Principal } from "../../access/principal.js";
import type { Services } from "../../app/services.js";
import { ApiError } from "../errors.js";
import { route, type Route } from "../route.js";
import { Avatar, avatar, TeamRole } from "../views.js";

const TeamSummary = z.object({
  name: z.string(),
  description: z.string(),
  role: TeamRole,
  avatar: Avatar,
  can_view: z.boolean(),
  repo_count: z.number().int(),
  member_count: z.number().int(),
  is_synced: z.boolean(),
});

const Organization = z.object({
  name: z.string(),
  email: z.string(),
  avatar: Avatar,
  is_admin: z.boolean(),
  is_member: z.boolean(),
  teams: z.record(z.string(), TeamSummary).optional(),
  ordered_teams: z.array(z.string()).optional(),
  invoice_email: z.boolean().optional(),
  invoice_email_address: z.string().nullable().optional(),
  tag_expiration_s: z.number().int().optional(),
  is_free_account: z.boolean().optional(),
  quotas: z
    .array(
      z.object({
        id: z.number().int(),
        limit_bytes: z.number().int(),
        limits: z.array(
          z.object({ id: z.number().int(), type: z.string(), limit_percent: z.number().int() }),
        ),
      }),
    )
    .optional(),
  quota_report: z
    .object({ quota_bytes: z.number().int(), configured_quota: z.number().int().nullable() })
    .optional(),
});

const Member = z.object({
  name: z.string(),
  kind: z.literal("user"),
  avatar: Avatar,
  teams: z.array(z.object({ name: z.string(), avatar: Avatar })),
  repositories: z.array(z.string()),
});

async function organizationView(s: Services, p: Principal, name: string) {
  const org = await s.orgs.get(name);
  const role = await s.authz.orgRole(p, org.id);
  const isAdmin = await s.authz.namespaceAllows(p, org.id, "admin");
  const isMember = role !== null;
  const view = {
    name: org.name,
    email: isAdmin ? (org.email ?? "") : "",
    avatar: avatar(org.name, org.email, "org"),
    is_admin: isAdmin,
    is_member: isMember,
  };
  if (!isMember) return view;
  const quota = s.quota.enabled ? await s.quota.report(p, name) : null;
  const teams = await s.teams.list(p, name);
  const ids = teams.map((t) => t.id);
  const [members, repos] = await Promise.all([
    s.tenancyStats.counts("teamMembers", ids),
    s.tenancyStats.counts("teamRepositories", ids),
  ]);
  return {
    ...view,
    teams: Object.fromEntries(
      teams.map((t) => [
        t.name,
        {
          name: t.name,
          description: t.description,
          role: t.role,
          avatar: avatar(t.name, t.name, "team"),
          // Every member of an organization may see its teams here.
          can_view: true,
          repo_count: repos.get(t.id) ?? 0,
          member_count: members.get(t.id) ?? 0,
          is_synced: false,
        },
      ]),
    ),
    ordered_teams: [...teams].sort((a, b) => (a.id < b.id ? -1 : 1)).map((t) => t.name),
    ...(isAdmin
      ? {
          invoice_email: false,
          invoice_email_address: null,
          tag_expiration_s: org.timeMachineSeconds,
          is_free_account: true,
        }
      : {}),
    ...(quota
      ? {
          quotas: quota.quota
            ? [
                {
                  id: Number(quota.quota.id),
                  limit_bytes: Number(quota.quota.limitBytes),
                  limits: quota.quota.limits.map((l) => ({
                    id: Number(l.id),
                    type: l.type,
                    limit_percent: l.thresholdPercent,
                  })),
                },
              ]
            : [],
          quota_report: {
            quota_bytes: Number(quota.usageBytes),
            configured_quota: quota.quota ? Number(quota.quota.limitBytes) : null,
          },
        }
      : {}),
  };
}

async function memberView(s: Services, p: Principal, org: string) {
  return (await s.teams.orgMembers(p, org)).map((m) => ({
    name: m.user.username,
    kind: "user" as const,
    avatar: avatar(m.user.username, m.user.email, "user"),
    teams: m.teams.map((t) => ({ name: t, avatar: avatar(t, t, "team") })),
    repositories: m.repositories.map((r) => r.repository),
  }));
}

export const organizationRoutes: Route[] = [
  route({
    method: "post",
    path: "/organization/",
    nickname: "createOrganization",
    tag: "organization",
    description: "Create a new organization; its creator lands in its owners team.",
    scope: "user:admin",
    body: z.strictObject({
      name: z.string(),
      email: z.string().optional(),
      contact_email: z.string().optional(),
      recaptcha_response: z.string().optional(),
    }),
    response: z.literal("Created"),
    status: 201,
    async handler({ s, principal, body, ip }) {
      await s.orgs.create(
        principal,
        { name: body.name, email: body.contact_email ?? body.email ?? null },
        ip,
      );
      return "Created" as const;
    },
  }),
  route({
    method: "get",
    path: "/organization/{orgname}",
    nickname: "getOrganization",
    tag: "organization",
    description: "Get the details for the specified organization; members also see its teams.",
    response: Organization,
    handler: ({ s, principal, params }) => organizationView(s, principal, params.orgname!),
  }),
  route({
    method: "put",
    path: "/organization/{orgname}",
    nickname: "changeOrganizationDetails",
    tag: "organization",
    description: "Change the details for the specified organization.",
    scope: "org:admin",
    body: z.strictObject({
      email: z.string().optional(),
      contact_email: z.string().nullable().optional(),
      invoice_email: z.boolean().optional(),
      invoice_email_address: z.string().nullable().optional(),
      tag_expiration_s: z.number().int().min(0).optional(),
    }),
    response: Organization,
    async handler({ s, principal, params, body, ip }) {
      const email = body.contact_email ?? body.email ?? null;
      const timeMachine =
        body.tag_expiration_s === undefined ? null : s.namespaces.timeMachineOption(body.tag_expiration_s);
      await s.orgs.update(principal, params.orgname!, { email, timeMachine }, ip);
      return organizationView(s, principal, params.orgname!);
    },
  }),
  route({
    method: "delete",
    path: "/organization/{orgname}",
    nickname: "deleteAdminedOrganization",
    tag: "organization",
    description: "Deletes the specified organization with its repositories, teams and robots.",
    scope: "org:admin",
    response: null,
    async handler({ s, principal, params, ip }) {
      await s.orgs.delete(principal, params.orgname!, params.orgname!, ip);
    },
  }),
  route({
    method: "get",
    path: "/organization/{orgname}/members",
    nickname: "getOrganizationMembers",
    tag: "organization",
    description: "List the human members of the specified organization.",
    scope: "org:admin",
    response: z.object({ members: z.array(Member) }),
    handler: async ({ s, principal, params }) => ({
      members: await memberView(s, principal, params.orgname!),
    }),
  }),
  route({
    method: "get",
    path: "/organization/{orgname}/members/{membername}",
    nickname: "getOrganizationMember",
    tag: "organization",
    description: "Retrieves the details of a member of the organization.",
    scope: "org:admin",
    response: Member,
    async handler({ s, principal, params }) {
      const m = (await memberView(s, principal, params.orgname!)).find((x) => x.name === params.membername);
      if (!m) throw ApiError.notFound(`${params.membername} is not a member of ${params.orgname}`);
      return m;
    },
  }),
  route({
    method: "delete",
    path: "/organization/{orgname}/members/{membername}",
    nickname: "removeOrganizationMember",
    tag: "organization",
    description: "Removes a member from an organization: all its teams and repository permissions.",
    scope: "org:admin",
    response: null,
    async handler({ s, principal, params, ip }) {
      await s.teams.removeFromOrganization(principal, params.orgname!, params.membername!, ip);
    },
  }),
  route({
    method: "get",
    path: "/organization/{orgname}/collaborators",
    nickname: "getOrganizationCollaborators",
    tag: "organization",
    description:
      "List the users with permissions on the organization's repositories who are in none of its teams.",
    scope: "org:admin",
    response: z.object({
      collaborators: z.array(
        z.object({
          kind: z.literal("user"),
          name: z.string(),
          avatar: Avatar,
          repositories: z.array(z.string()),
        }),
      ),
    }),
    async handler({ s, principal, params }) {
      await s.namespaces.requireNamespace(principal, params.orgname!, "admin", "organization");
      return {
        collaborators: (await s.teams.collaborators(principal, params.orgname!)).map((c) => ({
          kind: "user" as const,
          name: c.user.username,
          avatar: avatar(c.user.username, c.user.email, "user"),
          repositories: c.repositories.map((r) => r.repository),
        })),
      };
    },
  }),
];
