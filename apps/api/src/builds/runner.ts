// The build worker's side: takes one queued build, waits for a slot of its namespace, runs the executor
// (buildah) with heartbeats, phases and log lines recorded, and ends the build with its event. The
// watchdog fails builds whose worker stopped beating (killed, machine lost) and expires builds that waited
// too long, so that no build stays running forever.
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { Encryptor } from "../access/secrets.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import type { EventName } from "../events/catalogue.js";
import { robotFullName } from "../tenancy/names.js";
import { BuildFailure, runBuild, type BuildSource } from "./executor/index.js";
import { removeWorkdir } from "./executor/cleanup.js";
import { SOURCES } from "./sources/index.js";
import type { FileDrops } from "./filedrop.js";
import type { BuildLogs } from "./logs.js";
import {
  appendPhase,
  BUILD_INCLUDE,
  BUILDER_ROBOT,
  eventPayload,
  phaseOf,
  type BuildRow,
} from "./service.js";
import {
  isTerminal,
  type LogLine,
  type Phase,
  type TriggerConfig,
  type TriggerMetadata,
  type TriggerService,
} from "./types.js";

const RUNNING: Phase[] = ["build-scheduled", "unpacking", "pulling", "building", "pushing"];
const dbPhase = (p: Phase) => (p === "build-scheduled" ? "build_scheduled" : p) as never;
const BEAT_MS = 2000;
/** A build still waiting after this long is expired (Quay's "expired"). */
const WAIT_LIMIT_MS = 24 * 60 * 60 * 1000;
const INTERNAL = "internal error: the worker running this build stopped";

export interface RunnerConfig {
  registry: string;
  tlsVerify: boolean;
  workDir: string;
  timeoutMs: number;
  maxContextBytes: number;
  /** A running build whose worker has not beaten for this long is failed by the watchdog. */
  staleMs: number;
  namespaceConcurrency: number;
  failureThreshold: number;
  internalThreshold: number;
}

export class BuildRunner {
  private readonly me = `${os.hostname()}:${process.pid}`;

  constructor(
    private readonly db: Db,
    private readonly uow: UnitOfWork,
    private readonly encryptor: Encryptor,
    private readonly files: FileDrops,
    private readonly logs: BuildLogs,
    private readonly log: Logger,
    private readonly cfg: RunnerConfig,
  ) {}

  async run(buildId: bigint): Promise<{ phase: string }> {
    const build = await this.load(buildId);
    if (!build || isTerminal(phaseOf(build.phase))) return { phase: build ? phaseOf(build.phase) : "gone" };
    // A job taken up again after its worker died (Bull's stalled check): that run is lost, not resumable.
    if (build.phase !== "waiting") {
      await this.finish(build, "internalerror", INTERNAL, "build_failure");
      return { phase: "internalerror" };
    }
    if (!(await this.claim(build))) return { phase: "cancelled" };
    const controller = new AbortController();
    const beat = setInterval(() => void this.beat(build.id, controller), BEAT_MS);
    const writer = new LineWriter(this.logs, build.id, build.uuid);
    try {
      const outcome = await this.execute(build, controller.signal, writer);
      await writer.close();
      await this.finish(build, "complete", null, "build_success", outcome.digest);
      return { phase: "complete" };
    } catch (err) {
      const f =
        err instanceof BuildFailure ? err : new BuildFailure("internal", String((err as Error)?.message));
      // The executor logs its own failures; what failed before or around it is logged here.
      if (!writer.executorRan || !(err instanceof BuildFailure))
        writer.push({ type: "error", message: f.message });
      await writer.close();
      const [phase, event]: [Phase, EventName] =
        f.kind === "cancelled"
          ? ["cancelled", "build_cancelled"]
          : f.kind === "internal"
            ? ["internalerror", "build_failure"]
            : ["error", "build_failure"];
      if (f.kind === "internal")
        this.log.error({ build: build.uuid, err: f.message }, "build: internal error");
      await this.finish(build, phase, f.message, event);
      return { phase };
    } finally {
      clearInterval(beat);
    }
  }

  private load(id: bigint): Promise<BuildRow | null> {
    return this.db.build.findUnique({ where: { id }, include: BUILD_INCLUDE });
  }

