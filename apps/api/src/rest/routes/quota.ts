// Storage quotas (Quay's namespacequota module, seed 001 ch. 14): an organization's or user's quota and its
// Warning/Reject limits; superusers change them, members read theirs. Served with FEATURE_QUOTA_MANAGEMENT.
import { z } from "zod";
import { parseBytes } from "../../config/config.js";
import type { Principal } from "../../access/principal.js";
import type { Services } from "../../app/services.js";
import type { QuotaView } from "../../quota/quota.js";
import { ApiError } from "../errors.js";
import { route, type Route } from "../route.js";

const Limit = z.object({
  id: z.number().int(),
  type: z.enum(["Warning", "Reject"]),
  limit_percent: z.number().int(),
});
const Quota = z.object({
  id: z.number().int(),
  limit_bytes: z.number().int(),
  limit: z.string(),
  default_config: z.boolean(),
  limits: z.array(Limit),
  default_config_exists: z.boolean(),
});

const NewQuota = z.strictObject({
  limit_bytes: z.number().int().positive().optional(),
  limit: z.string().optional(),
});
const NewLimit = z.strictObject({ type: z.enum(["Warning", "Reject"]), threshold_percent: z.number().int() });
const ChangeLimit = z.strictObject({
  type: z.enum(["Warning", "Reject"]).optional(),
  threshold_percent: z.number().int().optional(),
});

