// Bull carries the work; a JobRecord row carries the truth about it, so work survives a Redis loss:
// records still queued or running are re-enqueued at start, whenever the Redis connection comes back,
// and on a slow timer (Bull job ids are the record ids, so a job Redis still has is not duplicated).
// Enqueueing never waits on an absent Redis: the record is written and recovery hands it to Bull later.
import Bull from "bull";
import type pg from "pg";
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { Metrics } from "../infra/metrics.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { Dispatcher, OutboxRow } from "../events/unit-of-work.js";
import { JobRecords } from "./job-records.js";
import { QUEUES, QUEUE_NAMES, type QueueName } from "./queues.js";

export type JobHandler = (
  payload: Record<string, unknown>,
  ctx: { recordId: bigint; name: string; /** No attempt follows this one. */ final: boolean },
) => Promise<unknown>;
export type Handlers = Partial<Record<QueueName, Record<string, JobHandler>>>;

/**
 * How long an enqueue waits for Redis before leaving the job to recovery. An enqueue takes milliseconds;
 * this only bounds what a stalled Redis costs each push or mutation that emits an event (Bull ignores a
 * late duplicate: the job id is the record's).
 */
const ADD_TIMEOUT_MS = 1000;
/** Safety net for reconnections that went unnoticed. */
const RESYNC_EVERY_MS = 60_000;

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("Redis timeout")), ms).unref()),
  ]);

export class JobSystem implements Dispatcher {
  readonly queues: Record<QueueName, Bull.Queue>;
  private periodic: (() => Promise<void>) | null = null;
  private resyncTimer: NodeJS.Timeout | null = null;
  private resyncing: Promise<void> | null = null;
  private closed = false;

  private readonly records: JobRecords;

  constructor(
    private readonly db: Db,
    pool: pg.Pool,
    redisUrl: string,
    prefix: string,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    /** Job options that configuration sets (delivery attempts and backoff), over each queue's own. */
    overrides: Partial<Record<QueueName, Bull.JobOptions>> = {},
  ) {
    this.queues = Object.fromEntries(
      QUEUE_NAMES.map((name) => [
        name,
        new Bull(name, redisUrl, {
          prefix: `${prefix}:bull`,
          defaultJobOptions: { ...QUEUES[name].options, ...overrides[name] },
          // A delivery whose worker was killed mid-request is taken up again by another within ~20 s.
          ...(name === "deliveries" ? { settings: { lockDuration: 15_000, stalledInterval: 5_000 } } : {}),
        }),
      ]),
    ) as Record<QueueName, Bull.Queue>;
    this.records = new JobRecords(pool);
    for (const q of Object.values(this.queues))
      q.on("error", (err) => this.log.warn({ err: err.message, queue: q.name }, "queue error"));
  }

  async enqueue(queue: QueueName, name: string, payload: Record<string, unknown>): Promise<bigint> {
    const record = await this.db.jobRecord.create({
      data: { queue, name, payload: payload as Prisma.InputJsonValue },
    });
    await this.dispatch(queue, name, record.id, payload);
    return record.id;
  }

  /**
   * The dispatcher of the unit of work: hands committed outbox rows to Bull. Waited for (it paces writers
   * to the job pipeline), but never for long; a row not handed over is re-enqueued by recovery.
   */
  async handOver(rows: OutboxRow[]): Promise<void> {
    for (const r of rows) await this.dispatch(r.queue, r.name, r.id, r.payload);
  }

  /** Hands a recorded job to Bull, never waiting on an absent Redis (recovery covers it). */
  private async dispatch(queue: QueueName, name: string, id: bigint, payload: unknown): Promise<void> {
    const q = this.queues[queue];
    if (q.client.status !== "ready") return;
    await within(
      q.add(name, { recordId: id.toString(), payload }, { jobId: id.toString() }),
      ADD_TIMEOUT_MS,
    ).catch((err: Error) =>
      this.log.warn({ err: err.message, queue, name, record: String(id) }, "job left for recovery"),
    );
  }

