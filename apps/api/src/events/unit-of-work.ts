// The unit of work: every state change, from any door or worker, commits its data, its audit entries and
// its events (outbox rows) in one database transaction, so there is never a change without its record or
// event, nor a record or event without its change. After the commit the outbox rows are handed to Bull;
// rows a crash or a Redis outage kept from Bull are delivered by the job system's recovery.
import crypto from "node:crypto";
import type { Db } from "../infra/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import { auditRow, repositoryEntry, type Actor } from "../audit/writer.js";
import type { Principal } from "../access/principal.js";
import type { NamespaceAuditKinds, RepoAuditKinds } from "./audit-kinds.js";
import { EVENT_QUEUES, type EventName, type EventPayloads, type QueuesOf } from "./catalogue.js";
import type { QueueName } from "../jobs/queues.js";

export type Tx = Prisma.TransactionClient;

/** One job record written in the transaction: a delivery of one event to one subscribed queue. */
export interface OutboxRow {
  id: bigint;
  queue: QueueName;
  name: string;
  payload: unknown;
}

/** Hands committed outbox rows to the queues (the job system). */
export interface Dispatcher {
  handOver(rows: OutboxRow[]): Promise<void>;
}

/** Who did it and from where, as every audit entry records it. */
export interface Caller {
  principal: Principal | Actor;
  ip?: string | null;
}

export interface RepositoryRef {
  id: bigint;
  name: string;
  namespaceId: bigint;
  namespace: { name: string };
}

/** What a unit of work collects while it runs; written in its transaction just before the commit. */
export class Work {
  private readonly entries: Prisma.AuditLogCreateManyInput[] = [];
  private readonly events: { name: EventName; payload: object; repositoryId: bigint | null }[] = [];

  constructor(
    readonly tx: Tx,
    private readonly queuesOf: QueuesOf = (e) => EVENT_QUEUES[e],
  ) {}

  /** An entry about a namespace or the system (namespaceId null). */
  audit<K extends keyof NamespaceAuditKinds>(
    kind: K,
    by: Caller & { namespaceId?: bigint | null },
    metadata: NamespaceAuditKinds[K],
  ): void {
    this.entries.push(auditRow({ kind, ...by, metadata }));
  }

  /** An entry about a repository; `repositoryId: null` for one that no longer exists (delete_repo). */
  auditRepo<K extends keyof RepoAuditKinds>(
    kind: K,
    by: Caller,
    repo: RepositoryRef,
    metadata: RepoAuditKinds[K],
    opts: { repositoryGone?: boolean } = {},
  ): void {
    const entry = repositoryEntry(kind, by.principal, repo, metadata, by.ip);
    this.entries.push(auditRow(opts.repositoryGone ? { ...entry, repositoryId: null } : entry));
  }

  /**
   * Emits an event about a repository (null: about none in particular): one outbox row per queue the
   * catalogue subscribes to it that wants it for that repository (hm_event_wanted), sharing one event id.
   */
  emit<E extends EventName>(event: E, payload: EventPayloads[E], repositoryId: bigint | null): void {
    this.events.push({ name: event, payload: withEventId(payload), repositoryId });
  }

  /**
   * A job that is not an event (one delivery of a notification, say): an outbox row for `queue`, written
   * and handed over with the rest of the unit.
   */
  enqueue(queue: QueueName, name: string, payload: object): void {
    this.jobs.push({ queue, name, payload, repo: null });
  }

  private readonly jobs: { queue: QueueName; name: string; payload: object; repo: bigint | null }[] = [];

  /** The audit kinds and event names collected (the crash failpoint matches them). */
  get kinds(): string[] {
    return [...this.entries.map((e) => e.kind), ...this.events.map((e) => e.name)];
  }

