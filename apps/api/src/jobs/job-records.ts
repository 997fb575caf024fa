// A job run's bookkeeping on its JobRecord row, as prepared statements on the pg pool: every push emits an
// event, so these run as often as pushes do, and through Prisma they cost more CPU than the jobs themselves.
import type pg from "pg";

const CREATE_RUNNING = `
  INSERT INTO "JobRecord" (queue, name, status, "startedAt", attempts) VALUES ($1, $2, 'running', now(), 1)
  RETURNING id`;
const START = `
  UPDATE "JobRecord" SET status = 'running', "startedAt" = now(), attempts = attempts + 1 WHERE id = $1`;
// `$3` is when an unmarked run started (null when start() marked it): its start and attempt are recorded
// with its outcome, in the same write.
const COMPLETE = `
  UPDATE "JobRecord" SET status = 'completed', "finishedAt" = now(), result = $2::jsonb, error = NULL,
    "startedAt" = coalesce($3, "startedAt"), attempts = attempts + (CASE WHEN $3 IS NULL THEN 0 ELSE 1 END)
  WHERE id = $1`;
const FAIL = `
  UPDATE "JobRecord" SET status = $2::"JobStatus", error = $4,
    "finishedAt" = CASE WHEN $2 = 'failed' THEN now() ELSE NULL END,
    "startedAt" = coalesce($3, "startedAt"), attempts = attempts + (CASE WHEN $3 IS NULL THEN 0 ELSE 1 END)
  WHERE id = $1`;

export class JobRecords {
  constructor(private readonly pool: pg.Pool) {}

  /** A record for a run that has none yet (periodic jobs), already running. */
  async createRunning(queue: string, name: string): Promise<bigint> {
    const r = await this.pool.query({ name: "hm_job_create", text: CREATE_RUNNING, values: [queue, name] });
    return BigInt(r.rows[0].id);
  }

  async start(id: bigint): Promise<void> {
    await this.pool.query({ name: "hm_job_start", text: START, values: [id.toString()] });
  }

  /** `unmarkedStart`: the run's start when start() was not called for it. */
  async complete(id: bigint, result: unknown, unmarkedStart: Date | null = null): Promise<void> {
    await this.pool.query({
      name: "hm_job_complete",
      text: COMPLETE,
      values: [id.toString(), JSON.stringify(result ?? null), unmarkedStart],
    });
  }

  /** `final`: no attempt left (failed); otherwise back to queued for Bull's retry. */
  async fail(id: bigint, final: boolean, error: string, unmarkedStart: Date | null = null): Promise<void> {
    await this.pool.query({
      name: "hm_job_fail",
      text: FAIL,
      values: [id.toString(), final ? "failed" : "queued", unmarkedStart, error],
    });
  }
}
