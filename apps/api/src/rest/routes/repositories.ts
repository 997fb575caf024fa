// Repositories: the list with Quay's filters, create, read, description, visibility, delete (Quay's
// repository module).
import { z } from "zod";
import type { Principal } from "../../access/principal.js";
import type { Services } from "../../app/services.js";
import type { RepositoryRow } from "../../content/repositories.js";
import { splitRepository } from "../../tenancy/names.js";
import { ApiError } from "../errors.js";
import { q, route, type Route } from "../route.js";
import { epochSeconds, formatDate, Success } from "../views.js";

const STATES: Record<string, string> = { normal: "NORMAL", read_only: "READ_ONLY", mirror: "MIRROR" };
const State = z.enum(["NORMAL", "READ_ONLY", "MIRROR"]);
const PAGE = 100;

const ListedRepository = z.object({
  namespace: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  is_public: z.boolean(),
  kind: z.string(),
  state: State,
  last_modified: z.number().int().nullable().optional(),
  popularity: z.number().optional(),
  is_starred: z.boolean().optional(),
  quota_report: z
    .object({ quota_bytes: z.number().int(), configured_quota: z.number().int().nullable() })
    .optional(),
});

const RepositoryDetails = z.object({
  namespace: z.string(),
  name: z.string(),
  kind: z.string(),
  description: z.string().nullable(),
  is_public: z.boolean(),
  is_organization: z.boolean(),
  is_starred: z.boolean(),
  status_token: z.string(),
  trust_enabled: z.boolean(),
  tag_expiration_s: z.number().int(),
  is_free_account: z.boolean(),
  state: State,
  can_write: z.boolean(),
  can_admin: z.boolean(),
  tags: z
    .record(
      z.string(),
      z.object({
        name: z.string(),
        size: z.number().int().nullable(),
        last_modified: z.string().optional(),
        expiration: z.string().optional(),
        manifest_digest: z.string(),
      }),
    )
    .optional(),
  stats: z.array(z.object({ date: z.string(), count: z.number().int() })).optional(),
});

/** `namespace/name` of the path, or 404: Quay's repository paths always name both. */
export function repoParts(full: string) {
  const parts = splitRepository(full);
  if (!parts) throw ApiError.notFound(`Repository ${full} not found`);
  return parts;
}

async function listed(
  s: Services,
  p: Principal,
  rows: RepositoryRow[],
  opts: { lastModified: boolean; popularity: boolean; kind: string },
) {
  const ids = rows.map((r) => r.id);
  const [modified, popularity, starred, sizes, limits] = await Promise.all([
    opts.lastModified ? s.repoStats.lastModified(ids) : null,
    opts.popularity ? s.repoStats.popularity(ids) : null,
    p.kind === "user" ? s.repoStats.starredBy(p.userId, ids) : null,
    // Quay reports usage with the list when quota management is on.
    s.quota.enabled ? s.quota.repositorySizes(ids) : null,
    s.quota.enabled ? s.quota.configuredLimits(rows.map((r) => r.namespaceId)) : null,
  ]);
  return rows.map((r) => ({
    namespace: r.namespaceName,
    name: r.name,
    description: r.description,
    is_public: r.visibility === "public",
    kind: opts.kind,
    state: (STATES[r.state] ?? "NORMAL") as z.infer<typeof State>,
    ...(modified ? { last_modified: modified.has(r.id) ? epochSeconds(modified.get(r.id)!) : null } : {}),
    ...(popularity ? { popularity: popularity.get(r.id) ?? 0 } : {}),
    ...(starred ? { is_starred: starred.get(r.id) ?? false } : {}),
    ...(sizes && limits
      ? {
          quota_report: {
            quota_bytes: Number(sizes.get(r.id) ?? 0n),
            configured_quota: limits.get(r.namespaceId) == null ? null : Number(limits.get(r.namespaceId)),
          },
        }
      : {}),
  }));
}

