// GraphQL shapes of builds and build triggers, and their mapping from the builds capability's rows.
import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import type { BuildRow } from "../../builds/service.js";
import { phaseOf } from "../../builds/service.js";
import type { StoredLine } from "../../builds/logs.js";
import type { TriggerView } from "../../builds/triggers.js";
import type { TriggerMetadata } from "../../builds/types.js";
import { robotFullName } from "../../tenancy/names.js";
import { GraphQLJSON } from "./common.js";

@ObjectType({ description: "A phase a build entered, and when" })
export class BuildPhaseEntry {
  @Field(() => String) phase!: string;
  @Field(() => Date) at!: Date;
}

@ObjectType({ description: "The trigger that started a build" })
export class BuildTriggerRef {
  @Field(() => ID) id!: string;
  @Field(() => String) service!: string;
  @Field(() => String, { nullable: true }) buildSource!: string | null;
}

@ObjectType({ description: "A Dockerfile build" })
export class Build {
  @Field(() => ID) id!: string;
  @Field(() => String, {
    description:
      "waiting, build-scheduled, unpacking, pulling, building, pushing, complete, error, cancelled, expired or internalerror",
  })
  phase!: string;
  @Field(() => String) displayName!: string;
  @Field(() => [String]) tags!: string[];
  @Field(() => String) context!: string;
  @Field(() => String) dockerfilePath!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) completedAt!: Date | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true, description: "Who started it by hand" }) manualUser!: string | null;
  @Field(() => BuildTriggerRef, { nullable: true }) trigger!: BuildTriggerRef | null;
  @Field(() => GraphQLJSON, { nullable: true, description: "commit, ref, default_branch, commit_info" })
  triggerMetadata!: Record<string, unknown> | null;
  @Field(() => String, { nullable: true }) commit!: string | null;
  @Field(() => String, { nullable: true }) archiveUrl!: string | null;
  @Field(() => String, { nullable: true }) pullRobot!: string | null;
  @Field(() => String, { nullable: true }) manifestDigest!: string | null;
  @Field(() => [BuildPhaseEntry]) phases!: BuildPhaseEntry[];
  @Field(() => Int, { description: "Lines in its log" }) logCount!: number;
  @Field(() => Boolean, { description: "Lines past BUILD_LOG_LIMIT were not kept" }) logsTruncated!: boolean;
}

@ObjectType({ description: "One line of a build's log" })
export class BuildLogLine {
  @Field(() => Int) seq!: number;
  @Field(() => String) phase!: string;
  @Field(() => String, { description: 'phase, command, error, or "" for output' }) type!: string;
  @Field(() => String) message!: string;
  @Field(() => Date) at!: Date;
}

@ObjectType()
export class BuildLogPage {
  @Field(() => Int) total!: number;
  @Field(() => [BuildLogLine]) lines!: BuildLogLine[];
}

@ObjectType({ description: "What a live build sends: new log lines, or its new phase" })
export class BuildEvent {
  @Field(() => [BuildLogLine]) lines!: BuildLogLine[];
  @Field(() => String, { nullable: true }) phase!: string | null;
}

@ObjectType()
export class TriggerCredential {
  @Field(() => String) name!: string;
  @Field(() => String) value!: string;
}

@ObjectType({ description: "A build trigger" })
export class BuildTrigger {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: "custom-git, github, gitlab or bitbucket" }) service!: string;
  @Field(() => Boolean, { description: "Set up (activated)" }) active!: boolean;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => String, { nullable: true }) disabledReason!: string | null;
  @Field(() => String, { nullable: true }) buildSource!: string | null;
  @Field(() => String) dockerfilePath!: string;
  @Field(() => String) context!: string;
  @Field(() => String, { nullable: true }) branchtagRegex!: string | null;
  @Field(() => Boolean) defaultTagFromRef!: boolean;
  @Field(() => Boolean) latestForDefaultBranch!: boolean;
  @Field(() => [String]) tagTemplates!: string[];
  @Field(() => String, { nullable: true }) pullRobot!: string | null;
  @Field(() => String, { nullable: true }) connectedUser!: string | null;
  @Field(() => String, { nullable: true, description: "The deploy key to give read access" })
  publicKey!: string | null;
  @Field(() => String) webhookUrl!: string;
  @Field(() => [TriggerCredential]) credentials!: TriggerCredential[];
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
export class FileDrop {
  @Field(() => String) fileId!: string;
  @Field(() => String, { description: "PUT the file here" }) url!: string;
}

