// One sync of a mirror, as the `mirror` queue runs it: claim the queued sync, list the upstream's tags, keep
// those the rule matches, copy each whose upstream digest differs from ours (a few at once), delete the tags
// the upstream no longer has (as Quay does: every tag outside the copied set), and release with the outcome.
// A heartbeat renews the claim, writes the log and stops the sync within a second of a cancel.
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { Encryptor } from "../access/secrets.js";
import type { TagCommandService } from "../tags/commands.js";
import { aliveAt } from "../tags/history.js";
import { DomainError } from "../common/errors.js";
import { RemoteError, RemoteRegistry } from "../remote/index.js";
import { credentialsOf, parseReference, proxyOf, proxySettings } from "./config.js";
import {
  line,
  type Claim,
  type LogLine,
  type MirrorClaims,
  type Outcome,
  type SyncResult,
} from "./claims.js";
import { TagCopier, type CopyDeps } from "./copy.js";
import { HEARTBEAT_MS, matchTags, TAG_CONCURRENCY } from "./rules.js";

/** Log lines kept per sync; later ones are counted, not stored. */
const MAX_LOG_LINES = 5000;

class Stopped extends Error {
  constructor(readonly why: "cancelled" | "lost") {
    super(why === "cancelled" ? "the sync was cancelled" : "the sync's claim was taken over");
  }
}

/** A running sync's heartbeat, log and stop signal. */
class SyncControl {
  private readonly ac = new AbortController();
  private pending: LogLine[] = [];
  private lines = 0;
  private beating: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  state: "running" | "cancelled" | "lost" = "running";

  constructor(
    private readonly claims: MirrorClaims,
    private readonly claim: Claim,
  ) {
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
  }

  get signal(): AbortSignal {
    return this.ac.signal;
  }

  log(level: LogLine["level"], message: string): void {
    if (this.lines++ < MAX_LOG_LINES) this.pending.push(line(level, message));
    else if (this.lines === MAX_LOG_LINES + 1) this.pending.push(line("warn", "later log lines not kept"));
  }

  /** Throws once the sync must stop (checked between tags; requests in flight are aborted). */
  check(): void {
    if (this.state !== "running") throw new Stopped(this.state);
  }

  private beat(): Promise<void> {
    this.beating ??= (async () => {
      const lines = this.pending.splice(0);
      // A database hiccup is not a lost claim: the lease outlasts many missed beats.
      const status = await this.claims.heartbeat(this.claim, lines).catch(() => "unknown" as const);
      if (status === null) this.stop("lost");
      else if (status === "CANCEL") this.stop("cancelled");
    })().finally(() => (this.beating = null));
    return this.beating;
  }

  private stop(why: "cancelled" | "lost"): void {
    if (this.state !== "running") return;
    this.state = why;
    this.ac.abort(new Stopped(why));
  }

  /** Stops the heartbeat; the lines not yet written. */
  async end(): Promise<LogLine[]> {
    clearInterval(this.timer);
    await this.beating;
    return this.pending.splice(0);
  }
}

