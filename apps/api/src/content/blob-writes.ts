// Upload sessions' database side as prepared statements on the pg pool. Every blob push runs these three to
// four times (start, chunks, end); moving them off Prisma took the 64 KiB push workload from 0.68× to
// 1.64× distribution (`npm run bench -- --only=small`, BENCHMARKS.md).
import type pg from "pg";

const CREATE = `INSERT INTO "Upload" (id, "repositoryId") VALUES ($1, $2)`;
const REPOSITORY_OF = `SELECT "repositoryId" FROM "Upload" WHERE id = $1`;
const DELETE = `DELETE FROM "Upload" WHERE id = $1`;
const FINISH = `SELECT blob_id, blob_size FROM hm_finish_upload($1, $2, $3, $4, $5, $6)`;

export interface FinishedBlob {
  id: bigint;
  digest: string;
  size: bigint;
}

export class BlobWrites {
  constructor(
    private readonly pool: pg.Pool,
    /** The advisory lock class of blob digests (BLOB_LOCK_CLASS). */
    private readonly lockClass: number,
  ) {}

  async createSession(id: string, repositoryId: bigint): Promise<void> {
    await this.pool.query({ name: "hm_upload_create", text: CREATE, values: [id, repositoryId.toString()] });
  }

  /** The repository an upload session belongs to, or null when there is no such session. */
  async sessionRepository(id: string): Promise<bigint | null> {
    const r = await this.pool.query({ name: "hm_upload_repository", text: REPOSITORY_OF, values: [id] });
    return r.rows.length ? BigInt(r.rows[0].repositoryId) : null;
  }

  async deleteSession(id: string): Promise<void> {
    await this.pool.query({ name: "hm_upload_delete", text: DELETE, values: [id] });
  }

  /**
   * Ends a session: in one transaction, the blob row, the repository's link and the session's end are
   * written under the digest's shared lock, then `place` moves the file into place, then the commit. The
   * blob is visible only once both are done, and garbage collection (exclusive on the digest) waits.
   */
  async finish(
    id: string,
    repositoryId: bigint,
    digest: string,
    size: number,
    protectedUntil: Date,
    place: () => Promise<void>,
  ): Promise<FinishedBlob> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const r = await client.query({
        name: "hm_upload_finish",
        text: FINISH,
        values: [this.lockClass, id, repositoryId.toString(), digest, size, protectedUntil],
      });
      await place();
      await client.query("COMMIT");
      client.release();
      return { id: BigInt(r.rows[0].blob_id), digest, size: BigInt(r.rows[0].blob_size) };
    } catch (e) {
      // A connection in an unknown state is not returned to the pool.
      await client.query("ROLLBACK").then(
        () => client.release(),
        () => client.release(true),
      );
      throw e;
    }
  }
}
