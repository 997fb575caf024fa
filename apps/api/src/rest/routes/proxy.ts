// Proxy cache configuration (Quay's organization module, seed 001 §15.3): an organization's upstream
// registry, read by its members, created, deleted and validated by its admins. Served with FEATURE_PROXY_CACHE
// (Quay's show_if): otherwise every route answers 404.
import { z } from "zod";
import type { Services } from "../../app/services.js";
import type { ProxyCacheInput } from "../../proxy/index.js";
import { ApiError } from "../errors.js";
import { route, type Route } from "../route.js";

const TAG = "organization";

/** Quay's body; `org_name` is what its console sends along (the path names the organization). */
const Config = z.strictObject({
  upstream_registry: z.string().min(1).max(1024),
  expiration_s: z
    .union([z.number().int(), z.string().regex(/^\d{1,10}$/)])
    .nullable()
    .optional(),
  insecure: z.boolean().nullable().optional(),
  upstream_registry_username: z.string().max(1024).nullable().optional(),
  upstream_registry_password: z.string().max(4096).nullable().optional(),
  org_name: z.string().optional(),
});

/** Quay's proxy_cache_view: empty strings when the organization has no configuration. */
const View = z.object({
  upstream_registry: z.string(),
  expiration_s: z.union([z.number().int(), z.literal("")]),
  insecure: z.union([z.boolean(), z.literal("")]),
});

const input = (b: z.infer<typeof Config>): ProxyCacheInput => ({
  upstreamRegistry: b.upstream_registry,
  expirationS: b.expiration_s === null || b.expiration_s === undefined ? null : Number(b.expiration_s),
  insecure: b.insecure,
  username: b.upstream_registry_username,
  password: b.upstream_registry_password,
});

const enabled = (s: Services) => {
  if (!s.config.FEATURE_PROXY_CACHE) throw ApiError.notFound();
};

export const proxyCacheRoutes: Route[] = [
  route({
    method: "get",
    path: "/organization/{orgname}/proxycache",
    nickname: "getProxyCacheConfig",
    tag: TAG,
    description: "The organization's proxy cache configuration, without its credentials (members).",
    scope: "org:admin",
    response: View,
    handler: async ({ s, principal, params }) => {
      enabled(s);
      const c = await s.proxyCache.get(principal, params.orgname!);
      return c
        ? { upstream_registry: c.upstreamRegistry, expiration_s: c.expirationS, insecure: c.insecure }
        : { upstream_registry: "", expiration_s: "" as const, insecure: "" as const };
    },
  }),
  route({
    method: "post",
    path: "/organization/{orgname}/proxycache",
    nickname: "createProxyCacheConfig",
    tag: TAG,
    description:
      "Makes the organization a proxy cache of an upstream registry (`host` or `host/namespace`). Credentials " +
      "cannot be added later: delete the configuration and create it again.",
    scope: "org:admin",
    body: Config,
    response: z.literal("Created"),
    status: 201,
    handler: async ({ s, principal, params, body, ip }) => {
      enabled(s);
      await s.proxyCache.create(principal, params.orgname!, input(body), ip);
      return "Created" as const;
    },
  }),
  route({
    method: "delete",
    path: "/organization/{orgname}/proxycache",
    nickname: "deleteProxyCacheConfig",
    tag: TAG,
    description: "Removes the configuration; what was cached stays as ordinary repositories.",
    scope: "org:admin",
    response: z.literal("Deleted"),
    status: 201,
    handler: async ({ s, principal, params, ip }) => {
      enabled(s);
      await s.proxyCache.delete(principal, params.orgname!, ip);
      return "Deleted" as const;
    },
  }),
  route({
    method: "post",
    path: "/organization/{orgname}/validateproxycache",
    nickname: "validateProxyCacheConfig",
    tag: TAG,
    description:
      "Checks a configuration before it is saved: 202 `Valid` (or `Anonymous` when the upstream wants " +
      "credentials and none were given), 400 with the reason otherwise.",
    scope: "org:admin",
    body: Config,
    response: z.enum(["Valid", "Anonymous"]),
    status: 202,
    handler: async ({ s, principal, params, body }) => {
      enabled(s);
      return s.proxyCache.validate(principal, params.orgname!, input(body));
    },
  }),
];
