// The blobs the cache is fetching: one flight per repository and digest in this process (concurrent pulls
// join it), and an advisory lock across processes (a process that finds the lock taken waits for the other's
// blob to be stored, then serves it from the store). Also each repository's last blob activity, which tells
// the cache's completion when clients are done fetching what they wanted.
import type { Readable } from "node:stream";
import { BlobFlight, type FlightSource } from "./blob-flight.js";
import type { ProxyLocks } from "./locks.js";

/** A repository of a proxy organization, as the cache writes to it. */
export interface CacheRepo {
  id: bigint;
  namespaceId: bigint;
  /** `namespace/name` */
  full: string;
}

export interface Flight {
  /** The blob's size once known (undefined: the upstream did not say and the blob is not stored yet). */
  readonly ready: Promise<number | undefined>;
  /** Settles once the blob is stored (here or by another process); rejects when the fetch failed. */
  readonly done: Promise<void>;
  /** The whole blob as it arrives, or null (a latecomer, or another process fetches it). */
  attach(): Readable | null;
}

export interface FlightTuning {
  /** How long a started fetch waits for its first reader (see BlobFlight). */
  unclaimedMs: number;
  /** How often a process waiting on another's fetch looks for the stored blob. */
  pollMs: number;
  /** How long it waits at most. */
  elsewhereTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const noop = () => {};

export class BlobFlights {
  private readonly flights = new Map<string, Flight>();
  private readonly activity = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly locks: ProxyLocks,
    /** The size of a blob stored and linked to the repository, or null. */
    private readonly linkedSize: (full: string, digest: string) => Promise<number | null>,
    readonly tuning: FlightTuning,
  ) {}

  get(full: string, digest: string): Flight | undefined {
    return this.flights.get(`${full}@${digest}`);
  }

  /** Flights in progress (for `idle`). */
  get active(): Promise<void>[] {
    return [...this.flights.values()].map((f) => f.done.catch(noop));
  }

  /** When a blob of the repository was last asked for, started or finished (0: never). */
  lastActivity(full: string): number {
    return this.activity.get(full) ?? 0;
  }

  touch(full: string): void {
    this.activity.set(full, Date.now());
    if (this.activity.size > 10_000) this.activity.clear();
    const waiting = this.waiters.get(full);
    this.waiters.delete(full);
    for (const wake of waiting ?? []) wake();
  }

  /** Resolves at the repository's next blob activity, or after `ms`. */
  nextActivity(full: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const set = this.waiters.get(full) ?? new Set<() => void>();
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (!set.size && this.waiters.get(full) === set) this.waiters.delete(full);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      this.waiters.set(full, set);
    });
  }

  /** The flight of the blob, started unless one is under way. `eager`: no reader will come (the cache's own). */
  start(repo: CacheRepo, digest: string, source: FlightSource, eager = false): Flight {
    const key = `${repo.full}@${digest}`;
    const running = this.flights.get(key);
    if (running) return running;
    this.touch(repo.full);
    const flight = this.launch(repo, digest, source, eager ? 0 : this.tuning.unclaimedMs);
    this.flights.set(key, flight);
    void flight.done.catch(noop).finally(() => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
      this.touch(repo.full);
    });
    return flight;
  }

  private launch(repo: CacheRepo, digest: string, source: FlightSource, unclaimedMs: number): Flight {
    const lockKey = `blob:${repo.id}:${digest}`;
    const stored = () => this.linkedSize(repo.full, digest);
    const inner: Promise<BlobFlight | null> = (async () => {
      const deadline = Date.now() + this.tuning.elsewhereTimeoutMs;
      let waited = false;
      while (!(await this.locks.tryLock(lockKey))) {
        // Another process fetches it: serve it from the store once it is there.
        waited = true;
        if ((await stored()) !== null) return null;
        if (Date.now() > deadline)
          throw new Error(`blob ${digest}: another process has fetched it for too long`);
        await sleep(this.tuning.pollMs);
      }
      // Taken at once, the blob was missing a moment ago (the caller looked); after a wait, look again.
      if (waited && (await stored()) !== null) {
        await this.locks.unlock(lockKey);
        return null;
      }
      const f = new BlobFlight(source, unclaimedMs);
      void f.done
        .catch(noop)
        .finally(() => this.locks.unlock(lockKey))
        .catch(noop);
      return f;
    })();
    let own: BlobFlight | null = null;
    const ready = inner.then(async (f) => {
      own = f;
      return f ? f.ready : ((await stored()) ?? undefined);
    });
    const done = inner.then((f) => f?.done);
    ready.catch(noop);
    done.catch(noop);
    return { ready, done, attach: () => own?.attach() ?? null };
  }
}
