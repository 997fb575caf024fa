// Bull carries the work; a JobRecord row carries the truth about it, so work survives a Redis loss:
// at start, records still queued or running are re-enqueued (Bull job ids are the record ids, so a job
// Redis still has is not duplicated).
import Bull from "bull";
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { Metrics } from "../infra/metrics.js";
import type { Prisma } from "../generated/prisma/client.js";
import { EVENT_QUEUES, type EventName, type EventPayloads } from "../events/catalogue.js";
import { QUEUES, QUEUE_NAMES, type QueueName } from "./queues.js";

export type JobHandler = (
  payload: Record<string, unknown>,
  ctx: { recordId: bigint; name: string },
) => Promise<unknown>;
export type Handlers = Partial<Record<QueueName, Record<string, JobHandler>>>;

export class JobSystem {
  readonly queues: Record<QueueName, Bull.Queue>;

  constructor(
    private readonly db: Db,
    redisUrl: string,
    prefix: string,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    this.queues = Object.fromEntries(
      QUEUE_NAMES.map((name) => [
        name,
        new Bull(name, redisUrl, { prefix: `${prefix}:bull`, defaultJobOptions: QUEUES[name].options }),
      ]),
    ) as Record<QueueName, Bull.Queue>;
    for (const q of Object.values(this.queues))
      q.on("error", (err) => this.log.warn({ err: err.message, queue: q.name }, "queue error"));
  }

  async enqueue(queue: QueueName, name: string, payload: Record<string, unknown>): Promise<bigint> {
    const record = await this.db.jobRecord.create({
      data: { queue, name, payload: payload as Prisma.InputJsonValue },
    });
    await this.queues[queue].add(
      name,
      { recordId: record.id.toString(), payload },
      { jobId: record.id.toString() },
    );
    return record.id;
  }

  /** Emits an event: one job on every queue the catalogue lists for it. */
  async emit<E extends EventName>(event: E, payload: EventPayloads[E]): Promise<void> {
    await Promise.all(
      EVENT_QUEUES[event].map((q) => this.enqueue(q, event, payload as unknown as Record<string, unknown>)),
    );
  }

  /**
   * Starts processing. Periodic jobs are registered as Bull repeatable jobs; `every` overrides a periodic
   * job's interval by name (from configuration), 0 leaves it unscheduled.
   */
  async startWorkers(handlers: Handlers, concurrency = 2, every: Record<string, number> = {}): Promise<void> {
    for (const queue of QUEUE_NAMES) {
      const byName = handlers[queue];
      if (!byName) continue;
      const q = this.queues[queue];
      q.process("*", concurrency, async (job) => this.run(queue, job, byName));
      for (const r of QUEUES[queue].repeat) {
        const ms = every[r.name] ?? r.every;
        if (ms > 0)
          await q.add(r.name, { periodic: true }, { repeat: { every: ms }, jobId: `periodic:${r.name}` });
      }
    }
    await this.recover();
  }

  private async run(queue: QueueName, job: Bull.Job, byName: Record<string, JobHandler>) {
    const handler = byName[job.name];
    let recordId: bigint;
    if (job.data?.recordId) recordId = BigInt(job.data.recordId);
    else {
      // Periodic runs have no record yet: create one so every run leaves a trace.
      recordId = (
        await this.db.jobRecord.create({
          data: { queue, name: job.name, status: "running", startedAt: new Date() },
        })
      ).id;
    }
    await this.db.jobRecord.update({
      where: { id: recordId },
      data: { status: "running", startedAt: new Date(), attempts: { increment: 1 } },
    });
    try {
      if (!handler) throw new Error(`no handler for ${queue}/${job.name}`);
      const result = await handler(job.data?.payload ?? {}, { recordId, name: job.name });
      await this.db.jobRecord.update({
        where: { id: recordId },
        data: {
          status: "completed",
          finishedAt: new Date(),
          result: (result ?? null) as Prisma.InputJsonValue,
          error: null,
        },
      });
      this.metrics.jobs.inc({ queue, outcome: "completed" });
      return result;
    } catch (err) {
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.db.jobRecord.update({
        where: { id: recordId },
        data: {
          status: final ? "failed" : "queued",
          error: String((err as Error).message ?? err),
          finishedAt: final ? new Date() : null,
        },
      });
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
      const existing = await q.getJob(r.id.toString());
      if (existing && !(await existing.isFailed())) continue;
      if (existing) await existing.remove();
      await q.add(r.name, { recordId: r.id.toString(), payload: r.payload }, { jobId: r.id.toString() });
      n++;
    }
    if (n) this.log.info({ n }, "re-enqueued unfinished jobs from the database");
    return n;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close().catch(() => {})));
  }
}
