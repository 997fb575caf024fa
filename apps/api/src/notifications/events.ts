// The repository events a notification can watch (Quay's notification event plugins): for each, its title in
// the console, the event data as Quay sends it (seed 001 §12.1, seed 004 "Creating an image expiration
// notification"), its summary line and level, a sample for "Test Notification", and its filter.
import { SEVERITIES as SCANNER_SEVERITIES, type Severity } from "../scanning/types.js";
import { splitRepository } from "../tenancy/names.js";
import type { BuildEventPayload, EventName, EventPayloads } from "../events/catalogue.js";

export type Level = "info" | "primary" | "success" | "warning" | "error";

/** Where the repository lives, for the links every event carries. */
export interface Site {
  /** host[:port] as clients pull from it (docker_url). */
  host: string;
  /** scheme://host, the console's base (homepage). */
  base: string;
}

/** Quay's severities, most severe first: a vulnerability filter's level is an index into this list. */
/** Quay's levels, most severe first (its level filter is an index into this order). */
export const SEVERITIES: readonly Severity[] = [...SCANNER_SEVERITIES].reverse();

export type RepoEvent = Exclude<
  EventName,
  "tag_deleted" | "quota_warning" | "quota_error" | "team_invite_created" | "user_email_unconfirmed"
>;
type Data = Record<string, unknown>;

interface EventKind<E extends RepoEvent> {
  title: string;
  render(p: EventPayloads[E], site: Site): Data;
  summary(d: Data): string;
  level(d: Data): Level;
  /** A payload for a test of this event in `repository` (namespace/name). */
  sample(repository: string): EventPayloads[E];
  /** Whether a notification with this event configuration wants this event. */
  wants?(config: Record<string, unknown>, p: EventPayloads[E]): boolean;
}

function repoFields(repository: string, site: Site): Data {
  const [namespace, name] = splitRepo(repository);
  return {
    repository,
    namespace,
    name,
    docker_url: `${site.host}/${repository}`,
    homepage: `${site.base}/repository/${repository}`,
  };
}

/** `namespace/name` as a pair (the name rules' own split; an event always names a whole repository). */
export const splitRepo = (full: string): [string, string] => {
  const parts = splitRepository(full);
  return parts ? [parts.namespace, parts.name] : ["", full];
};

/** Quay's build event data: optional parts appear only when the build has them. */
function buildFields(p: BuildEventPayload, site: Site): Data {
  const [, name] = splitRepo(p.repository);
  return {
    build_id: p.buildId,
    ...(p.triggerKind ? { trigger_kind: p.triggerKind } : {}),
    name,
    repository: p.repository,
    namespace: p.namespace,
    docker_url: `${site.host}/${p.repository}`,
    ...(p.triggerId ? { trigger_id: p.triggerId } : {}),
    docker_tags: p.dockerTags,
    ...(p.buildName ? { build_name: p.buildName } : {}),
    ...(p.triggerMetadata ? { trigger_metadata: p.triggerMetadata } : {}),
    homepage: `${site.base}/repository/${p.repository}/build/${p.buildId}`,
  };
}

const sampleBuild = (repository: string): BuildEventPayload => ({
  repository,
  namespace: splitRepo(repository)[0],
  buildId: "296ec063-5f86-4706-a469-f0a400bf9df2",
  buildName: "b7f7d2b",
  dockerTags: ["latest"],
  triggerKind: "github",
  triggerId: "38b6e180-9521-4ff7-9844-acf371340b9e",
  triggerMetadata: {
    default_branch: "master",
    commit: "b7f7d2b948aacbe844ee465122a85a9368b2b735",
    ref: "refs/heads/master",
    git_url: "git@github.com:example/test.git",
  },
  isManual: false,
  manualUser: null,
});

const str = (d: Data, k: string) => String(d[k] ?? "");

function build<
  E extends "build_queued" | "build_start" | "build_success" | "build_failure" | "build_cancelled",
>(
  title: string,
  verb: string,
  level: Level,
  extra: (p: EventPayloads[E]) => Data,
  sample: (b: BuildEventPayload) => EventPayloads[E],
): EventKind<E> {
  return {
    title,
    render: (p, site) => ({ ...buildFields(p, site), ...extra(p) }),
    summary: (d) => `Build ${verb} for repository ${str(d, "repository")}`,
    level: () => level,
    sample: (r) => sample(sampleBuild(r)),
  };
}

function mirror<
  E extends "repo_mirror_sync_started" | "repo_mirror_sync_success" | "repo_mirror_sync_failed",
>(title: string, summary: string, level: Level, sample: (r: string) => EventPayloads[E]): EventKind<E> {
  return {
    title,
    render: (p, site) => ({
      ...repoFields(p.repository, site),
      ...(p.message ? { message: p.message } : {}),
      ...("error" in p ? { error: p.error } : {}),
    }),
    summary: (d) => `${summary} ${str(d, "repository")}`,
    level: () => level,
    sample,
  };
}

/** A filter level given as a severity's name or as Quay's index into SEVERITIES. */
export function severityIndex(v: unknown): number | null {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v < SEVERITIES.length) return v;
  if (typeof v === "string") {
    if (/^\d$/.test(v)) return severityIndex(Number(v));
    const i = SEVERITIES.findIndex((s) => s.toLowerCase() === v.toLowerCase());
    return i < 0 ? null : i;
  }
  return null;
}

