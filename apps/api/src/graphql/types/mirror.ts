// GraphQL shapes of repository mirroring: the configuration with its status, its syncs and their logs, and
// the inputs of creation and change; mapped from the mirroring capability's views.
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import type { MirrorPatch, MirrorView } from "../../mirroring/config.js";
import type { SyncView } from "../../mirroring/service.js";

export enum RepositoryStateName {
  NORMAL = "NORMAL",
  READ_ONLY = "READ_ONLY",
  MIRROR = "MIRROR",
}
registerEnumType(RepositoryStateName, {
  name: "RepositoryState",
  description: "NORMAL; READ_ONLY: no writes; MIRROR: only the mirror robot writes (FEATURE_REPO_MIRROR)",
});

@ObjectType({ description: "One line of a sync's log" })
export class MirrorSyncLogLine {
  @Field(() => Date) at!: Date;
  @Field(() => String, { description: "info, warn or error" }) level!: string;
  @Field(() => String) message!: string;
}

@ObjectType({ description: "One synchronization of a mirror" })
export class MirrorSync {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: "running, success, failed or cancelled" }) status!: string;
  @Field(() => Date) startedAt!: Date;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  @Field(() => Int, { description: "Tags copied or moved" }) tagsCopied!: number;
  @Field(() => Int, { description: "Tags already at the upstream's digest" }) tagsSkipped!: number;
  @Field(() => Int, { description: "Tags deleted because the upstream no longer has them" })
  tagsDeleted!: number;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => [MirrorSyncLogLine]) log!: MirrorSyncLogLine[];
}

@ObjectType({ description: "external_registry_config.proxy" })
export class MirrorProxy {
  @Field(() => String, { nullable: true }) httpProxy!: string | null;
  @Field(() => String, { nullable: true }) httpsProxy!: string | null;
  @Field(() => String, { nullable: true }) noProxy!: string | null;
}

@ObjectType({ description: "A repository's mirror of an external repository, with its status" })
export class RepositoryMirror {
  /** namespace/name, for the syncs field. */
  repository!: string;
  @Field(() => Boolean, { description: "Scheduled syncs run (a sync-now runs either way)" })
  isEnabled!: boolean;
  @Field(() => String, { description: "Always PULL" }) mirrorType!: string;
  @Field(() => String, { description: "host[:port]/namespace/repository" }) externalReference!: string;
  @Field(() => String, { nullable: true, description: "null: anonymous" }) username!: string | null;
  @Field(() => Boolean) verifyTls!: boolean;
  @Field(() => Boolean) unsignedImages!: boolean;
  @Field(() => MirrorProxy) proxy!: MirrorProxy;
  @Field(() => Int, { description: "Seconds between syncs" }) syncInterval!: number;
  @Field(() => Date) syncStartDate!: Date;
  @Field(() => Date, { nullable: true, description: "When the running or queued sync's claim lapses" })
  syncExpirationDate!: Date | null;
  @Field(() => Int) syncRetriesRemaining!: number;
  @Field(() => String, { description: "NEVER_RUN, SYNC_NOW, SYNCING, SUCCESS, FAIL or CANCEL" })
  syncStatus!: string;
  @Field(() => [String], { description: "root_rule: tag globs (tag_glob_csv)" }) tagGlobs!: string[];
  @Field(() => String, { nullable: true, description: "The robot that writes; null once deleted" })
  robot!: string | null;
  @Field(() => Date, { nullable: true, description: "Start of the last finished sync" })
  lastSyncAt!: Date | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Date, { nullable: true, description: "When the next scheduled sync is due" })
  nextSyncAt!: Date | null;
}

@InputType({ description: "A mirror's configuration; in an update, what is left out stays" })
export class RepositoryMirrorInput {
  @Field(() => String, { nullable: true }) externalReference?: string;
  @Field(() => [String], { nullable: true }) tagGlobs?: string[];
  @Field(() => String, { nullable: true, description: "A robot of the repository's namespace" })
  robot?: string;
  @Field(() => Int, { nullable: true }) syncInterval?: number;
  @Field(() => Date, { nullable: true }) syncStartDate?: Date;
  @Field(() => Boolean, { nullable: true }) isEnabled?: boolean;
  @Field(() => String, { nullable: true, description: "null or empty: anonymous" })
  username?: string | null;
  @Field(() => String, { nullable: true }) password?: string | null;
  @Field(() => Boolean, { nullable: true }) verifyTls?: boolean;
  @Field(() => Boolean, { nullable: true }) unsignedImages?: boolean;
  @Field(() => String, { nullable: true }) httpProxy?: string | null;
  @Field(() => String, { nullable: true }) httpsProxy?: string | null;
  @Field(() => String, { nullable: true }) noProxy?: string | null;
}

const given = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** The input as a patch: GraphQL's null for a setting means "leave it", except for the credentials. */
export function patchOf(i: RepositoryMirrorInput): MirrorPatch {
  const proxy = {
    ...(i.httpProxy !== undefined ? { http_proxy: i.httpProxy } : {}),
    ...(i.httpsProxy !== undefined ? { https_proxy: i.httpsProxy } : {}),
    ...(i.noProxy !== undefined ? { no_proxy: i.noProxy } : {}),
  };
  return {
    externalReference: given(i.externalReference),
    tagGlobs: given(i.tagGlobs),
    robotUsername: given(i.robot),
    syncInterval: given(i.syncInterval),
    syncStartDate: given(i.syncStartDate),
    isEnabled: given(i.isEnabled),
    username: i.username,
    password: i.password,
    verifyTls: given(i.verifyTls),
    unsignedImages: given(i.unsignedImages),
    proxy: Object.keys(proxy).length ? proxy : undefined,
  };
}

export const toMirror = (m: MirrorView): RepositoryMirror => ({
  ...m,
  mirrorType: "PULL",
  proxy: { httpProxy: m.proxy.http_proxy, httpsProxy: m.proxy.https_proxy, noProxy: m.proxy.no_proxy },
});

export const toSync = (s: SyncView): MirrorSync => ({
  ...s,
  id: String(s.id),
  log: s.log.map((l) => ({ at: new Date(l.at), level: l.level, message: l.message })),
});
