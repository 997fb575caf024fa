// Dockerfile builds (Quay's build and filedrop modules) and build triggers (its trigger module). Builds
// are read with read permission, started and cancelled with write; triggers are managed by admins.
import { z } from "zod";
import type { BuildRow } from "../../builds/service.js";
import { phaseOf } from "../../builds/service.js";
import type { TriggerView } from "../../builds/triggers.js";
import { robotFullName } from "../../tenancy/names.js";
import { route, q, type Route } from "../route.js";
import { formatDate } from "../views.js";

const Robot = z.object({ name: z.string(), kind: z.literal("user"), is_robot: z.literal(true) });
const robotView = (r: { name: string; namespace: { name: string } } | null) =>
  r
    ? { name: robotFullName(r.namespace.name, r.name), kind: "user" as const, is_robot: true as const }
    : null;

const Trigger = z.object({
  id: z.string(),
  service: z.string(),
  is_active: z.boolean(),
  config: z.record(z.string(), z.unknown()),
  build_source: z.string().nullable(),
  repository_url: z.string().nullable(),
  can_invoke: z.boolean(),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
  connected_user: z.string().nullable(),
  pull_robot: Robot.nullable(),
});

const triggerView = (t: TriggerView) => ({
  id: t.row.uuid,
  service: t.row.service,
  is_active: !!t.row.activatedAt,
  // Quay shows a custom git trigger's key and webhook URL as config.credentials.
  config: { ...t.config, credentials: t.credentials },
  build_source: t.config.build_source ?? null,
  repository_url: t.config.build_source ?? null,
  can_invoke: true,
  enabled: t.row.enabled,
  disabled_reason: t.row.disabledReason,
  connected_user: t.row.connectedUser?.username ?? null,
  pull_robot: robotView(t.row.pullRobot),
});

const Build = z.object({
  id: z.string(),
  phase: z.string(),
  started: z.string().nullable(),
  display_name: z.string(),
  status: z.record(z.string(), z.unknown()),
  subdirectory: z.string(),
  dockerfile_path: z.string(),
  context: z.string(),
  tags: z.array(z.string()),
  manual_user: z.string().nullable(),
  is_writer: z.boolean(),
  trigger: z.object({ id: z.string(), service: z.string(), build_source: z.string().nullable() }).nullable(),
  trigger_metadata: z.record(z.string(), z.unknown()).nullable(),
  resource_key: z.string().nullable(),
  archive_url: z.string().nullable(),
  pull_robot: Robot.nullable(),
  repository: z.object({ namespace: z.string(), name: z.string() }),
  error: z.string().nullable(),
  /** Ours: each phase entered, with its time. */
  phases: z.array(z.object({ phase: z.string(), at: z.string() })),
  completed: z.string().nullable(),
  manifest_digest: z.string().nullable(),
});

const buildView = (b: BuildRow) => {
  const config = (b.trigger?.config ?? {}) as { build_source?: string };
  return {
    id: b.uuid,
    phase: phaseOf(b.phase),
    started: formatDate(b.startedAt ?? b.createdAt),
    display_name: b.displayName,
    status: b.heartbeatAt ? { heartbeat: Math.floor(b.heartbeatAt.getTime() / 1000) } : {},
    subdirectory: b.context,
    dockerfile_path: b.dockerfilePath || `${b.context.replace(/\/$/, "")}/Dockerfile`,
    context: b.context,
    tags: b.dockerTags,
    manual_user: b.manualUser?.username ?? null,
    is_writer: true,
    trigger: b.trigger
      ? { id: b.trigger.uuid, service: b.trigger.service, build_source: config.build_source ?? null }
      : null,
    trigger_metadata: (b.triggerMetadata as Record<string, unknown> | null) ?? null,
    resource_key: b.fileId,
    archive_url: b.archiveUrl,
    pull_robot: robotView(b.pullRobot),
    repository: { namespace: b.repository.namespace.name, name: b.repository.name },
    error: b.error,
    phases: (b.phases as { phase: string; at: string }[]) ?? [],
    completed: formatDate(b.completedAt),
    manifest_digest: b.manifestDigest,
  };
};

const LogEntry = z.object({
  message: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});

const buildBase = "/repository/{repository}/build";
const triggerBase = "/repository/{repository}/trigger";

