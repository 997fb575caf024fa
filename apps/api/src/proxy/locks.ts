// Advisory locks across processes, so that one first pull of an image fetches it from upstream whichever API
// process the clients reach (single flight covers one process). Session-level try-locks on one pooled
// connection, checked out only while this process holds any: a lock never blocks that connection (waiters
// poll), and a process that dies releases its locks with its connection.
import type pg from "pg";
import type { Logger } from "../infra/logger.js";

/** Two-key advisory lock class of the proxy cache ("prxy"), apart from tag and blob locks. */
export const PROXY_LOCK_CLASS = 0x70727879;

export class ProxyLocks {
  private client: pg.PoolClient | null = null;
  private readonly held = new Set<string>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  /** One operation at a time on the session's connection. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => {});
    return p;
  }

  /** True when this process now holds `key`; false when another process (or this one) does. */
  tryLock(key: string): Promise<boolean> {
    return this.serial(async () => {
      if (this.held.has(key)) return false;
      try {
        if (!this.client) {
          this.client = await this.pool.connect();
          // Held between queries: a connection the server drops must not throw from nowhere.
          this.client.on("error", this.onError);
        }
        const r = await this.client.query<{ ok: boolean }>(
          "SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS ok",
          [PROXY_LOCK_CLASS, key],
        );
        if (r.rows[0]!.ok) this.held.add(key);
        else this.idle();
        return r.rows[0]!.ok;
      } catch (e) {
        // Without the database's word, go ahead: the worst outcome is a second fetch of the same content.
        this.log.warn({ err: String(e), key }, "proxy cache: advisory lock unavailable");
        this.broken();
        return true;
      }
    });
  }

  unlock(key: string): Promise<void> {
    return this.serial(async () => {
      if (!this.held.delete(key) || !this.client) return;
      try {
        await this.client.query("SELECT pg_advisory_unlock($1::int, hashtext($2))", [PROXY_LOCK_CLASS, key]);
        this.idle();
      } catch {
        this.broken();
      }
    });
  }

  /** Runs `fn` holding `key`, waiting (polling) while another process holds it. */
  async withLock<T>(key: string, fn: () => Promise<T>, pollMs = 200): Promise<T> {
    while (!(await this.tryLock(key))) await new Promise((r) => setTimeout(r, pollMs));
    try {
      return await fn();
    } finally {
      await this.unlock(key);
    }
  }

  private readonly onError = () => this.broken();

  private idle(): void {
    if (this.held.size || !this.client) return;
    this.client.off("error", this.onError);
    this.client.release();
    this.client = null;
  }

  /** The connection failed: its locks are gone with it. */
  private broken(): void {
    this.client?.off("error", this.onError);
    this.client?.release(true);
    this.client = null;
    this.held.clear();
  }
}