  /**
   * Starts processing. Periodic jobs are registered as Bull repeatable jobs; `every` overrides a periodic
   * job's interval by name (from configuration), 0 leaves it unscheduled.
   */
  async startWorkers(
    handlers: Handlers,
    concurrency = 2,
    every: Record<string, number> = {},
    /** Jobs at once per queue from configuration (BUILD_WORKERS); 0: this process takes none of them. */
    concurrencyOf: Partial<Record<QueueName, number>> = {},
  ): Promise<void> {
    const taken = new Set<QueueName>();
    for (const queue of QUEUE_NAMES) {
      const byName = handlers[queue];
      if (!byName) continue;
      const n =
        concurrencyOf[queue] ??
        ("concurrency" in QUEUES[queue]
          ? (QUEUES[queue] as { concurrency: number }).concurrency
          : concurrency);
      if (n <= 0) continue;
      taken.add(queue);
      this.queues[queue].process("*", n, async (job) => this.run(queue, job, byName));
    }
    // Repeatable jobs live in Redis: registered now and again after Redis comes back empty.
    this.periodic = async () => {
      for (const queue of taken) {
        for (const r of QUEUES[queue].repeat) {
          const ms = every[r.name] ?? r.every;
          if (ms > 0)
            await this.queues[queue].add(
              r.name,
              { periodic: true },
              { repeat: { every: ms }, jobId: `periodic:${r.name}` },
            );
        }
      }
    };
    await this.periodic();
    await this.recover();
    for (const q of Object.values(this.queues)) {
      let lost = false;
      q.client.on("close", () => void (lost = true));
      q.client.on("ready", () => {
        if (!lost) return;
        lost = false;
        void this.resync();
      });
    }
    this.resyncTimer = setInterval(() => void this.resync(), RESYNC_EVERY_MS);
    this.resyncTimer.unref();
  }

  /** Re-registers periodic jobs and re-enqueues unfinished records; one at a time, errors only logged. */
  resync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.resyncing ??= (async () => {
      try {
        await this.periodic?.();
        await this.recover();
      } catch (err) {
        this.log.warn({ err: String((err as Error).message ?? err) }, "job resync failed; will retry");
      } finally {
        this.resyncing = null;
      }
    })();
    return this.resyncing;
  }

  private async run(queue: QueueName, job: Bull.Job, byName: Record<string, JobHandler>) {
    const handler = byName[job.name];
    let recordId: bigint;
    // Short jobs (one per push) record their start with their outcome: one write per run instead of two.
    let unmarkedStart: Date | null = null;
    if (!job.data?.recordId) {
      // Periodic runs have no record yet: create one so every run leaves a trace.
      recordId = await this.records.createRunning(queue, job.name);
    } else {
      recordId = BigInt(job.data.recordId);
      if (QUEUES[queue].markRunning) await this.records.start(recordId);
      else unmarkedStart = new Date();
    }
    try {
      if (!handler) throw new Error(`no handler for ${queue}/${job.name}`);
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const result = await handler(job.data?.payload ?? {}, { recordId, name: job.name, final });
      await this.records.complete(recordId, result, unmarkedStart);
      this.metrics.jobs.inc({ queue, outcome: "completed" });
      return result;
    } catch (err) {
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.records.fail(recordId, final, String((err as Error).message ?? err), unmarkedStart);
      this.metrics.jobs.inc({ queue, outcome: final ? "failed" : "retried" });
      throw err;
    }
  }

  /** Re-enqueues work the database says is unfinished but Redis no longer holds. */
  async recover(): Promise<number> {
    const open = await this.db.jobRecord.findMany({
      where: { status: { in: ["queued", "running"] } },
      take: 10_000,
    });
    let n = 0;
    for (const r of open) {
      const q = this.queues[r.queue as QueueName];
      // Periodic runs are not replayed: the next tick does the same work.
      if (!q || QUEUES[r.queue as QueueName].repeat.some((p) => p.name === r.name)) continue;
      const existing = await within(q.getJob(r.id.toString()), ADD_TIMEOUT_MS);
      if (existing && !(await existing.isFailed())) continue;
      if (existing) await existing.remove();
      await within(
        q.add(r.name, { recordId: r.id.toString(), payload: r.payload }, { jobId: r.id.toString() }),
        ADD_TIMEOUT_MS,
      );
      n++;
    }
    if (n) this.log.info({ n }, "re-enqueued unfinished jobs from the database");
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await Promise.all(Object.values(this.queues).map((q) => q.close().catch(() => {})));
  }
}