const buildRoutes: Route[] = [
  route({
    method: "post",
    path: "/filedrop/",
    nickname: "getFiledropUrl",
    tag: "build",
    description:
      "An upload slot for a build's Dockerfile or archive: PUT the file to `url`, then start a build with `file_id`.",
    scope: "repo:create",
    body: z.strictObject({ mimeType: z.string().max(255) }),
    response: z.object({ url: z.string(), file_id: z.string() }),
    handler: async ({ s, principal, body }) => {
      const slot = await s.fileDrops.create(principal, body.mimeType);
      return { url: slot.url, file_id: slot.fileId };
    },
  }),
  route({
    method: "get",
    path: `${buildBase}/`,
    nickname: "getRepoBuilds",
    tag: "build",
    description: "The repository's builds, newest first.",
    scope: "repo:read",
    query: {
      limit: q.int("The maximum number of builds to return", { min: 1, max: 100, default: 5 }),
      since: q.int("Builds started after this time (seconds since the epoch)", { min: 0, max: 2 ** 40 }),
    },
    response: z.object({ builds: z.array(Build) }),
    handler: async ({ s, principal, params, query }) => ({
      builds: (
        await s.builds.list(principal, params.repository!, {
          limit: query.limit,
          since: query.since !== undefined ? new Date(query.since * 1000) : null,
        })
      ).map(buildView),
    }),
  }),
  route({
    method: "post",
    path: `${buildBase}/`,
    nickname: "requestRepoBuild",
    tag: "build",
    description: "Starts a build of an uploaded file (file_id) or an archive URL (archive_url).",
    scope: "repo:write",
    body: z.strictObject({
      file_id: z.string().max(64).optional(),
      archive_url: z.string().max(2048).optional(),
      subdirectory: z.string().max(255).optional(),
      dockerfile_path: z.string().max(255).optional(),
      context: z.string().max(255).optional(),
      pull_robot: z.string().max(255).nullable().optional(),
      docker_tags: z.array(z.string().max(128)).max(50).optional(),
    }),
    response: Build,
    status: 201,
    handler: async ({ s, principal, params, body, ip }) =>
      buildView(
        await s.builds.start(
          principal,
          params.repository!,
          {
            fileId: body.file_id,
            archiveUrl: body.archive_url,
            dockerTags: body.docker_tags,
            context: body.context ?? body.subdirectory,
            dockerfilePath: body.dockerfile_path,
            pullRobot: body.pull_robot,
          },
          ip,
        ),
      ),
  }),
  route({
    method: "get",
    path: `${buildBase}/{build_uuid}`,
    nickname: "getRepoBuild",
    tag: "build",
    description: "One build.",
    scope: "repo:read",
    response: Build,
    handler: async ({ s, principal, params }) =>
      buildView(await s.builds.get(principal, params.repository!, params.build_uuid!)),
  }),
  route({
    method: "get",
    path: `${buildBase}/{build_uuid}/status`,
    nickname: "getRepoBuildStatus",
    tag: "build",
    description: "One build's status (the same view as the build).",
    scope: "repo:read",
    response: Build,
    handler: async ({ s, principal, params }) =>
      buildView(await s.builds.get(principal, params.repository!, params.build_uuid!)),
  }),
  route({
    method: "delete",
    path: `${buildBase}/{build_uuid}`,
    nickname: "cancelRepoBuild",
    tag: "build",
    description: "Cancels a build that has not finished.",
    scope: "repo:write",
    response: null,
    handler: async ({ s, principal, params, ip }) => {
      await s.builds.cancel(principal, params.repository!, params.build_uuid!, ip);
    },
  }),
  route({
    method: "get",
    path: `${buildBase}/{build_uuid}/logs`,
    nickname: "getRepoBuildLogs",
    tag: "build",
    description: "A build's log lines from `start` on.",
    scope: "repo:read",
    query: { start: q.int("The index of the first line", { min: 0, max: 10_000_000, default: 0 }) },
    response: z.object({ start: z.number(), total: z.number(), logs: z.array(LogEntry) }),
    handler: async ({ s, principal, params, query }) => {
      const r = await s.builds.readLogs(principal, params.repository!, params.build_uuid!, query.start);
      return {
        start: query.start,
        total: r.total,
        logs: r.lines.map((l) => ({
          message: l.message,
          type: l.type,
          data: { ...(l.data ?? {}), phase: l.phase, datetime: l.at.toISOString() },
        })),
      };
    },
  }),
];

const TriggerStart = z.strictObject({
  branch_name: z.string().max(255).optional(),
  commit_sha: z.string().max(64).optional(),
  refs: z.strictObject({ kind: z.enum(["branch", "tag"]), name: z.string().max(255) }).optional(),
});

