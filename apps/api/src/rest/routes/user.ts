// The signed-in user, other users, stars and app-specific tokens (Quay's user, appspecifictokens modules).
import { z } from "zod";
import { ApiError } from "../errors.js";
import { q, route, type Route } from "../route.js";
import { Avatar, avatar, formatDate } from "../views.js";

const OrgSummary = z.object({
  name: z.string(),
  avatar: Avatar,
  can_create_repo: z.boolean(),
  public: z.boolean(),
  is_org_admin: z.boolean(),
  preferred_namespace: z.boolean(),
});

const Me = z.object({
  anonymous: z.literal(false),
  username: z.string(),
  avatar: Avatar,
  can_create_repo: z.boolean(),
  is_me: z.literal(true),
  verified: z.boolean(),
  email: z.string(),
  logins: z.array(z.unknown()),
  invoice_email: z.boolean(),
  invoice_email_address: z.string().nullable(),
  preferred_namespace: z.boolean(),
  tag_expiration_s: z.number().int(),
  prompts: z.array(z.string()),
  company: z.string().nullable(),
  family_name: z.string().nullable(),
  given_name: z.string().nullable(),
  location: z.string().nullable(),
  is_free_account: z.boolean(),
  has_password_set: z.boolean(),
  organizations: z.array(OrgSummary),
  super_user: z.boolean().optional(),
});

const OtherUser = z.object({
  anonymous: z.literal(false),
  username: z.string(),
  avatar: Avatar,
  super_user: z.boolean().optional(),
});

const StarredRepository = z.object({
  namespace: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  is_public: z.boolean(),
});

const AppToken = z.object({
  uuid: z.string(),
  title: z.string(),
  last_accessed: z.string().nullable(),
  created: z.string().nullable(),
  expiration: z.string().nullable(),
  token_code: z.string().optional(),
});

const appToken = (t: {
  id: bigint;
  title: string;
  lastUsedAt: Date | null;
  createdAt: Date;
  expiresAt: Date | null;
}) => ({
  uuid: String(t.id),
  title: t.title,
  last_accessed: formatDate(t.lastUsedAt),
  created: formatDate(t.createdAt),
  expiration: formatDate(t.expiresAt),
});

const tokenId = (raw: string) => {
  if (!/^\d{1,18}$/.test(raw)) throw ApiError.notFound("App token not found");
  return BigInt(raw);
};