/** Runs `fn` over `items`, `n` at once; the first failure stops taking new items and is thrown at the end. */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { e: unknown } | null = null;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      await fn(item).catch((e: unknown) => void (failure ??= { e }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (failure) throw (failure as { e: unknown }).e;
}

/** What a failure tells the repository's admins, in the sync's log and the failed event. */
export function describeFailure(e: unknown, registry: string, username: string | undefined): string {
  if (e instanceof RemoteError) {
    if (e.kind === "unauthorized") {
      const said = e.upstreamMessage ? ` ("${e.upstreamMessage}")` : "";
      const who = username ? `access refused to ${username}` : "it requires credentials and none were given";
      return `authentication to ${registry} failed: ${who}${said}; check external_registry_username and external_registry_password`;
    }
    if (e.kind === "tls")
      return `TLS verification of ${registry} failed: ${e.message}; set verify_tls to false to accept its certificate`;
    if (e.kind === "not_found") return `not found on ${registry}: ${e.message}`;
    return e.message;
  }
  if (e instanceof DomainError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

export class MirrorSyncer {
  constructor(
    private readonly db: Db,
    private readonly claims: MirrorClaims,
    private readonly enc: Encryptor,
    private readonly copy: CopyDeps,
    private readonly tagCommands: Pick<TagCommandService, "deleteTags">,
    private readonly log: Logger,
    private readonly enabled: boolean,
  ) {}

  /** The periodic look (mirror-schedule). */
  schedule() {
    return this.enabled ? this.claims.schedule() : Promise.resolve({ off: true });
  }

  /** Runs the queued sync of one mirror (mirror-sync); a sync another worker holds is left to it. */
  async run(configId: bigint): Promise<Record<string, unknown>> {
    if (!this.enabled) return { off: true };
    const claim = await this.claims.claim(configId);
    if (!claim) return { claimed: false };
    const ctl = new SyncControl(this.claims, claim);
    const r: SyncResult = { copied: 0, skipped: 0, deleted: 0, tags: [], error: null, lines: [] };
    let outcome: Outcome = "SUCCESS";
    try {
      const failed = await this.sync(claim, ctl, r);
      ctl.check();
      if (failed.length) {
        outcome = "FAIL";
        r.error = `${failed.length} of ${r.tags.length} tags failed to sync: ${failed.join(", ")}`;
      }
    } catch (e) {
      outcome = ctl.state === "cancelled" ? "CANCEL" : "FAIL";
      if (ctl.state === "running") {
        const { registry } = parseReference(claim.externalReference);
        r.error = describeFailure(e, registry, credentialsOf(this.enc, claim.credentialsSealed)?.username);
        ctl.log("error", r.error);
        if (!(e instanceof RemoteError || e instanceof DomainError))
          this.log.error(
            { err: String((e as Error)?.stack ?? e), configId: String(configId) },
            "mirror sync",
          );
      } else if (ctl.state === "cancelled") {
        r.error = "cancelled";
        ctl.log("warn", "sync cancelled");
      }
    }
    if (outcome === "SUCCESS")
      ctl.log("info", `sync finished: ${r.copied} copied, ${r.skipped} unchanged, ${r.deleted} deleted`);
    r.lines = await ctl.end();
    if (ctl.state === "lost" || !(await this.claims.release(claim, outcome, r))) return { lost: true };
    return { outcome, copied: r.copied, skipped: r.skipped, deleted: r.deleted };
  }

  /** The sync proper; returns the tags that failed (the others were copied or unchanged). */
  private async sync(claim: Claim, ctl: SyncControl, r: SyncResult): Promise<string[]> {
    const full = `${claim.repo.namespace.name}/${claim.repo.name}`;
    const robot = claim.robot;
    if (!robot)
      throw new DomainError(
        "BAD_USER_INPUT",
        `Repository ${full} is configured for mirroring but no robot is assigned.`,
      );
    const { registry, repository: upstream } = parseReference(claim.externalReference);
    const credentials = credentialsOf(this.enc, claim.credentialsSealed);
    const remote = new RemoteRegistry({
      registry,
      verifyTls: claim.verifyTls,
      // Without verification, plain HTTP is tried after HTTPS as well (skopeo's --src-tls-verify=false).
      insecure: !claim.verifyTls,
      credentials,
      proxy: proxySettings(proxyOf(claim.proxy)),
      userAgent: "harbormaster-mirror/1",
    });
    try {
      const upstreamTags = await remote.listTags(upstream, { signal: ctl.signal });
      r.tags = matchTags(upstreamTags, claim.tagGlobs);
      ctl.log(
        "info",
        `${upstreamTags.length} tags upstream, ${r.tags.length} matching '${claim.tagGlobs.join(",")}'`,
      );
      const local = await this.localTags(claim.repo.id);
      const copier = new TagCopier(remote, upstream, claim.repo, robot, this.copy, ctl.signal);
      const gone = new Set<string>();
      const failed: string[] = [];
      await pool(r.tags, TAG_CONCURRENCY, async (tag) => {
        ctl.check();
        try {
          const head = await remote.headManifest(upstream, tag, { signal: ctl.signal });
          if (!head) {
            gone.add(tag);
            return ctl.log("warn", `${tag}: gone upstream since the tag list was read`);
          }
          const had = local.get(tag);
          if (had === head.digest) {
            r.skipped++;
            return;
          }
          const c = await copier.copyTag(tag);
          r.copied++;
          const what = `${c.manifests} manifest${c.manifests > 1 ? "s" : ""}, ${c.blobs} blobs (${c.bytes} bytes) fetched`;
          ctl.log(
            "info",
            had
              ? `${tag}: moved from ${had} to ${c.digest} (${what})`
              : `${tag}: copied ${c.digest} (${what})`,
          );
        } catch (e) {
          if (ctl.state !== "running") throw e;
          failed.push(tag);
          ctl.log("error", `${tag}: ${describeFailure(e, registry, credentials?.username)}`);
        }
      });
      ctl.check();
      // Quay's delete_obsolete_tags: whatever the sync did not find upstream goes (tags that failed stay).
      const keep = new Set(r.tags.filter((t) => !gone.has(t)));
      const obsolete = [...local.keys()].filter((t) => !keep.has(t));
      for (let i = 0; i < obsolete.length; i += 100) {
        const deleted = await this.tagCommands
          .deleteTags(robot, full, obsolete.slice(i, i + 100), null)
          .catch((e: DomainError) => (e.code === "NOT_FOUND" ? [] : Promise.reject(e)));
        r.deleted += deleted.length;
      }
      if (obsolete.length)
        ctl.log(
          "info",
          `deleted ${obsolete.length} tags not found upstream under the rule: ${obsolete.join(", ")}`,
        );
      return failed;
    } finally {
      remote.close();
    }
  }

  /** The repository's alive tags and their manifests' digests. */
  private async localTags(repositoryId: bigint): Promise<Map<string, string>> {
    const rows = await this.db.tag.findMany({
      where: { repositoryId, hidden: false, ...aliveAt(new Date()) },
      select: { name: true, manifest: { select: { digest: true } } },
    });
    return new Map(rows.map((t) => [t.name, t.manifest.digest]));
  }
}
