// Reads a layer blob as a stream of tar entries: gzip, zstd or plain tar, recognised by the first bytes.
// Like content/layer-flatten.ts's reader (whose zstd stream it shares), plus what the indexer needs on top:
// the blob's own I/O errors kept apart, and a clear error when the blob is not a tar at all.
import { pipeline, type Readable } from "node:stream";
import zlib from "node:zlib";
import tar from "tar-stream";
import { zstdStream, type LayerOpener } from "../../content/layer-flatten.js";

export type TarEntry = tar.Extract extends AsyncIterable<infer E> ? E : never;

/** Thrown when a layer blob cannot be read as a (compressed) tar; the caller marks the scan failed. */
export class NotATarError extends Error {
  constructor(detail: string) {
    super(`layer is not a readable tar archive: ${detail}`);
    this.name = "NotATarError";
  }
}

/** Opens the layer decompressed. `raw` is the blob stream itself, so its errors (I/O) stay apart from format errors. */
async function openTar(open: LayerOpener): Promise<{ raw: Readable; tarStream: Readable }> {
  const chunks: Buffer[] = [];
  for await (const c of await open({ start: 0, end: 3 })) chunks.push(c as Buffer);
  const head = Buffer.concat(chunks);
  if (head.length === 0) throw new NotATarError("the blob is empty");
  const raw = await open();
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const zstd = head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528;
  if (!gzip && !zstd) return { raw, tarStream: raw };
  return { raw, tarStream: pipeline(raw, gzip ? zlib.createGunzip() : zstdStream(), () => {}) };
}

/** Iterates the entries of one layer, once; `fn` may consume the entry's data (the rest is drained after). */
export async function eachEntry(
  open: LayerOpener,
  fn: (h: tar.Header, entry: TarEntry) => Promise<void>,
): Promise<void> {
  const extract = tar.extract();
  const { raw, tarStream } = await openTar(open);
  let ioError: Error | undefined;
  raw.on("error", (e) => (ioError = e));
  tarStream.on("error", (e) => extract.destroy(e));
  tarStream.pipe(extract as unknown as NodeJS.WritableStream);
  // tar-stream ends quietly on zero bytes (e.g. a gzip of nothing); a real empty layer still has its
  // end-of-archive blocks, so count what came out of the decompressor.
  let bytes = 0;
  tarStream.on("data", (c: Buffer) => (bytes += c.length));
  try {
    for await (const entry of extract) {
      await fn(entry.header, entry);
      entry.resume();
    }
  } catch (e) {
    // Errors of the opener's stream stay as they are; the rest come from decoding (tar-stream, zlib, fzstd),
    // which also reach `fn` while it reads an entry. (`fn` turns its own parse errors into warnings.)
    if (ioError) throw ioError;
    if (e instanceof NotATarError) throw e;
    throw new NotATarError(e instanceof Error ? e.message : String(e));
  } finally {
    tarStream.destroy();
    raw.destroy();
  }
  if (bytes === 0) throw new NotATarError("the decompressed layer is empty");
}