export const repositoryRoutes: Route[] = [
  route({
    method: "get",
    path: "/repository",
    nickname: "listRepos",
    tag: "repository",
    description:
      "Fetch the visible repositories of a namespace, the starred ones, or (public=true) also every public one.",
    scope: "repo:read",
    query: {
      namespace: q.str("Filters the repositories returned to this namespace"),
      starred: q.bool("Filters the repositories returned to those starred by the user"),
      public: q.bool("Adds any repositories visible to the user by virtue of being public"),
      last_modified: q.bool("Whether to include when the repository was last modified"),
      popularity: q.bool("Whether to include the repository's popularity metric"),
      repo_kind: q.str("The kind of repositories to return"),
      next_page: q.str("The page token of the next page"),
      quota: q.bool("Accepted for Quay's clients: usage is reported whenever quota management is on"),
    },
    response: z.object({ repositories: z.array(ListedRepository), next_page: z.string().optional() }),
    async handler({ s, principal, query }) {
      if (!query.namespace && !query.starred && !query.public)
        throw ApiError.badRequest("namespace, starred or public are required for this API call");
      if (query.starred && principal.kind !== "user") throw ApiError.unauthenticated();
      const kind = query.repo_kind || "image";
      if (kind !== "image") return { repositories: [] };
      const page = await s.repos.list(principal, {
        namespace: query.namespace || null,
        starred: query.starred,
        // Without public=true, Quay lists only what the user is involved in, not every public repository.
        mine: !query.public,
        first: PAGE,
        withTotal: false,
        after: query.next_page || null,
      });
      return {
        repositories: await listed(s, principal, page.items, {
          lastModified: query.last_modified,
          popularity: query.popularity,
          kind,
        }),
        ...(page.hasNextPage ? { next_page: page.cursors.at(-1)! } : {}),
      };
    },
  }),
  route({
    method: "post",
    path: "/repository",
    nickname: "createRepo",
    tag: "repository",
    description: "Create a new repository (in the caller's namespace unless another is named).",
    scope: "repo:create",
    body: z.strictObject({
      repository: z.string(),
      visibility: z.enum(["public", "private"]),
      description: z.string().optional(),
      namespace: z.string().optional(),
      repo_kind: z.enum(["image"]).nullable().optional(),
    }),
    response: z.object({ namespace: z.string(), name: z.string(), kind: z.string() }),
    status: 201,
    async handler({ s, principal, body, ip }) {
      const namespace = body.namespace ?? (principal.kind === "user" ? principal.username : null);
      if (!namespace) throw ApiError.badRequest("Must provide a namespace or must be logged in.");
      const repo = await s.repos.create(
        principal,
        {
          namespace,
          name: body.repository,
          description: body.description ?? "",
          visibility: body.visibility,
        },
        ip,
      );
      return { namespace: repo.namespace.name, name: repo.name, kind: "image" };
    },
  }),
  route({
    method: "get",
    path: "/repository/{repository}",
    nickname: "getRepo",
    tag: "repository",
    description: "Fetch the specified repository, with its active tags unless includeTags=false.",
    scope: "repo:read",
    query: {
      includeStats: q.bool("Whether to include action statistics"),
      includeTags: q.bool("Whether to include repository tags", true),
    },
    response: RepositoryDetails,
    async handler({ s, principal, params, query }) {
      const full = params.repository!;
      const repo = await s.repos.require(principal, full, "read");
      const ns = await s.namespaces.byName(repo.namespace.name);
      const [role, starred, tags, stats] = await Promise.all([
        s.authz.repoRole(principal, repo),
        principal.kind === "user" ? s.repoStats.starredBy(principal.userId, [repo.id]) : null,
        query.includeTags ? s.tagQueries.listTags(principal, full, { first: 500 }) : null,
        query.includeStats ? s.repoStats.dailyActions(repo.id, 91) : null,
      ]);
      const writable = repo.state === "normal";
      return {
        namespace: repo.namespace.name,
        name: repo.name,
        kind: "image",
        description: repo.description,
        is_public: repo.visibility === "public",
        is_organization: repo.namespace.kind === "organization",
        is_starred: starred?.get(repo.id) ?? false,
        status_token: "",
        trust_enabled: false,
        tag_expiration_s: ns.timeMachineSeconds,
        is_free_account: true,
        state: (STATES[repo.state] ?? "NORMAL") as z.infer<typeof State>,
        can_write: writable && (role === "write" || role === "admin"),
        can_admin: role === "admin",
        ...(tags
          ? {
              tags: Object.fromEntries(
                tags.items.map((t) => [
                  t.name,
                  {
                    name: t.name,
                    size: t.size,
                    last_modified: formatDate(t.lastModified)!,
                    ...(t.expiration ? { expiration: formatDate(t.expiration)! } : {}),
                    manifest_digest: t.manifestDigest,
                  },
                ]),
              ),
            }
          : {}),
        ...(stats ? { stats } : {}),
      };
    },
  }),
  route({
    method: "put",
    path: "/repository/{repository}",
    nickname: "updateRepo",
    tag: "repository",
    description: "Update the description of the specified repository.",
    scope: "repo:write",
    body: z.strictObject({ description: z.string() }),
    response: Success,
    async handler({ s, principal, params, body, ip }) {
      const { namespace, name } = repoParts(params.repository!);
      await s.repos.update(principal, namespace, name, { description: body.description }, ip);
      return { success: true };
    },
  }),
  route({
    method: "delete",
    path: "/repository/{repository}",
    nickname: "deleteRepository",
    tag: "repository",
    description: "Delete a repository with its tags and history.",
    scope: "repo:admin",
    response: null,
    async handler({ s, principal, params, ip }) {
      const { namespace, name } = repoParts(params.repository!);
      await s.repos.delete(principal, namespace, name, params.repository!, ip);
    },
  }),
  route({
    method: "post",
    path: "/repository/{repository}/changevisibility",
    nickname: "changeRepoVisibility",
    tag: "repository",
    description: "Change the visibility of a repository.",
    scope: "repo:admin",
    body: z.strictObject({ visibility: z.enum(["public", "private"]) }),
    response: Success,
    async handler({ s, principal, params, body, ip }) {
      const { namespace, name } = repoParts(params.repository!);
      await s.repos.update(principal, namespace, name, { visibility: body.visibility }, ip);
      return { success: true };
    },
  }),
];