export const EVENT_KINDS: { [E in RepoEvent]: EventKind<E> } = {
  repo_push: {
    title: "Push to Repository",
    render: (p, site) => ({ ...repoFields(p.repository, site), updated_tags: p.tags }),
    summary: (d) => `Repository ${str(d, "repository")} updated`,
    level: () => "primary",
    sample: (r) => ({
      repository: r,
      namespace: splitRepo(r)[0],
      tags: ["latest"],
      digest: "sha256:0000000000000000000000000000000000000000000000000000000000000000",
      pusher: null,
    }),
  },
  build_queued: build(
    "Dockerfile Build Queued",
    "queued",
    "info",
    (p) => ({
      repo: splitRepo(p.repository)[1],
      is_manual: p.isManual ?? false,
      manual_user: p.manualUser ?? null,
    }),
    (b) => b,
  ),
  build_start: build(
    "Dockerfile Build Started",
    "started",
    "info",
    () => ({}),
    (b) => b,
  ),
  build_success: build(
    "Dockerfile Build Successfully Completed",
    "succeeded",
    "success",
    (p) => ({
      ...(p.imageId ? { image_id: p.imageId } : {}),
      ...(p.manifestDigests ? { manifest_digests: p.manifestDigests } : {}),
    }),
    (b) => ({ ...b, imageId: "sha256:0339f178f26ae24930e9ad32751d6839015109eabdf1c25b3b0f2abf8934f6cb" }),
  ),
  build_failure: build(
    "Dockerfile Build Failed",
    "failure",
    "error",
    (p) => ({ error_message: p.errorMessage }),
    (b) => ({ ...b, errorMessage: "Could not find or parse Dockerfile: unknown instruction: GIT" }),
  ),
  build_cancelled: build(
    "Dockerfile Build Cancelled",
    "cancelled",
    "info",
    () => ({}),
    (b) => b,
  ),
  vulnerability_found: {
    title: "Package Vulnerability Found",
    render: (p, site) => ({
      ...repoFields(p.repository, site),
      tags: p.tags,
      vulnerability: p.vulnerability,
    }),
    summary: (d) => {
      const v = d.vulnerability as { id: string; priority: string };
      return `${v.priority} vulnerability ${v.id} detected in repository ${str(d, "repository")}`;
    },
    level: (d) => {
      const i = severityIndex((d.vulnerability as { priority: string }).priority) ?? 5;
      return i <= 1 ? "error" : i === 2 ? "warning" : "info";
    },
    sample: (r) => ({
      repository: r,
      namespace: splitRepo(r)[0],
      tags: ["latest", "othertag"],
      vulnerability: {
        id: "CVE-1234-5678",
        description: "This is a bad vulnerability",
        link: "http://url/to/vuln/info",
        priority: "Critical",
        has_fix: true,
      },
    }),
    // Quay's "level" filter: events at least as severe as the chosen level.
    wants: (config, p) => {
      const filter = severityIndex(config.level);
      const got = severityIndex(p.vulnerability.priority) ?? SEVERITIES.length - 1;
      return filter === null || got <= filter;
    },
  },
  repo_mirror_sync_started: mirror(
    "Repository Mirror Started",
    "Repository Mirror started for",
    "info",
    (r) => ({
      repository: r,
      namespace: splitRepo(r)[0],
      message: "TEST NOTIFICATION",
    }),
  ),
  repo_mirror_sync_success: mirror(
    "Repository Mirror Success",
    "Repository Mirror successful for",
    "success",
    (r) => ({ repository: r, namespace: splitRepo(r)[0], message: "TEST NOTIFICATION" }),
  ),
  repo_mirror_sync_failed: mirror(
    "Repository Mirror Unsuccessful",
    "Repository Mirror unsuccessful for",
    "error",
    (r) => ({
      repository: r,
      namespace: splitRepo(r)[0],
      message: "TEST NOTIFICATION",
      error: "TEST NOTIFICATION",
    }),
  ),
  repo_image_expiry: {
    title: "Image Expiry Trigger",
    render: (p, site) => ({
      ...repoFields(p.repository, site),
      tags: p.tags,
      ...(p.expiringInDays !== undefined ? { expiring_in: `${p.expiringInDays} days` } : {}),
    }),
    summary: (d) => `Repository ${str(d, "repository")} image(s) expiring`,
    level: () => "warning",
    sample: (r) => ({ repository: r, namespace: splitRepo(r)[0], tags: ["latest", "v1"], expiringInDays: 1 }),
    // An event found for one notification (its days ahead) goes to that one; one from garbage collection
    // (expired now) to those that set no days.
    wants: (config, p) => (p.notification ? true : !(Number(config.days) > 0)),
  },
};

export const REPO_EVENTS = Object.keys(EVENT_KINDS) as RepoEvent[];
export const isRepoEvent = (e: string): e is RepoEvent => e in EVENT_KINDS;

/** The event's data, summary and level, as every method sends them. */
export function describe<E extends RepoEvent>(event: E, payload: EventPayloads[E], site: Site) {
  const kind = EVENT_KINDS[event] as EventKind<E>;
  const data = kind.render(payload, site);
  return { data, summary: kind.summary(data), level: kind.level(data) };
}

/** Checks an event configuration (Quay's eventConfig) and returns it normalised. */
export function checkEventConfig(event: RepoEvent, config: Record<string, unknown>): Record<string, unknown> {
  if (event === "vulnerability_found" && config.level !== undefined) {
    const i = severityIndex(config.level);
    if (i === null) throw new Error(`level must be one of ${SEVERITIES.join(", ")} (or 0 to 5)`);
    return { level: i };
  }
  if (event === "repo_image_expiry") {
    if (config.days === undefined) return {};
    const days = Number(config.days);
    if (!Number.isInteger(days) || days < 1 || days > 3650)
      throw new Error("days must be a whole number of days from 1 to 3650");
    return { days };
  }
  return {};
}
