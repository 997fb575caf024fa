// A job run's bookkeeping on its JobRecord row, as prepared statements on the pg pool: every push emits an
// event, so these run as often as pushes do, and through Prisma they cost more CPU than the jobs themselves.
import type pg from "pg";

const CREATE_RUNNING = `
  INSERT INTO "JobRecord" (queue, name, status, "startedAt", attempts) VALUES ($1, $2, 'running', now(), 1)
  RETURNING id`;
const START = `
  UPDATE "JobRecord" SET status = 'running', "startedAt" = now(), attempts = attempts + 1 WHERE id = $1`;
const COMPLETE = `
  UPDATE "JobRecord" SET status = 'completed', "finishedAt" = now(), result = $2::jsonb, error = NULL
  WHERE id = $1`;
const FAIL = `
  UPDATE "JobRecord" SET status = $2::"JobStatus", error = $3,
    "finishedAt" = CASE WHEN $2 = 'failed' THEN now() ELSE NULL END
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

  async complete(id: bigint, result: unknown): Promise<void> {
    await this.pool.query({
      name: "hm_job_complete",
      text: COMPLETE,
      values: [id.toString(), JSON.stringify(result ?? null)],
    });
  }

  /** `final`: no attempt left (failed); otherwise back to queued for Bull's retry. */
  async fail(id: bigint, final: boolean, error: string): Promise<void> {
    await this.pool.query({
      name: "hm_job_fail",
      text: FAIL,
      values: [id.toString(), final ? "failed" : "queued", error],
    });
  }
}