export const userRoutes: Route[] = [
  route({
    method: "get",
    path: "/user/",
    nickname: "getLoggedInUser",
    tag: "user",
    description: "Get user information for the authenticated user.",
    scope: "user:read",
    response: Me,
    async handler({ s, principal }) {
      const me = s.authz.requireUser(principal, "user:read");
      const user = await s.users.get(me.userId);
      const orgs = await s.orgs.mine(principal);
      const roles = await s.authz.orgRoles(
        principal,
        orgs.map((o) => o.id),
      );
      return {
        anonymous: false as const,
        username: user.username,
        avatar: avatar(user.username, user.email, "user"),
        can_create_repo: true,
        is_me: true as const,
        verified: user.emailVerified,
        email: user.email,
        logins: [],
        invoice_email: false,
        invoice_email_address: null,
        preferred_namespace: false,
        tag_expiration_s: user.namespace.timeMachineSeconds,
        prompts: [],
        company: null,
        family_name: null,
        given_name: null,
        location: null,
        is_free_account: true,
        has_password_set: user.passwordHash !== null,
        organizations: orgs.map((o) => {
          const role = roles.get(o.id) ?? null;
          return {
            name: o.name,
            avatar: avatar(o.name, o.email, "org"),
            can_create_repo: role === "admin" || role === "creator",
            public: false,
            is_org_admin: role === "admin",
            preferred_namespace: false,
          };
        }),
        ...(me.superuser ? { super_user: true } : {}),
      };
    },
  }),
  route({
    method: "get",
    path: "/users/{username}",
    nickname: "getUserInformation",
    tag: "user",
    description: "Get user information for the specified user.",
    response: OtherUser,
    async handler({ s, principal, params }) {
      const user = await s.users.byName(params.username!);
      return {
        anonymous: false as const,
        username: user.username,
        avatar: avatar(user.username, user.email, "user"),
        ...(principal.kind === "user" && principal.superuser
          ? { super_user: s.accounts.isSuperuser(user) }
          : {}),
      };
    },
  }),
  route({
    method: "get",
    path: "/user/starred",
    nickname: "listStarredRepos",
    tag: "user",
    description: "List all starred repositories.",
    scope: "user:admin",
    query: { next_page: q.str("The page token of the next page") },
    response: z.object({ repositories: z.array(StarredRepository), next_page: z.string().optional() }),
    async handler({ s, principal, query }) {
      s.authz.requireUser(principal, "user:admin");
      const page = await s.repos.list(principal, {
        starred: true,
        withTotal: false,
        first: 100,
        after: query.next_page || null,
      });
      return {
        repositories: page.items.map((r) => ({
          namespace: r.namespaceName,
          name: r.name,
          description: r.description,
          is_public: r.visibility === "public",
        })),
        ...(page.hasNextPage ? { next_page: page.cursors.at(-1)! } : {}),
      };
    },
  }),
  route({
    method: "post",
    path: "/user/starred",
    nickname: "createStar",
    tag: "user",
    description: "Star a repository.",
    scope: "user:admin",
    body: z.strictObject({ namespace: z.string(), repository: z.string() }),
    response: z.object({ namespace: z.string(), repository: z.string() }),
    status: 201,
    async handler({ s, principal, body }) {
      s.authz.requireUser(principal, "user:admin");
      await s.repos.setStar(principal, body.namespace, body.repository, true);
      return { namespace: body.namespace, repository: body.repository };
    },
  }),
  route({
    method: "delete",
    path: "/user/starred/{repository}",
    nickname: "deleteStar",
    tag: "user",
    description: "Removes a star from a repository.",
    scope: "user:admin",
    response: null,
    async handler({ s, principal, params }) {
      s.authz.requireUser(principal, "user:admin");
      const [namespace, ...rest] = params.repository!.split("/");
      await s.repos.setStar(principal, namespace!, rest.join("/"), false);
    },
  }),
  route({
    method: "get",
    path: "/user/apptoken",
    nickname: "listAppTokens",
    tag: "appspecifictokens",
    description: "Lists the app specific tokens for the user.",
    scope: "user:admin",
    response: z.object({ tokens: z.array(AppToken) }),
    async handler({ s, principal }) {
      return { tokens: (await s.oauth.listAppTokens(principal)).map(appToken) };
    },
  }),
  route({
    method: "post",
    path: "/user/apptoken",
    nickname: "createAppToken",
    tag: "appspecifictokens",
    description: "Create a new app specific token for user; the token is shown in this answer only.",
    scope: "user:admin",
    body: z.strictObject({ title: z.string() }),
    response: z.object({ token: AppToken }),
    async handler({ s, principal, body, ip }) {
      const { row, token } = await s.oauth.createAppToken(principal, body.title, ip);
      return { token: { ...appToken(row), token_code: token } };
    },
  }),
  route({
    method: "get",
    path: "/user/apptoken/{uuid}",
    nickname: "getAppToken",
    tag: "appspecifictokens",
    description: "Returns a specific app token for the user (without its secret, which is shown only once).",
    scope: "user:admin",
    response: z.object({ token: AppToken }),
    async handler({ s, principal, params }) {
      const id = tokenId(params.uuid!);
      const t = (await s.oauth.listAppTokens(principal)).find((x) => x.id === id);
      if (!t) throw ApiError.notFound("App token not found");
      return { token: appToken(t) };
    },
  }),
  route({
    method: "delete",
    path: "/user/apptoken/{uuid}",
    nickname: "revokeAppToken",
    tag: "appspecifictokens",
    description: "Revokes a specific app token for the user.",
    scope: "user:admin",
    response: null,
    async handler({ s, principal, params, ip }) {
      await s.oauth.revokeAppToken(principal, tokenId(params.uuid!), ip);
    },
  }),
];
