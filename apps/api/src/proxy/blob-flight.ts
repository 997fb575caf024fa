// One blob on its way from the upstream into the cache, handed to the clients that asked for it while it
// arrives (a tee): each chunk goes to the store's upload and to every attached reader, at the pace of the
// slowest, so memory stays flat whatever the blob's size. The blob is committed only once the upstream's
// bytes verified against the digest (RemoteBlob checks while streaming; the store checks again); readers get
// the last chunk only after that check, so a corrupt blob never reaches a client whole. A reader that goes
// away is dropped and the fetch goes on: the cache ends with the whole blob, or with none of it.
import type { EventEmitter } from "node:events";
import {
  PassThrough,
  Transform,
  pipeline,
  type Readable,
  type TransformCallback,
  type Writable,
} from "node:stream";
import type { SendableBody } from "@hm/oci";

/** Where a flight stores the blob: an upload session, opened while the upstream is asked. */
export interface FlightSink {
  /** Writes the stream and commits it as the blob (digest checked); rejects and keeps nothing on failure. */
  write(body: Readable): Promise<void>;
  abort(): Promise<void>;
}

/** What a flight fetches and where it stores it. */
export interface FlightSource {
  /** The upstream answer: its size (when announced) and the verifying stream. */
  open(): Promise<Readable & { size?: number }>;
  sink(): Promise<FlightSink>;
}

const noop = () => {};
/** A reader that takes nothing for this long is dropped, so one stalled client cannot hold the fetch. */
const READER_STALL_MS = 60_000;

export class BlobFlight {
  /** Resolves with the blob's size once the upstream answered (undefined: it did not say). */
  readonly ready: Promise<number | undefined>;
  /** Resolves once the blob is stored and linked; rejects when the fetch failed. */
  readonly done: Promise<void>;
  private readonly readers = new Set<LiveReader>();
  private flowing = false;
  private claim!: () => void;

  /**
   * `unclaimedMs`: how long the fetch waits for a first reader before filling the cache alone (a HEAD, or a
   * client that asked for the size and went away); 0 starts at once (the cache's own fetches).
   */
  constructor(source: FlightSource, unclaimedMs: number) {
    const claimed = new Promise<void>((r) => (this.claim = r));
    // Both at once: no round trip of the upload's stands between the upstream's first byte and the client.
    const upstream = source.open();
    const sink = source.sink();
    this.ready = upstream.then((b) => b.size);
    this.done = (async () => {
      let tap: Tee | undefined;
      try {
        const [body, out] = await Promise.all([upstream, sink]);
        if (unclaimedMs > 0) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([claimed, new Promise((r) => (timer = setTimeout(r, unclaimedMs)))]);
          clearTimeout(timer);
        }
        this.flowing = true;
        tap = new Tee(this.readers);
        await out.write(pipeline(body, tap, noop));
      } catch (e) {
        this.flowing = true; // a failed fetch takes no more readers
        void upstream.then((b) => b.destroy(), noop);
        void sink.then((s) => s.abort(), noop).catch(noop);
        tap?.destroy(e as Error);
        for (const r of this.readers) r.fail(e as Error);
        throw e;
      }
    })();
    this.ready.catch(() => (this.flowing = true));
    this.done.catch(noop);
  }

  /**
   * A stream of the whole blob as it arrives, or null once bytes have gone by (a latecomer then waits for
   * `done` and reads the stored blob).
   */
  attach(): SendableBody | null {
    if (this.flowing) return null;
    const r = new LiveReader();
    this.readers.add(r);
    this.claim();
    return r;
  }
}

/**
 * A client's copy of the blob as it arrives. The /v2 door hands it the response (`sendTo`), and the chunks
 * are written to the socket directly from then on (what arrived before goes first), one stream hop less per
 * chunk than piping; read as a plain stream it is a PassThrough.
 */
class LiveReader extends PassThrough implements SendableBody {
  private out: Writable | null = null;
  private sent: { resolve(): void; reject(e: Error): void } | null = null;

  constructor() {
    super({ highWaterMark: 1024 * 1024 });
    this.on("error", noop); // the door reports it; before it takes the stream, nobody listens
  }

  sendTo(out: Writable): Promise<void> {
    if (this.destroyed) return Promise.reject(new Error("the blob's fetch failed"));
    return new Promise<void>((resolve, reject) => {
      this.sent = { resolve, reject };
      for (let c = this.read() as Buffer | null; c !== null; c = this.read() as Buffer | null) out.write(c);
      this.out = out;
      out.once("close", () => {
        if (!out.writableFinished) this.fail(new Error("the client went away"));
      });
      if (this.writableEnded) this.finish();
    });
  }

  /** The client is gone (or the copy failed). */
  get gone(): boolean {
    return this.destroyed || Boolean(this.out?.destroyed);
  }

  /** Writes a chunk; false: wait for `room` to say drain (or close). */
  deliver(chunk: Buffer): boolean {
    return this.out ? this.out.write(chunk) : this.write(chunk);
  }

  get room(): EventEmitter {
    return this.out ?? this;
  }

  private finished = false;

  finish(): void {
    this.finished = true;
    if (!this.out) return void this.end();
    const sent = this.sent;
    this.out.end(() => sent?.resolve());
  }

  /** Cuts the client's copy short (never one that got the whole blob: its response stays usable). */
  fail(err: Error): void {
    if (this.finished) return;
    this.out?.destroy(err);
    this.destroy(err);
    this.sent?.reject(err);
  }
}

/** Passes chunks on to the store and to the readers, one chunk behind for the readers (see the top). */
class Tee extends Transform {
  private held: Buffer | undefined;

  constructor(private readonly readers: Set<LiveReader>) {
    // Room for a few socket reads on each side while the slowest reader or the disk catches up.
    super({ highWaterMark: 1024 * 1024 });
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    const prev = this.held;
    this.held = chunk;
    if (!prev) return cb(null, chunk);
    this.forward(prev).then(() => cb(null, chunk), cb);
  }

  override _flush(cb: TransformCallback): void {
    const last = this.held;
    this.held = undefined;
    (last ? this.forward(last) : Promise.resolve()).then(() => {
      for (const r of this.readers) if (!r.gone) r.finish();
      cb();
    }, cb);
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    if (err) for (const r of this.readers) r.fail(err);
    cb(err);
  }

  /** Writes to every live reader and waits for those that are full to drain (or to go away). */
  private async forward(chunk: Buffer): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const r of this.readers) {
      if (r.gone) {
        this.readers.delete(r);
        continue;
      }
      if (r.deliver(chunk)) continue;
      const room = r.room;
      waits.push(
        new Promise<void>((resolve) => {
          const stalled = setTimeout(() => r.fail(new Error("the client stopped reading")), READER_STALL_MS);
          const go = () => {
            clearTimeout(stalled);
            room.off("drain", go);
            room.off("close", go);
            resolve();
          };
          room.on("drain", go);
          room.on("close", go);
        }),
      );
    }
    if (waits.length) await Promise.all(waits);
  }
}
