// Repository mirroring (Quay's mirror module, seed 001 §17.4.9) and the repository's state (Quay's
// changestate); plus ours: the recent syncs with their logs. Repository admins only, as in Quay.
import { z } from "zod";
import { DomainError } from "../../common/errors.js";
import type { MirrorPatch, MirrorView } from "../../mirroring/config.js";
import { formatQuayDate } from "../../mirroring/config.js";
import { ApiError } from "../errors.js";
import { q, route, type Route } from "../route.js";
import { formatDate, Success } from "../views.js";

const ProxyBody = z.strictObject({
  http_proxy: z.string().max(2048).nullable().optional(),
  https_proxy: z.string().max(2048).nullable().optional(),
  no_proxy: z.string().max(2048).nullable().optional(),
});
const RegistryConfigBody = z.strictObject({
  verify_tls: z.boolean().optional(),
  unsigned_images: z.boolean().optional(),
  proxy: ProxyBody.optional(),
});
const RootRule = z.strictObject({
  rule_kind: z.string().max(64),
  rule_value: z.array(z.string().max(255)).max(100),
});
const fields = {
  is_enabled: z.boolean().optional(),
  external_reference: z.string().max(512),
  external_registry_username: z.string().max(255).nullable().optional(),
  external_registry_password: z.string().max(4096).nullable().optional(),
  external_registry_config: RegistryConfigBody.optional(),
  sync_interval: z.number().int().min(0),
  sync_start_date: z.string().max(64),
  root_rule: RootRule,
  robot_username: z.string().max(512),
};
const CreateMirrorConfig = z.strictObject(fields);
const UpdateMirrorConfig = z.strictObject({
  ...fields,
  external_reference: fields.external_reference.optional(),
  sync_interval: fields.sync_interval.optional(),
  sync_start_date: fields.sync_start_date.optional(),
  root_rule: RootRule.optional(),
  robot_username: fields.robot_username.optional(),
});

const Status = z.enum(["NEVER_RUN", "SYNC_NOW", "SYNCING", "SUCCESS", "FAIL", "CANCEL"]);
const ViewMirrorConfig = z.object({
  is_enabled: z.boolean(),
  mirror_type: z.literal("PULL"),
  external_reference: z.string(),
  external_registry_username: z.string().nullable(),
  external_registry_config: z.object({
    verify_tls: z.boolean(),
    unsigned_images: z.boolean(),
    proxy: z.object({
      http_proxy: z.string().nullable(),
      https_proxy: z.string().nullable(),
      no_proxy: z.string().nullable(),
    }),
  }),
  sync_interval: z.number().int(),
  sync_start_date: z.string(),
  sync_expiration_date: z.string().nullable(),
  sync_retries_remaining: z.number().int(),
  sync_status: Status,
  root_rule: z.object({ rule_kind: z.literal("tag_glob_csv"), rule_value: z.array(z.string()) }),
  robot_username: z.string().nullable(),
});

const MirrorSync = z.object({
  id: z.string(),
  status: z.enum(["running", "success", "failed", "cancelled"]),
  started: z.string(),
  finished: z.string().nullable(),
  tags_copied: z.number().int(),
  tags_skipped: z.number().int(),
  tags_deleted: z.number().int(),
  error: z.string().nullable(),
  logs: z.array(z.object({ datetime: z.string(), level: z.string(), message: z.string() })),
});

/** Quay's ViewMirrorConfig. */
const view = (m: MirrorView): z.input<typeof ViewMirrorConfig> => ({
  is_enabled: m.isEnabled,
  mirror_type: "PULL",
  external_reference: m.externalReference,
  external_registry_username: m.username,
  external_registry_config: { verify_tls: m.verifyTls, unsigned_images: m.unsignedImages, proxy: m.proxy },
  sync_interval: m.syncInterval,
  sync_start_date: formatQuayDate(m.syncStartDate)!,
  sync_expiration_date: formatQuayDate(m.syncExpirationDate),
  sync_retries_remaining: m.syncRetriesRemaining,
  sync_status: m.syncStatus,
  root_rule: { rule_kind: "tag_glob_csv", rule_value: m.tagGlobs },
  robot_username: m.robot,
});

type Body = Partial<z.output<typeof CreateMirrorConfig>>;
/** Quay's body, field by field: what is left out stays as it is. */
const patchOf = (b: Body): MirrorPatch => ({
  isEnabled: b.is_enabled,
  externalReference: b.external_reference,
  username: b.external_registry_username,
  password: b.external_registry_password,
  verifyTls: b.external_registry_config?.verify_tls,
  unsignedImages: b.external_registry_config?.unsigned_images,
  proxy: b.external_registry_config?.proxy,
  syncInterval: b.sync_interval,
  syncStartDate: b.sync_start_date,
  ruleKind: b.root_rule?.rule_kind,
  tagGlobs: b.root_rule?.rule_value,
  robotUsername: b.robot_username,
});