@InputType()
export class TriggerConfigInput {
  @Field(() => String, { nullable: true }) buildSource?: string | null;
  @Field(() => String, { nullable: true }) dockerfilePath?: string | null;
  @Field(() => String, { nullable: true }) context?: string | null;
  @Field(() => String, { nullable: true }) branchtagRegex?: string | null;
  @Field(() => Boolean, { nullable: true }) defaultTagFromRef?: boolean | null;
  @Field(() => Boolean, { nullable: true }) latestForDefaultBranch?: boolean | null;
  @Field(() => [String], { nullable: true }) tagTemplates?: string[] | null;
}

/** The input in Quay's key names, leaving out what was not given. */
export function triggerConfig(c: TriggerConfigInput): Record<string, unknown> {
  const out: Record<string, unknown> = {
    build_source: c.buildSource,
    dockerfile_path: c.dockerfilePath,
    context: c.context,
    branchtag_regex: c.branchtagRegex,
    default_tag_from_ref: c.defaultTagFromRef,
    latest_for_default_branch: c.latestForDefaultBranch,
    tag_templates: c.tagTemplates,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined && v !== null && v !== ""));
}

export const toBuild = (b: BuildRow): Build => ({
  id: b.uuid,
  phase: phaseOf(b.phase),
  displayName: b.displayName,
  tags: b.dockerTags,
  context: b.context,
  dockerfilePath: b.dockerfilePath || `${b.context.replace(/\/$/, "")}/Dockerfile`,
  createdAt: b.createdAt,
  startedAt: b.startedAt,
  completedAt: b.completedAt,
  error: b.error,
  manualUser: b.manualUser?.username ?? null,
  trigger: b.trigger
    ? {
        id: b.trigger.uuid,
        service: b.trigger.service,
        buildSource: (b.trigger.config as { build_source?: string }).build_source ?? null,
      }
    : null,
  triggerMetadata: (b.triggerMetadata as Record<string, unknown> | null) ?? null,
  commit: (b.triggerMetadata as TriggerMetadata | null)?.commit ?? null,
  archiveUrl: b.archiveUrl,
  pullRobot: b.pullRobot ? robotFullName(b.pullRobot.namespace.name, b.pullRobot.name) : null,
  manifestDigest: b.manifestDigest,
  phases: ((b.phases as { phase: string; at: string }[]) ?? []).map((p) => ({
    phase: p.phase,
    at: new Date(p.at),
  })),
  logCount: b.logCount,
  logsTruncated: b.logsTruncated,
});

export const toLine = (l: StoredLine): BuildLogLine => ({
  seq: l.seq,
  phase: l.phase,
  type: l.type,
  message: l.message,
  at: new Date(l.at),
});

export const toTrigger = (t: TriggerView): BuildTrigger => ({
  id: t.row.uuid,
  service: t.row.service,
  active: !!t.row.activatedAt,
  enabled: t.row.enabled,
  disabledReason: t.row.disabledReason,
  buildSource: t.config.build_source ?? null,
  dockerfilePath: t.config.dockerfile_path ?? "/Dockerfile",
  context: t.config.context ?? "/",
  branchtagRegex: t.config.branchtag_regex ?? null,
  defaultTagFromRef: t.config.default_tag_from_ref ?? true,
  latestForDefaultBranch: t.config.latest_for_default_branch ?? true,
  tagTemplates: t.config.tag_templates ?? [],
  pullRobot: t.row.pullRobot ? robotFullName(t.row.pullRobot.namespace.name, t.row.pullRobot.name) : null,
  connectedUser: t.row.connectedUser?.username ?? null,
  publicKey: t.row.publicKey,
  webhookUrl: t.webhookUrl,
  credentials: t.credentials,
  createdAt: t.row.createdAt,
});
