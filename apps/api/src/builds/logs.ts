// A build's log: lines stored in order in Postgres (capped at BUILD_LOG_LIMIT per build) and published on a
// Redis channel per build, so that a console on any server process follows a build run by any worker.
import type pg from "pg";
import type { Redis } from "ioredis";
import type { LogLine } from "./types.js";

/** One stored line as the doors show it. */
export interface StoredLine extends LogLine {
  seq: number;
  phase: string;
  at: Date;
}

/** What the live channel carries: lines, and the build's phase when it changes. */
export type LiveEvent = { kind: "lines"; lines: StoredLine[] } | { kind: "phase"; phase: string };

const channelOf = (prefix: string, uuid: string) => `${prefix}:build-log:${uuid}`;

export class BuildLogs {
  constructor(
    private readonly pool: pg.Pool,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limit: number,
  ) {}

  /**
   * Appends lines after the build's last one; past the limit lines are only counted (logsTruncated). One
   * statement: the build row's lock orders concurrent appends of one build.
   */
  async append(buildId: bigint, uuid: string, phase: string, lines: LogLine[]): Promise<StoredLine[]> {
    if (!lines.length) return [];
    const { rows } = await this.pool.query<{ start: number; keep: number }>(
      `UPDATE "Build" b SET "logCount" = b."logCount" + $2,
         "logsTruncated" = b."logsTruncated" OR b."logCount" + $2 > $3
       FROM (SELECT id, "logCount" AS before FROM "Build" WHERE id = $1 FOR UPDATE) o
       WHERE b.id = o.id
       RETURNING o.before AS start, GREATEST(0, LEAST($2, $3 - o.before)) AS keep`,
      [buildId, lines.length, this.limit],
    );
    const row = rows[0];
    if (!row || row.keep <= 0) return [];
    const kept = lines.slice(0, row.keep);
    const at = new Date();
    const stored = kept.map((l, i) => ({ ...l, seq: row.start + i, phase, at }));
    await this.pool.query(
      `INSERT INTO "BuildLog" ("buildId", seq, phase, type, message, data, "createdAt")
       SELECT $1, s, $2, t, m, d::jsonb, $6 FROM unnest($3::int[], $4::text[], $5::text[], $7::text[]) AS x(s, t, m, d)`,
      [
        buildId,
        phase,
        stored.map((l) => l.seq),
        stored.map((l) => l.type),
        stored.map((l) => l.message),
        at,
        stored.map((l) => (l.data ? JSON.stringify(l.data) : null)),
      ],
    );
    await this.publish(uuid, { kind: "lines", lines: stored });
    return stored;
  }

  /** Lines from `start` on (at most `limit`), and how many the build has stored in all. */
  async read(buildId: bigint, start = 0, limit = 5000): Promise<{ total: number; lines: StoredLine[] }> {
    const [{ rows }, total] = await Promise.all([
      this.pool.query<{
        seq: number;
        phase: string;
        type: LogLine["type"];
        message: string;
        data: Record<string, unknown> | null;
        createdAt: Date;
      }>(
        `SELECT seq, phase, type, message, data, "createdAt" FROM "BuildLog"
         WHERE "buildId" = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
        [buildId, start, limit],
      ),
      this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "BuildLog" WHERE "buildId" = $1`, [
        buildId,
      ]),
    ]);
    return {
      total: total.rows[0]?.n ?? 0,
      lines: rows.map((r) => ({
        seq: r.seq,
        phase: r.phase,
        type: r.type,
        message: r.message,
        ...(r.data ? { data: r.data } : {}),
        at: r.createdAt,
      })),
    };
  }

  async publish(uuid: string, event: LiveEvent): Promise<void> {
    await this.redis.publish(channelOf(this.prefix, uuid), JSON.stringify(event)).catch(() => 0);
  }

  /**
   * Follows one build live: an async iterator of its events until `signal` aborts. Subscribes before the
   * caller reads what is stored, so nothing falls between the two (the caller drops seqs it has seen).
   */
  async follow(uuid: string, signal: AbortSignal): Promise<AsyncIterable<LiveEvent>> {
    const sub = this.redis.duplicate({ lazyConnect: true, enableOfflineQueue: true });
    const queue: LiveEvent[] = [];
    let wake: (() => void) | null = null;
    const channel = channelOf(this.prefix, uuid);
    sub.on("message", (ch: string, msg: string) => {
      if (ch !== channel) return;
      try {
        queue.push(JSON.parse(msg) as LiveEvent);
      } catch {
        return;
      }
      wake?.();
    });
    sub.on("error", () => {});
    await sub.connect();
    await sub.subscribe(channel);
    const stop = () => {
      wake?.();
      sub.disconnect();
    };
    signal.addEventListener("abort", stop, { once: true });
    return {
      async *[Symbol.asyncIterator]() {
        try {
          while (!signal.aborted) {
            while (queue.length) yield queue.shift()!;
            if (signal.aborted) break;
            await new Promise<void>((r) => (wake = r));
            wake = null;
          }
        } finally {
          signal.removeEventListener("abort", stop);
          sub.disconnect();
        }
      },
    };
  }
}
