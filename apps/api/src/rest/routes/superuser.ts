// The superuser panel's users and organizations (Quay's superuser module); the system-wide logs are with
// the other logs.
import { z } from "zod";
import type { Principal } from "../../access/principal.js";
import type { Services } from "../../app/services.js";
import { q, route, type Route } from "../route.js";
import { Avatar, avatar } from "../views.js";

const SuperuserUser = z.object({
  kind: z.literal("user"),
  name: z.string(),
  username: z.string(),
  email: z.string(),
  verified: z.boolean(),
  avatar: Avatar,
  super_user: z.boolean(),
  enabled: z.boolean(),
});

const SuperuserOrg = z.object({ name: z.string(), email: z.string(), avatar: Avatar });

type UserRow = { username: string; email: string; enabled: boolean; superuser: boolean };
const userView = (s: Services, u: UserRow) => ({
  kind: "user" as const,
  name: u.username,
  username: u.username,
  email: u.email,
  verified: true,
  avatar: avatar(u.username, u.email, "user"),
  super_user: s.accounts.isSuperuser(u),
  enabled: u.enabled,
});

/** Every page of a list, for the calls Quay answers with all rows at once. */
async function all<T>(
  fetch: (after: string | null) => Promise<{ items: T[]; cursors: string[]; hasNextPage: boolean }>,
) {
  const out: T[] = [];
  for (let after: string | null = null; ;) {
    const page = await fetch(after);
    out.push(...page.items);
    if (!page.hasNextPage) return out;
    after = page.cursors.at(-1)!;
  }
}

async function users(
  s: Services,
  p: Principal,
  query: { disabled: boolean; limit?: number; next_page?: string },
) {
  const args = { enabledOnly: !query.disabled };
  if (query.limit === undefined) {
    const rows = await all((after) => s.users.list(p, { ...args, first: 100, after }));
    return { users: rows.map((u) => userView(s, u)) };
  }
  const page = await s.users.list(p, { ...args, first: query.limit, after: query.next_page || null });
  return {
    users: page.items.map((u) => userView(s, u)),
    ...(page.hasNextPage ? { next_page: page.cursors.at(-1)! } : {}),
  };
}

const one = "/superuser/users/{username}";

export const superuserRoutes: Route[] = [
  route({
    method: "get",
    path: "/superuser/users/",
    nickname: "listAllUsers",
    tag: "superuser",
    description: "Returns the users of the system (all at once, or `limit` a page).",
    scope: "super:user",
    query: {
      disabled: q.bool("Whether to include disabled users", true),
      limit: q.int("Limit the number of users a page", { min: 1, max: 100 }),
      next_page: q.str("The page token of the next page (with limit)"),
    },
    response: z.object({ users: z.array(SuperuserUser), next_page: z.string().optional() }),
    handler: ({ s, principal, query }) => users(s, principal, query),
  }),
  route({
    method: "post",
    path: "/superuser/users/",
    nickname: "createInstallUser",
    tag: "superuser",
    description: "Creates a user with a generated password, returned in this answer only.",
    scope: "super:user",
    body: z.strictObject({ username: z.string(), email: z.string() }),
    response: z.object({
      username: z.string(),
      email: z.string(),
      password: z.string(),
      // Quay's encrypted password for CLI logins; this registry has app-specific tokens for that instead.
      encrypted_password: z.string().nullable(),
    }),
    async handler({ s, principal, body, ip }) {
      const { user, password } = await s.users.createBySuperuser(principal, body, ip);
      return { username: user.username, email: user.email, password, encrypted_password: null };
    },
  }),
  route({
    method: "get",
    path: one,
    nickname: "getInstallUser",
    tag: "superuser",
    description: "Returns information about the specified user.",
    scope: "super:user",
    response: SuperuserUser,
    handler: async ({ s, principal, params }) =>
      userView(s, await s.users.getBySuperuser(principal, params.username!)),
  }),
  route({
    method: "put",
    path: one,
    nickname: "changeInstallUser",
    tag: "superuser",
    description: "Updates the password, e-mail or enabled state of the specified user.",
    scope: "super:user",
    body: z.strictObject({
      password: z.string().optional(),
      email: z.string().optional(),
      enabled: z.boolean().optional(),
    }),
    response: SuperuserUser.extend({ encrypted_password: z.string().nullable().optional() }),
    async handler({ s, principal, params, body, ip }) {
      const name = params.username!;
      await s.users.getBySuperuser(principal, name);
      if (body.password !== undefined)
        await s.users.setPasswordBySuperuser(principal, name, body.password, ip);
      if (body.email !== undefined) await s.users.setEmailBySuperuser(principal, name, body.email, ip);
      if (body.enabled !== undefined) await s.users.setEnabled(principal, name, body.enabled, ip);
      const view = userView(s, await s.users.getBySuperuser(principal, name));
      return body.password !== undefined ? { ...view, encrypted_password: null } : view;
    },
  }),
  route({
    method: "delete",
    path: one,
    nickname: "deleteInstallUser",
    tag: "superuser",
    description: "Deletes the specified user and their namespace.",
    scope: "super:user",
    response: null,
    async handler({ s, principal, params, ip }) {
      await s.users.deleteBySuperuser(principal, params.username!, ip);
    },
  }),
  route({
    method: "get",
    path: "/superuser/organizations/",
    nickname: "listAllOrganizations",
    tag: "superuser",
    description: "List the organizations of the system (all at once, or `limit` a page).",
    scope: "super:user",
    query: {
      limit: q.int("Limit the number of organizations a page", { min: 1, max: 100 }),
      next_page: q.str("The page token of the next page (with limit)"),
    },
    response: z.object({ organizations: z.array(SuperuserOrg), next_page: z.string().optional() }),
    async handler({ s, principal, query }) {
      const view = (o: { name: string; email: string | null }) => ({
        name: o.name,
        email: o.email ?? "",
        avatar: avatar(o.name, o.email, "org"),
      });
      if (query.limit === undefined)
        return {
          organizations: (await all((after) => s.orgs.list(principal, { first: 100, after }))).map(view),
        };
      const page = await s.orgs.list(principal, { first: query.limit, after: query.next_page || null });
      return {
        organizations: page.items.map(view),
        ...(page.hasNextPage ? { next_page: page.cursors.at(-1)! } : {}),
      };
    },
  }),
  route({
    method: "put",
    path: "/superuser/organizations/{name}",
    nickname: "changeOrganization",
    tag: "superuser",
    description: "Renames the specified organization.",
    scope: "super:user",
    body: z.strictObject({ name: z.string().optional() }),
    response: SuperuserOrg,
    async handler({ s, principal, params, body, ip }) {
      s.authz.requireSuperuser(principal);
      const org = body.name
        ? await s.orgs.rename(principal, params.name!, body.name, ip)
        : await s.orgs.get(params.name!);
      return { name: org.name, email: org.email ?? "", avatar: avatar(org.name, org.email, "org") };
    },
  }),
  route({
    method: "delete",
    path: "/superuser/organizations/{name}",
    nickname: "deleteOrganization",
    tag: "superuser",
    description: "Deletes the specified organization with its repositories, teams and robots.",
    scope: "super:user",
    response: null,
    async handler({ s, principal, params, ip }) {
      s.authz.requireSuperuser(principal);
      await s.orgs.delete(principal, params.name!, params.name!, ip);
    },
  }),
];