/** Quay's human form of a size: "100.0 MiB". */
export function humanBytes(n: bigint | number): string {
  let v = Number(n);
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** `limit_bytes`, or `limit` as "10GiB"/"500 MB" (Quay accepts either). */
function limitOf(body: z.infer<typeof NewQuota>): bigint {
  if (body.limit_bytes !== undefined) return BigInt(body.limit_bytes);
  const parsed = body.limit ? parseBytes(body.limit) : null;
  if (parsed === null)
    throw ApiError.badRequest("Invalid limit format, use a number followed by a unit (e.g. 1GiB)");
  return BigInt(parsed);
}

const quotaView = (q: QuotaView, defaultExists: boolean) => ({
  id: Number(q.id),
  limit_bytes: Number(q.limitBytes),
  limit: humanBytes(q.limitBytes),
  default_config: q.isDefault,
  limits: q.limits.map((l) => ({ id: Number(l.id), type: l.type, limit_percent: l.thresholdPercent })),
  default_config_exists: defaultExists,
});

const id = (raw: string, what: string) => {
  if (!/^\d{1,18}$/.test(raw)) throw ApiError.notFound(`${what} not found`);
  return BigInt(raw);
};

async function quotas(s: Services, p: Principal, namespace: string) {
  const r = await s.quota.report(p, namespace);
  return r.quota ? [quotaView(r.quota, r.defaultExists)] : [];
}

async function quotaById(s: Services, p: Principal, namespace: string, quotaId: string) {
  const r = await s.quota.report(p, namespace);
  if (!r.quota || r.quota.isDefault || String(r.quota.id) !== String(id(quotaId, "Quota")))
    throw ApiError.notFound("Quota not found");
  return { view: quotaView(r.quota, r.defaultExists), quota: r.quota };
}

/** A namespace from the path: the organization, the signed-in user, or the superuser form's namespace. */
type Namespace = (p: Principal, params: Record<string, string>) => string;
const org: Namespace = (_p, params) => params.orgname!;
const me: Namespace = (p) => {
  if (p.kind !== "user") throw ApiError.unauthenticated();
  return p.username;
};
const named: Namespace = (_p, params) => params.namespace!;

/** Reading routes (members, the user themselves). */
type Nicknames = { list: string; get?: string; limits?: string; limit?: string };

function readRoutes(
  base: string,
  ns: Namespace,
  nick: Nicknames,
  tag: string,
  scope: "org:admin" | "user:read" | "super:user",
) {
  const all = [
    route({
      method: "get",
      path: base,
      nickname: nick.list,
      tag,
      description:
        "The namespace's quota (or the system default that applies to it), as a list of at most one.",
      scope,
      response: z.array(Quota),
      handler: ({ s, principal, params }) => quotas(s, principal, ns(principal, params)),
    }),
    route({
      method: "get",
      path: `${base}/{quota_id}`,
      nickname: nick.get ?? "",
      tag,
      description: "One quota with its limits.",
      scope,
      response: Quota,
      handler: async ({ s, principal, params }) =>
        (await quotaById(s, principal, ns(principal, params), params.quota_id!)).view,
    }),
    route({
      method: "get",
      path: `${base}/{quota_id}/limit`,
      nickname: nick.limits ?? "",
      tag,
      description: "The Warning and Reject limits of a quota.",
      scope,
      response: z.array(Limit),
      handler: async ({ s, principal, params }) =>
        (await quotaById(s, principal, ns(principal, params), params.quota_id!)).view.limits,
    }),
    route({
      method: "get",
      path: `${base}/{quota_id}/limit/{limit_id}`,
      nickname: nick.limit ?? "",
      tag,
      description: "One limit of a quota.",
      scope,
      response: Limit,
      async handler({ s, principal, params }) {
        const { view } = await quotaById(s, principal, ns(principal, params), params.quota_id!);
        const l = view.limits.find((x) => String(x.id) === params.limit_id);
        if (!l) throw ApiError.notFound("Quota limit not found");
        return l;
      },
    }),
  ];
  // The superuser forms list only; the rest of the reading is the organization's and the user's.
  return all.filter((r) => r.nickname);
}

/** Changing routes (superusers): create, change and delete a quota. */
function writeRoutes(base: string, ns: Namespace, nick: (verb: string) => string, tag: string) {
  return [
    route({
      method: "post",
      path: base,
      nickname: nick("create"),
      tag,
      description: "Create the namespace's quota: limit_bytes, or limit as a size with a unit (e.g. 10GiB).",
      scope: "super:user",
      body: NewQuota,
      response: z.literal("Created"),
      status: 201,
      async handler({ s, principal, params, body, ip }) {
        await s.quota.create(principal, ns(principal, params), limitOf(body), ip);
        return "Created" as const;
      },
    }),
    route({
      method: "put",
      path: `${base}/{quota_id}`,
      nickname: nick("change"),
      tag,
      description: "Change the quota's limit.",
      scope: "super:user",
      body: NewQuota,
      response: Quota,
      async handler({ s, principal, params, body, ip }) {
        const name = ns(principal, params);
        await s.quota.update(principal, name, id(params.quota_id!, "Quota"), limitOf(body), ip);
        return (await quotaById(s, principal, name, params.quota_id!)).view;
      },
    }),
    route({
      method: "delete",
      path: `${base}/{quota_id}`,
      nickname: nick("delete"),
      tag,
      description: "Delete the quota; the system default applies again, if one is set.",
      scope: "super:user",
      response: null,
      async handler({ s, principal, params, ip }) {
        await s.quota.delete(principal, ns(principal, params), id(params.quota_id!, "Quota"), ip);
      },
    }),
  ];
}

const orgBase = "/organization/{orgname}/quota";

export const quotaRoutes: Route[] = [
  ...readRoutes(
    orgBase,
    org,
    {
      list: "listOrganizationQuota",
      get: "getOrganizationQuota",
      limits: "listOrganizationQuotaLimit",
      limit: "getOrganizationQuotaLimit",
    },
    "namespacequota",
    "org:admin",
  ),
  ...writeRoutes(orgBase, org, (v) => `${v}OrganizationQuota`, "namespacequota"),
  route({
    method: "post",
    path: `${orgBase}/{quota_id}/limit`,
    nickname: "createOrganizationQuotaLimit",
    tag: "namespacequota",
    description: "Add a Warning or Reject limit (threshold_percent of the quota); at most one Reject.",
    scope: "super:user",
    body: NewLimit,
    response: z.literal("Created"),
    status: 201,
    async handler({ s, principal, params, body, ip }) {
      const quotaId = id(params.quota_id!, "Quota");
      await s.quota.addLimit(principal, params.orgname!, quotaId, body.type, body.threshold_percent, ip);
      return "Created" as const;
    },
  }),
  route({
    method: "put",
    path: `${orgBase}/{quota_id}/limit/{limit_id}`,
    nickname: "changeOrganizationQuotaLimit",
    tag: "namespacequota",
    description: "Change a limit's type or threshold.",
    scope: "super:user",
    body: ChangeLimit,
    response: Quota,
    async handler({ s, principal, params, body, ip }) {
      await s.quota.updateLimit(
        principal,
        params.orgname!,
        id(params.quota_id!, "Quota"),
        id(params.limit_id!, "Quota limit"),
        { type: body.type, percent: body.threshold_percent },
        ip,
      );
      return (await quotaById(s, principal, params.orgname!, params.quota_id!)).view;
    },
  }),
  route({
    method: "delete",
    path: `${orgBase}/{quota_id}/limit/{limit_id}`,
    nickname: "deleteOrganizationQuotaLimit",
    tag: "namespacequota",
    description: "Delete a limit.",
    scope: "super:user",
    response: null,
    async handler({ s, principal, params, ip }) {
      await s.quota.deleteLimit(
        principal,
        params.orgname!,
        id(params.quota_id!, "Quota"),
        id(params.limit_id!, "Quota limit"),
        ip,
      );
    },
  }),
  ...readRoutes(
    "/user/quota",
    me,
    { list: "listUserQuota", get: "getUserQuota", limits: "listUserQuotaLimit", limit: "getUserQuotaLimit" },
    "namespacequota",
    "user:read",
  ),
  ...readRoutes(
    "/superuser/organization/{namespace}/quota",
    named,
    { list: "listOrganizationQuotaSuperUser" },
    "superuser",
    "super:user",
  ),
  ...writeRoutes(
    "/superuser/organization/{namespace}/quota",
    named,
    (v) => `${v}OrganizationQuotaSuperUser`,
    "superuser",
  ),
  ...readRoutes(
    "/superuser/users/{namespace}/quota",
    named,
    { list: "listUserQuotaSuperUser" },
    "superuser",
    "super:user",
  ),
  ...writeRoutes("/superuser/users/{namespace}/quota", named, (v) => `${v}UserQuotaSuperUser`, "superuser"),
];
