// Tags (Quay's tag module): the history list by page, create or move a tag and set its expiration, delete,
// restore from the time machine.
import { z } from "zod";
import { isValidTag } from "@hm/oci";
import { ApiError } from "../errors.js";
import { q, route, type Route } from "../route.js";
import { epochSeconds, Empty, formatDate } from "../views.js";

const TAG_ERROR =
  'Invalid tag: must match [A-Za-z0-9_.-], NOT start with "." or "-", and can contain 1-128 characters';

const Tag = z.object({
  name: z.string(),
  reversion: z.boolean(),
  start_ts: z.number().int(),
  end_ts: z.number().int().optional(),
  manifest_digest: z.string(),
  is_manifest_list: z.boolean(),
  size: z.number().int().nullable(),
  last_modified: z.string(),
  expiration: z.string().optional(),
});

/** Quay's filter_tag_name: `like:<text>` (contains, any case) or `eq:<name>`. */
function nameFilter(raw: string | undefined): { name?: string; nameContains?: string } {
  if (!raw) return {};
  const i = raw.indexOf(":");
  const op = raw.slice(0, i);
  if (i < 0 || (op !== "like" && op !== "eq"))
    throw ApiError.badRequest(
      "Unsupported syntax for filter_tag_name. Expected <operation>:<tag_name> where <operation> can be 'like' or 'eq'.",
    );
  return op === "eq" ? { name: raw.slice(i + 1) } : { nameContains: raw.slice(i + 1) };
}

const tagName = (raw: string) => {
  if (!isValidTag(raw)) throw ApiError.badRequest(TAG_ERROR);
  return raw;
};

export const tagRoutes: Route[] = [
  route({
    method: "get",
    path: "/repository/{repository}/tag/",
    nickname: "listRepoTags",
    tag: "tag",
    description: "The repository's tags with their history (deleted and expired rows too), newest first.",
    scope: "repo:read",
    query: {
      onlyActiveTags: q.bool("Filter to only active tags"),
      specificTag: q.str("Filters the tags to the specific tag"),
      filter_tag_name: q.str("Syntax: <op>:<name> where <op> is like or eq"),
      page: q.int("Page index for the results", { min: 1, max: 100000, default: 1 }),
      limit: q.int("Limit to the number of results to return per page", { min: 1, max: 100, default: 50 }),
    },
    response: z.object({ tags: z.array(Tag), page: z.number().int(), has_additional: z.boolean() }),
    async handler({ s, principal, params, query }) {
      const filter = nameFilter(query.filter_tag_name);
      const { rows, hasAdditional } = await s.tagQueries.historyPage(principal, params.repository!, {
        page: query.page,
        limit: query.limit,
        activeOnly: query.onlyActiveTags,
        name: query.specificTag || filter.name,
        nameContains: filter.nameContains,
      });
      return {
        tags: rows.map((t) => ({
          name: t.name,
          reversion: t.reversion,
          start_ts: epochSeconds(t.lastModified),
          ...(t.expiration ? { end_ts: epochSeconds(t.expiration) } : {}),
          manifest_digest: t.manifestDigest,
          is_manifest_list: t.isManifestList,
          size: t.size,
          last_modified: formatDate(t.lastModified)!,
          ...(t.expiration ? { expiration: formatDate(t.expiration)! } : {}),
        })),
        page: query.page,
        has_additional: hasAdditional,
      };
    },
  }),
  route({
    method: "put",
    path: "/repository/{repository}/tag/{tag}",
    nickname: "changeTag",
    tag: "tag",
    description:
      "Points the tag at a manifest (creating or moving it) and/or sets its expiration (epoch seconds; null clears it).",
    scope: "repo:write",
    body: z.strictObject({
      manifest_digest: z.string().nullable().optional(),
      expiration: z.number().nullable().optional(),
      immutable: z.boolean().optional(),
    }),
    response: z.literal("Updated"),
    status: 201,
    async handler({ s, principal, params, body, ip }) {
      const tag = tagName(params.tag!);
      const repo = params.repository!;
      if (body.immutable) throw ApiError.badRequest("Immutable tags are not supported by this registry");
      if (body.manifest_digest) await s.tagCommands.setTag(principal, repo, tag, body.manifest_digest, ip);
      if (body.expiration !== undefined) {
        const at = body.expiration === null ? null : new Date(body.expiration * 1000);
        await s.tagCommands.setExpiration(principal, repo, [tag], at, ip);
      }
      return "Updated" as const;
    },
  }),
  route({
    method: "delete",
    path: "/repository/{repository}/tag/{tag}",
    nickname: "deleteFullTag",
    tag: "tag",
    description: "Delete the tag; it stays restorable for the namespace's time-machine window.",
    scope: "repo:write",
    response: null,
    async handler({ s, principal, params, ip }) {
      await s.tagCommands.deleteTags(principal, params.repository!, [tagName(params.tag!)], ip);
    },
  }),
  route({
    method: "post",
    path: "/repository/{repository}/tag/{tag}/restore",
    nickname: "restoreTag",
    tag: "tag",
    description: "Restores the tag to the manifest it pointed at before, within the time-machine window.",
    scope: "repo:write",
    body: z.strictObject({ manifest_digest: z.string().optional() }),
    response: Empty,
    async handler({ s, principal, params, body, ip }) {
      if (!body.manifest_digest) throw ApiError.badRequest("Missing manifest_digest");
      const tag = tagName(params.tag!);
      await s.tagCommands.restoreTag(
        principal,
        params.repository!,
        { tag, manifestDigest: body.manifest_digest },
        ip,
      );
      return {};
    },
  }),
];