const triggerRoutes: Route[] = [
  route({
    method: "get",
    path: `${triggerBase}/`,
    nickname: "listBuildTriggers",
    tag: "trigger",
    description: "The repository's build triggers.",
    scope: "repo:admin",
    response: z.object({ triggers: z.array(Trigger) }),
    handler: async ({ s, principal, params }) => ({
      triggers: (await s.triggers.list(principal, params.repository!)).map(triggerView),
    }),
  }),
  route({
    method: "post",
    path: `${triggerBase}/`,
    nickname: "createBuildTrigger",
    tag: "trigger",
    description:
      "Creates a trigger for a service (custom-git, github, gitlab, bitbucket) with its deploy key and webhook URL; with `config` it is activated at once.",
    scope: "repo:admin",
    body: z.strictObject({
      service: z.string().max(32),
      config: z.record(z.string(), z.unknown()).optional(),
      pull_robot: z.string().max(255).nullable().optional(),
    }),
    response: Trigger,
    status: 201,
    handler: async ({ s, principal, params, body, ip }) =>
      triggerView(
        await s.triggers.create(
          principal,
          params.repository!,
          { service: body.service, config: body.config, pullRobot: body.pull_robot },
          ip,
        ),
      ),
  }),
  route({
    method: "get",
    path: `${triggerBase}/{trigger_uuid}`,
    nickname: "getBuildTrigger",
    tag: "trigger",
    description: "One build trigger.",
    scope: "repo:admin",
    response: Trigger,
    handler: async ({ s, principal, params }) =>
      triggerView(await s.triggers.get(principal, params.repository!, params.trigger_uuid!)),
  }),
  route({
    method: "put",
    path: `${triggerBase}/{trigger_uuid}`,
    nickname: "updateBuildTrigger",
    tag: "trigger",
    description: "Enables or disables a trigger.",
    scope: "repo:admin",
    body: z.strictObject({ enabled: z.boolean() }),
    response: Trigger,
    handler: async ({ s, principal, params, body, ip }) =>
      triggerView(
        await s.triggers.setEnabled(principal, params.repository!, params.trigger_uuid!, body.enabled, ip),
      ),
  }),
  route({
    method: "delete",
    path: `${triggerBase}/{trigger_uuid}`,
    nickname: "deleteBuildTrigger",
    tag: "trigger",
    description: "Deletes a trigger.",
    scope: "repo:admin",
    response: null,
    handler: async ({ s, principal, params, ip }) => {
      await s.triggers.delete(principal, params.repository!, params.trigger_uuid!, ip);
    },
  }),
  route({
    method: "post",
    path: `${triggerBase}/{trigger_uuid}/activate`,
    nickname: "activateBuildTrigger",
    tag: "trigger",
    description: "Saves a trigger's configuration and makes it live.",
    scope: "repo:admin",
    body: z.strictObject({
      config: z.record(z.string(), z.unknown()),
      pull_robot: z.string().max(255).nullable().optional(),
    }),
    response: Trigger,
    handler: async ({ s, principal, params, body, ip }) =>
      triggerView(
        await s.triggers.activate(
          principal,
          params.repository!,
          params.trigger_uuid!,
          { config: body.config, pullRobot: body.pull_robot },
          ip,
        ),
      ),
  }),
  route({
    method: "post",
    path: `${triggerBase}/{trigger_uuid}/start`,
    nickname: "manuallyStartBuildTrigger",
    tag: "trigger",
    description: "Runs the trigger now on a branch, a tag or a commit.",
    scope: "repo:write",
    body: TriggerStart,
    response: Build,
    status: 201,
    handler: async ({ s, principal, params, body }) =>
      buildView(
        await s.triggers.run(principal, params.repository!, params.trigger_uuid!, {
          branchName: body.branch_name,
          commitSha: body.commit_sha,
          refs: body.refs,
        }),
      ),
  }),
  route({
    method: "get",
    path: `${triggerBase}/{trigger_uuid}/builds`,
    nickname: "listTriggerRecentBuilds",
    tag: "trigger",
    description: "The trigger's recent builds.",
    scope: "repo:read",
    query: { limit: q.int("The maximum number of builds to return", { min: 1, max: 100, default: 5 }) },
    response: z.object({ builds: z.array(Build) }),
    handler: async ({ s, principal, params, query }) => ({
      builds: (
        await s.builds.list(principal, params.repository!, {
          limit: query.limit,
          triggerUuid: params.trigger_uuid!,
        })
      ).map(buildView),
    }),
  }),
];

export const buildAndTriggerRoutes: Route[] = [...buildRoutes, ...triggerRoutes];
