// Search (Quay's search module): repositories by name or description, and entities (users, robots, teams)
// by name prefix for pickers.
import { z } from "zod";
import { q, route, type Route } from "../route.js";
import { Avatar, avatar, epochSeconds, userEntity } from "../views.js";

const PAGE_SIZE = 10;

const Namespace = z.object({
  title: z.enum(["user", "org"]),
  kind: z.enum(["user", "organization"]),
  avatar: Avatar,
  name: z.string(),
  score: z.number(),
  href: z.string(),
});

const RepositoryResult = z.object({
  kind: z.literal("repository"),
  title: z.literal("repo"),
  namespace: Namespace,
  name: z.string(),
  description: z.string().nullable(),
  is_public: z.boolean(),
  score: z.number(),
  href: z.string(),
  last_modified: z.number().int().nullable().optional(),
  stars: z.number().int().optional(),
  popularity: z.number().optional(),
});

const Entity = z.object({
  name: z.string(),
  kind: z.enum(["user", "team", "org"]),
  is_robot: z.boolean().optional(),
  is_org_member: z.boolean().optional(),
  avatar: Avatar,
});

export const searchRoutes: Route[] = [
  route({
    method: "get",
    path: "/find/repositories",
    nickname: "conductRepoSearch",
    tag: "search",
    description: "Finds the repositories the caller may see whose name or description contains the query.",
    query: {
      query: q.str("The search query"),
      page: q.int("The page", { min: 1, max: 10, default: 1 }),
      includeUsage: q.bool("Whether to include usage metadata"),
    },
    response: z.object({
      results: z.array(RepositoryResult),
      has_additional: z.boolean(),
      page: z.number().int(),
      page_size: z.number().int(),
      start_index: z.number().int(),
    }),
    async handler({ s, principal, query }) {
      const start = (query.page - 1) * PAGE_SIZE;
      const page = await s.repos.list(principal, {
        search: query.query ?? "",
        first: PAGE_SIZE,
        withTotal: false,
        offset: start,
      });
      const ids = page.items.map((r) => r.id);
      const [modified, stars, popularity] = query.includeUsage
        ? await Promise.all([
            s.repoStats.lastModified(ids),
            s.repoStats.starCounts(ids),
            s.repoStats.popularity(ids),
          ])
        : [null, null, null];
      return {
        results: page.items.map((r) => {
          const org = r.namespaceKind === "organization";
          return {
            kind: "repository" as const,
            title: "repo" as const,
            namespace: {
              title: org ? ("org" as const) : ("user" as const),
              kind: org ? ("organization" as const) : ("user" as const),
              avatar: avatar(r.namespaceName, null, org ? "org" : "user"),
              name: r.namespaceName,
              score: 1,
              href: `/${org ? "organization" : "user"}/${r.namespaceName}`,
            },
            name: r.name,
            description: r.description,
            is_public: r.visibility === "public",
            score: 4,
            href: `/repository/${r.namespaceName}/${r.name}`,
            ...(modified && stars && popularity
              ? {
                  last_modified: modified.has(r.id) ? epochSeconds(modified.get(r.id)!) : null,
                  stars: stars.get(r.id) ?? 0,
                  popularity: popularity.get(r.id) ?? 0,
                }
              : {}),
          };
        }),
        has_additional: page.hasNextPage,
        page: query.page,
        page_size: PAGE_SIZE,
        start_index: start,
      };
    },
  }),
  route({
    method: "get",
    path: "/entities/{prefix}",
    nickname: "getMatchingEntities",
    tag: "search",
    description: "Users (and, within `namespace`, its robots and teams) whose name starts with the prefix.",
    query: {
      namespace: q.str("Namespace whose robots and teams may match"),
      includeTeams: q.bool("Whether to include team names"),
      includeOrgs: q.bool("Whether to include the organization itself"),
    },
    response: z.object({ results: z.array(Entity) }),
    async handler({ s, principal, params, query }) {
      const found = await s.users.searchEntities(principal, params.prefix!, query.namespace || null);
      const ns = query.namespace ? await s.namespaces.byName(query.namespace).catch(() => null) : null;
      const org = ns?.kind === "organization";
      return {
        results: [
          ...(query.includeTeams
            ? found.teams.map((t) => ({
                name: t.name,
                kind: "team" as const,
                is_org_member: true,
                avatar: avatar(t.name, t.name, "team"),
              }))
            : []),
          ...found.users.map((u) => userEntity(u.username, u.email)),
          ...found.robots.map((r) => ({
            ...userEntity(r.fullName, null),
            ...(org ? { is_org_member: true } : {}),
          })),
          ...(query.includeOrgs && org && ns!.name.startsWith(params.prefix!)
            ? [
                {
                  name: ns!.name,
                  kind: "org" as const,
                  is_org_member: true,
                  avatar: avatar(ns!.name, ns!.email, "org"),
                },
              ]
            : []),
        ],
      };
    },
  }),
];
