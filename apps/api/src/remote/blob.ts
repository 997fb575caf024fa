// A blob on its way from the upstream: a Readable that hashes and counts what passes and fails with
// "digest_mismatch" at the end (or as soon as it is too long) when the bytes are not the ones asked for.
import type { IncomingMessage } from "node:http";
import crypto from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { RemoteError } from "./errors.js";

export interface RemoteBlobOptions {
  digest: string;
  algorithm: string;
  /** The size the blob must have (the descriptor's, else the upstream's Content-Length). */
  size?: number;
  /** Fail as "unavailable" when the upstream sends nothing for this long while we are ready for more. */
  stallTimeoutMs: number;
  url: string;
}

export class RemoteBlob extends Transform {
  readonly digest: string;
  /** The expected size in bytes, when known. */
  readonly size: number | undefined;
  /** The final URL the bytes come from (after redirects). */
  readonly url: string;
  bytesRead = 0;
  private readonly hash: crypto.Hash;
  private watchdog?: NodeJS.Timeout;

  constructor(
    private readonly source: IncomingMessage,
    opts: RemoteBlobOptions,
  ) {
    super();
    this.digest = opts.digest;
    this.size = opts.size;
    this.url = opts.url;
    this.hash = crypto.createHash(opts.algorithm);
    // The answer's socket timeout would fire while a slow reader holds us back: watch for real stalls instead.
    source.socket?.setTimeout(0);
    let seen = -1;
    this.watchdog = setInterval(() => {
      const backpressured = source.isPaused() || this.writableNeedDrain;
      if (this.bytesRead === seen && !backpressured && !source.complete)
        this.destroy(this.fail("unavailable", `upstream sent nothing for ${opts.stallTimeoutMs} ms`));
      seen = this.bytesRead;
    }, opts.stallTimeoutMs).unref();
    source.once("end", () => this.stopWatching());
    source.on("error", (e: Error) =>
      this.destroy(
        e.name === "AbortError" ? e : this.fail("unavailable", `connection failed mid-blob: ${e.message}`, e),
      ),
    );
    source.once("close", () => {
      if (!source.complete)
        this.destroy(this.fail("unavailable", "connection closed before the blob was complete"));
    });
    source.pipe(this);
  }

  private fail(kind: "unavailable" | "digest_mismatch", message: string, cause?: unknown): RemoteError {
    return new RemoteError(kind, `blob ${this.digest} from ${this.url}: ${message}`, {
      url: this.url,
      cause,
    });
  }

  private stopWatching() {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytesRead += chunk.length;
    if (this.size !== undefined && this.bytesRead > this.size) {
      cb(this.fail("digest_mismatch", `more than the expected ${this.size} bytes`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.stopWatching();
    if (this.size !== undefined && this.bytesRead !== this.size) {
      cb(this.fail("digest_mismatch", `got ${this.bytesRead} bytes, expected ${this.size}`));
      return;
    }
    const actual = `${this.digest.slice(0, this.digest.indexOf(":"))}:${this.hash.digest("hex")}`;
    cb(actual === this.digest ? null : this.fail("digest_mismatch", `content hashes to ${actual}`));
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.stopWatching();
    if (!this.source.complete) this.source.destroy();
    cb(err);
  }
}