  /** Writes the collected entries and outbox rows (two statements at most); returns the outbox rows. */
  async flush(): Promise<OutboxRow[]> {
    if (this.entries.length) await this.tx.auditLog.createMany({ data: this.entries });
    const jobs = [
      ...this.events.flatMap((e) =>
        this.queuesOf(e.name).map((queue) => ({
          queue,
          name: e.name,
          payload: e.payload,
          repo: e.repositoryId,
        })),
      ),
      ...this.jobs,
    ];
    if (!jobs.length) return [];
    // Each row comes back with its own payload (its event id tells events of one name apart), as RETURNING
    // keeps no order and the filter may drop some.
    return this.tx.$queryRaw<OutboxRow[]>`
      INSERT INTO "JobRecord" (queue, name, payload)
      SELECT j.queue, j.name, j.payload
      FROM unnest(${jobs.map((j) => j.queue)}::text[], ${jobs.map((j) => j.name)}::text[],
        ${jobs.map((j) => JSON.stringify(j.payload))}::jsonb[], ${jobs.map((j) => j.repo)}::bigint[])
        AS j(queue, name, payload, repo)
      WHERE hm_event_wanted(j.queue, j.name, j.repo)
      RETURNING id, queue, name, payload`;
  }
}

/** Every event carries an id shared by its deliveries: consumers use it to act once per event. */
export function withEventId<T extends object>(payload: T): T & { eventId: string } {
  return { ...payload, eventId: crypto.randomUUID() };
}

export interface RunOptions {
  /** Interactive-transaction timeout in ms (long deletes raise it). */
  timeout?: number;
  /** Names the unit for the crash failpoint when it writes no entry or event of its own (a GC pass). */
  label?: string;
}

export class UnitOfWork {
  constructor(
    private readonly db: Db,
    private readonly dispatcher: Dispatcher,
    /** Failpoint for crash tests: event names or audit kinds after whose commit the process is killed. */
    private readonly crashAfterCommit: string[] = [],
    private readonly queuesOf: QueuesOf = (e) => EVENT_QUEUES[e],
  ) {}

  /** Runs `fn` in one transaction with its audit entries and events; hands the events over after commit. */
  async run<T>(fn: (w: Work) => Promise<T>, opts: RunOptions = {}): Promise<T> {
    const timeout = opts.timeout ?? 30_000;
    const { result, outbox, kinds } = await this.db.$transaction(
      async (tx) => {
        const w = new Work(tx, this.queuesOf);
        const result = await fn(w);
        return { result, outbox: await w.flush(), kinds: opts.label ? [opts.label, ...w.kinds] : w.kinds };
      },
      { timeout, maxWait: timeout },
    );
    await this.committed(outbox, kinds);
    return result;
  }

  /**
   * Runs `fn` holding the repository's tag lock (tag commands, manifest deletes and GC hold it exclusively; a
   * push holds it shared inside hm_push_manifest), with the database clock read after the lock: every
   * process agrees on it and it only moves forward, so a tag's new lifetime never starts before the one it
   * ends.
   */
  runLocked<T>(repositoryId: bigint, fn: (w: Work, now: Date) => Promise<T>, opts?: RunOptions): Promise<T> {
    return this.run(async (w) => {
      // The subquery takes the lock first; one round trip for both.
      const [row] = await w.tx.$queryRaw<{ now: Date }[]>`
        SELECT clock_timestamp() AS now FROM (SELECT pg_advisory_xact_lock(${repositoryId}::bigint)) AS locked`;
      return fn(w, row!.now);
    }, opts);
  }

  /**
   * After a commit: the failpoint, then the hand-over. Writers that commit their outbox rows themselves (the
   * push's SQL function) call this too.
   */
  /**
   * `wait: false` (the push): the answer does not wait for Bull; a row not handed over by a crash is still
   * recovered from its record.
   */
  async committed(outbox: OutboxRow[], kinds: string[], opts: { wait?: boolean } = {}): Promise<void> {
    if (this.crashAfterCommit.length && kinds.some((k) => this.crashAfterCommit.includes(k)))
      process.kill(process.pid, "SIGKILL");
    if (!outbox.length) return;
    const handing = this.dispatcher.handOver(outbox);
    if (opts.wait !== false) await handing;
    else handing.catch(() => {});
  }
}