  /** Waits for a free slot of the namespace (BUILD_NAMESPACE_CONCURRENCY), then marks the build scheduled. */
  private async claim(build: BuildRow): Promise<boolean> {
    const ns = build.repository.namespaceId;
    for (;;) {
      const got = await this.uow.run(async (w) => {
        await w.tx
          .$executeRaw`SELECT pg_advisory_xact_lock(hashtext('build-slots'), ${Number(ns % 2147483647n)}::int)`;
        const [row] = await w.tx.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM "Build" b JOIN "Repository" r ON r.id = b."repositoryId"
          WHERE r."namespaceId" = ${ns} AND b.phase::text IN ('build-scheduled','unpacking','pulling','building','pushing')`;
        if ((row?.n ?? 0) >= this.cfg.namespaceConcurrency) {
          // Cancelled while it waited for a slot: nothing to run.
          const now = await w.tx.build.findUnique({ where: { id: build.id }, select: { phase: true } });
          return now?.phase === "waiting" ? ("full" as const) : ("gone" as const);
        }
        const claimed = await w.tx.build.updateMany({
          where: { id: build.id, phase: "waiting" },
          data: {
            phase: "build_scheduled",
            phases: appendPhase(build.phases, "build-scheduled"),
            worker: this.me,
            heartbeatAt: new Date(),
            startedAt: new Date(),
          },
        });
        if (!claimed.count) return "gone" as const;
        w.emit("build_start", eventPayload(build), build.repositoryId);
        return "ok" as const;
      });
      if (got === "ok") {
        await this.logs.publish(build.uuid, { kind: "phase", phase: "build-scheduled" });
        return true;
      }
      if (got === "gone") return false;
      await new Promise((r) => setTimeout(r, BEAT_MS));
    }
  }

  /** The heartbeat, which also carries a cancel request to the running build. */
  private async beat(id: bigint, controller: AbortController): Promise<void> {
    const rows = await this.db.$queryRaw<{ cancel: Date | null }[]>`
      UPDATE "Build" SET "heartbeatAt" = now() WHERE id = ${id} RETURNING "cancelRequestedAt" AS cancel`.catch(
      () => [],
    );
    if (rows[0]?.cancel && !controller.signal.aborted) controller.abort();
  }

  private async execute(build: BuildRow, signal: AbortSignal, writer: LineWriter) {
    const ns = build.repository.namespace.name;
    const builder = await this.db.robot.findUniqueOrThrow({
      where: { namespaceId_name: { namespaceId: build.repository.namespaceId, name: BUILDER_ROBOT } },
    });
    const pushPassword = this.encryptor.decrypt(builder.tokenEncrypted);
    const pull = build.pullRobot
      ? {
          registry: this.cfg.registry,
          username: robotFullName(build.pullRobot.namespace.name, build.pullRobot.name),
          password: this.encryptor.decrypt(build.pullRobot.tokenEncrypted),
          tlsVerify: this.cfg.tlsVerify,
        }
      : null;
    const { source, secrets } = await this.source(build);
    const image = `${this.cfg.registry}/${ns}/${build.repository.name}`;
    await fs.promises.mkdir(this.cfg.workDir, { recursive: true, mode: 0o700 });
    writer.executorRan = true;
    return runBuild({
      workdir: path.join(this.cfg.workDir, build.uuid),
      source,
      context: build.context,
      dockerfilePath: build.dockerfilePath,
      tags: build.dockerTags.map((t) => `${image}:${t}`),
      push: {
        registry: this.cfg.registry,
        username: robotFullName(ns, BUILDER_ROBOT),
        password: pushPassword,
        tlsVerify: this.cfg.tlsVerify,
      },
      pull,
      timeoutMs: this.cfg.timeoutMs,
      maxContextBytes: this.cfg.maxContextBytes,
      signal,
      onPhase: async (phase) => {
        await writer.flush();
        // Appended where it is stored: no read of the row first, no lost entry.
        await this.db.$executeRaw`
          UPDATE "Build" SET phase = ${phase}::"BuildPhase",
            phases = phases || jsonb_build_array(jsonb_build_object('phase', ${phase}::text, 'at', ${new Date().toISOString()}::text))
          WHERE id = ${build.id}`;
        writer.phase = phase;
        writer.push({ type: "phase", message: phase, data: { datetime: new Date().toISOString() } });
        await this.logs.publish(build.uuid, { kind: "phase", phase });
      },
      onLog: (line) => writer.push(line),
      secrets: [pushPassword, ...(pull ? [pull.password] : []), ...secrets],
    });
  }

  private async source(build: BuildRow): Promise<{ source: BuildSource; secrets: string[] }> {
    if (build.fileId) return { source: { kind: "file", path: this.files.pathOf(build.fileId) }, secrets: [] };
    if (build.archiveUrl) return { source: { kind: "url", url: build.archiveUrl }, secrets: [] };
    const trigger = build.trigger;
    if (!trigger) throw new BuildFailure("internal", "The build has no source");
    const sealed = JSON.parse(this.encryptor.decrypt(trigger.sealed)) as {
      privateKey?: string;
      authToken: string;
      webhookSecret: string;
    };
    const meta = build.triggerMetadata as unknown as TriggerMetadata;
    const plugin = SOURCES[trigger.service as TriggerService];
    const url = plugin.cloneUrl(trigger.config as TriggerConfig, meta);
    return {
      source: { kind: "git", url, commit: meta.commit, ref: meta.ref, privateKey: sealed.privateKey },
      secrets: [sealed.authToken, sealed.webhookSecret, ...(sealed.privateKey ? [sealed.privateKey] : [])],
    };
  }

  /** Ends a build: its phase, error and event; then its trigger's run of failures (and self-disabling). */
  private async finish(
    build: BuildRow,
    phase: Phase,
    error: string | null,
    event: EventName,
    digest?: string,
  ) {
    await this.uow.run(async (w) => {
      const current = await w.tx.build.findUnique({ where: { id: build.id } });
      if (!current || isTerminal(phaseOf(current.phase))) return;
      await w.tx.build.update({
        where: { id: build.id },
        data: {
          phase: dbPhase(phase),
          phases: appendPhase(current.phases, phase),
          error,
          completedAt: new Date(),
          ...(digest ? { manifestDigest: digest } : {}),
        },
      });
      const payload = eventPayload(build);
      if (event === "build_failure")
        w.emit(event, { ...payload, errorMessage: error ?? "" }, build.repositoryId);
      else if (event === "build_success")
        w.emit(event, { ...payload, manifestDigests: digest ? [digest] : [] }, build.repositoryId);
      else w.emit(event, payload, build.repositoryId);
      if (!build.triggerId || phase === "cancelled") return;
      const t = await w.tx.buildTrigger.update({
        where: { id: build.triggerId },
        data:
          phase === "complete"
            ? { successiveFailures: 0, successiveInternal: 0 }
            : phase === "internalerror"
              ? { successiveInternal: { increment: 1 } }
              : { successiveFailures: { increment: 1 } },
      });
      const reason =
        t.successiveFailures >= this.cfg.failureThreshold
          ? "successive_build_failures"
          : t.successiveInternal >= this.cfg.internalThreshold
            ? "successive_build_internal_errors"
            : null;
      if (reason && t.enabled) {
        await w.tx.buildTrigger.update({
          where: { id: t.id },
          data: { enabled: false, disabledReason: reason },
        });
        w.auditRepo("toggle_repo_trigger", { principal: { name: null, id: null } }, build.repository, {
          trigger_id: t.uuid,
          service: t.service,
          enabled: false,
          reason,
        });
      }
    });
    await this.logs.publish(build.uuid, { kind: "phase", phase });
  }

  /** Fails builds whose worker stopped beating; expires builds that waited too long. */
  async watchdog(): Promise<{ failed: number; expired: number }> {
    const stale = await this.db.build.findMany({
      where: {
        phase: { in: RUNNING.map(dbPhase) },
        heartbeatAt: { lt: new Date(Date.now() - Math.max(this.cfg.staleMs, BEAT_MS * 3)) },
      },
      include: BUILD_INCLUDE,
      take: 100,
    });
    for (const b of stale) {
      await this.finish(b, "internalerror", INTERNAL, "build_failure");
      // A worker killed outright leaves buildah running: on its own machine, what is left goes now.
      if (b.worker?.startsWith(`${os.hostname()}:`)) await removeWorkdir(path.join(this.cfg.workDir, b.uuid));
    }
    const old = await this.db.build.findMany({
      where: { phase: "waiting", createdAt: { lt: new Date(Date.now() - WAIT_LIMIT_MS) } },
      include: BUILD_INCLUDE,
      take: 100,
    });
    for (const b of old)
      await this.finish(b, "expired", "The build waited too long to start", "build_failure");
    return { failed: stale.length, expired: old.length };
  }
}

/** Batches log lines (every 200 ms or 200 lines) into ordered appends. */
class LineWriter {
  phase: Phase = "build-scheduled";
  /** Set once the executor runs: from then on it logs its failures itself. */
  executorRan = false;
  private pending: LogLine[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly logs: BuildLogs,
    private readonly buildId: bigint,
    private readonly uuid: string,
  ) {}

  push(line: LogLine): void {
    this.pending.push(line);
    if (this.pending.length >= 200) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), 200);
  }

  flush(): Promise<unknown> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const lines = this.pending;
    this.pending = [];
    const phase = this.phase;
    if (lines.length)
      this.chain = this.chain
        .then(() => this.logs.append(this.buildId, this.uuid, phase, lines))
        .catch(() => {});
    return this.chain;
  }

  close(): Promise<unknown> {
    return this.flush();
  }
}