/** Quay answers a conflict with `status` here (409 for an existing configuration, 404 for sync-now/cancel). */
const conflictAs =
  (status: number) =>
  (e: unknown): never => {
    throw e instanceof DomainError && e.code === "CONFLICT" ? new ApiError(status, e.message) : e;
  };

const STATES = new Map<string, "normal" | "read_only" | "mirror">([
  ["NORMAL", "normal"],
  ["READ_ONLY", "read_only"],
  ["MIRROR", "mirror"],
]);

const base = "/repository/{repository}/mirror";
const tag = "mirror";

export const mirrorRoutes: Route[] = [
  route({
    method: "get",
    path: base,
    nickname: "getRepoMirrorConfig",
    tag,
    description: "Return the Mirror configuration for a given Repository.",
    scope: "repo:admin",
    response: ViewMirrorConfig,
    handler: async ({ s, principal, params }) => view(await s.mirrors.get(principal, params.repository!)),
  }),
  route({
    method: "post",
    path: base,
    nickname: "createRepoMirrorConfig",
    tag,
    description:
      "Create a RepoMirrorConfig for a given Repository: the repository becomes a mirror (state MIRROR) whose " +
      "robot performs the writes.",
    scope: "repo:admin",
    body: CreateMirrorConfig,
    errors: [409],
    // Quay answers both with an empty string.
    response: z.literal(""),
    status: 201,
    handler: async ({ s, principal, params, body, ip }) => {
      const p = patchOf(body);
      await s.mirrors
        .create(
          principal,
          params.repository!,
          {
            ...p,
            externalReference: body.external_reference,
            syncInterval: body.sync_interval,
            syncStartDate: body.sync_start_date,
            tagGlobs: body.root_rule.rule_value,
            robotUsername: body.robot_username,
          },
          ip,
        )
        .catch(conflictAs(409));
      return "" as const;
    },
  }),
  route({
    method: "put",
    path: base,
    nickname: "changeRepoMirrorConfig",
    tag,
    description: "Allow users to modify the repository's mirroring configuration (each field given changes).",
    scope: "repo:admin",
    body: UpdateMirrorConfig,
    // Quay answers both with an empty string.
    response: z.literal(""),
    status: 201,
    handler: async ({ s, principal, params, body, ip }) => {
      await s.mirrors.update(principal, params.repository!, patchOf(body), ip);
      return "" as const;
    },
  }),
  route({
    method: "post",
    path: `${base}/sync-now`,
    nickname: "syncNow",
    tag,
    description: "Queue a synchronization now (not while one is running).",
    scope: "repo:admin",
    response: null,
    handler: async ({ s, principal, params, ip }) => {
      await s.mirrors.syncNow(principal, params.repository!, ip).catch(conflictAs(404));
    },
  }),
  route({
    method: "post",
    path: `${base}/sync-cancel`,
    nickname: "syncCancel",
    tag,
    description: "Cancel the queued or running synchronization; a running one stops within seconds.",
    scope: "repo:admin",
    response: null,
    handler: async ({ s, principal, params, ip }) => {
      await s.mirrors.cancel(principal, params.repository!, ip).catch(conflictAs(404));
    },
  }),
  route({
    method: "get",
    path: `${base}/syncs`,
    nickname: "listRepoMirrorSyncs",
    tag,
    description: "The repository's recent synchronizations, newest first, with what each did and its log.",
    scope: "repo:admin",
    query: { limit: q.int("Syncs to return", { min: 1, max: 50, default: 10 }) },
    response: z.object({ syncs: z.array(MirrorSync) }),
    handler: async ({ s, principal, params, query }) => ({
      syncs: (await s.mirrors.syncs(principal, params.repository!, query.limit)).map((r) => ({
        id: String(r.id),
        status: r.status as z.infer<typeof MirrorSync>["status"],
        started: formatDate(r.startedAt)!,
        finished: formatDate(r.finishedAt),
        tags_copied: r.tagsCopied,
        tags_skipped: r.tagsSkipped,
        tags_deleted: r.tagsDeleted,
        error: r.error,
        logs: r.log.map((l) => ({ datetime: l.at, level: l.level, message: l.message })),
      })),
    }),
  }),
  route({
    method: "put",
    path: "/repository/{repository}/changestate",
    nickname: "changeRepoState",
    tag: "repository",
    description:
      "Change the state of a repository: NORMAL, READ_ONLY (no writes at all) or MIRROR (only its mirror robot " +
      "writes; needs FEATURE_REPO_MIRROR).",
    scope: "repo:admin",
    body: z.strictObject({ state: z.string().max(64) }),
    response: Success,
    handler: async ({ s, principal, params, body, ip }) => {
      const state = STATES.get(body.state);
      if (!state) throw ApiError.badRequest(`${body.state} is not a valid Repository state.`);
      await s.mirrors.setState(principal, params.repository!, state, ip);
      return { success: true };
    },
  }),
];
