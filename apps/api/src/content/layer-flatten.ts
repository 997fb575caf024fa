// Flattens an image's layers into one tar, applying whiteouts (`.wh.NAME`) and opaque directories
// (`.wh..wh..opq`), streaming: no layer is ever held in memory, only the set of paths.
//
// Two passes. The first reads the layers newest to oldest and decides, for each layer, which entries are
// still visible (not shadowed by a newer entry, not under a whiteout or an opaque directory or a path a newer
// layer turned into a non-directory). The second reads them oldest to newest and writes the visible entries,
// so parents come before children and hard-link targets before their links, as in the original layers.
import { pipeline as pipe, Transform, type Readable } from "node:stream";
import zlib from "node:zlib";
import { Decompress } from "fzstd";
import tar from "tar-stream";

/** Opens a layer blob (compressed or not), or a byte range of it. */
export type LayerOpener = (range?: { start: number; end: number }) => Promise<Readable>;

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

/** `./a/b/` → `a/b` */
export function normalizePath(name: string): string {
  return name
    .replace(/^(\.\/|\/)+/, "")
    .replace(/\/+$/, "")
    .replace(/^\.$/, "");
}

const parentOf = (p: string) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "");
const baseOf = (p: string) => p.slice(p.lastIndexOf("/") + 1);

/** A zstd decompressor as a stream (fzstd; node 20 has no zstd of its own). */
export function zstdStream(): Transform {
  let push: (c: Uint8Array) => void = () => {};
  const d = new Decompress((chunk) => push(chunk));
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      push = (c) => this.push(Buffer.from(c));
      try {
        d.push(chunk);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb) {
      push = (c) => this.push(Buffer.from(c));
      try {
        d.push(new Uint8Array(0), true);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}

/** Opens the layer tar, decompressed: gzip and zstd are recognised by their first bytes, else plain tar. */
async function openTar(open: LayerOpener): Promise<Readable> {
  const chunks: Buffer[] = [];
  for await (const c of await open({ start: 0, end: 3 })) chunks.push(c as Buffer);
  const head = Buffer.concat(chunks);
  const raw = await open();
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const zstd = head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528;
  if (!gzip && !zstd) return raw;
  // Errors anywhere destroy the chain; the tar reader sees them.
  return pipe(raw, gzip ? zlib.createGunzip() : zstdStream(), () => {});
}

type TarEntry = tar.Extract extends AsyncIterable<infer E> ? E : never;

/** Iterates the entries of one layer; `fn` may consume the entry's data (it is drained after). */
async function eachEntry(
  open: LayerOpener,
  fn: (h: tar.Header, entry: TarEntry, ordinal: number) => Promise<void>,
) {
  const extract = tar.extract();
  const source = await openTar(open);
  source.on("error", (e) => extract.destroy(e));
  source.pipe(extract as unknown as NodeJS.WritableStream);
  let ordinal = 0;
  try {
    for await (const entry of extract) {
      await fn(entry.header, entry, ordinal++);
      entry.resume();
    }
  } finally {
    source.destroy();
  }
}

/** Copies data (a tar entry, a file) into a new pack entry, with backpressure. */
export function copyInto(
  pack: tar.Pack,
  header: Partial<tar.Header> & { name: string },
  entry: AsyncIterable<Buffer>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sink = pack.entry(header, (e) => (e ? reject(e) : resolve()));
    (async () => {
      for await (const chunk of entry) {
        if (!sink.write(chunk)) await new Promise<void>((r) => sink.once("drain", () => r()));
      }
      sink.end(undefined as unknown as Buffer);
    })().catch(reject);
  });
}

/** Per layer (oldest first): path → ordinal of the entry that survives in the flattened image. */
export async function visibleEntries(layers: LayerOpener[]): Promise<Map<string, number>[]> {
  const keep = layers.map(() => new Map<string, number>());
  const shadowed = new Set<string>(); // paths decided by a newer layer
  const hidden = new Set<string>(); // paths whose descendants in older layers are gone
  const hiddenAbove = (p: string) => {
    for (let a = parentOf(p); a; a = parentOf(a)) if (hidden.has(a)) return true;
    return false;
  };
  for (let i = layers.length - 1; i >= 0; i--) {
    const seenHere = new Set<string>();
    const hideNext = new Set<string>();
    await eachEntry(layers[i]!, async (h, _entry, ordinal) => {
      const p = normalizePath(h.name);
      if (!p) return;
      const base = baseOf(p);
      if (base === OPAQUE) {
        hideNext.add(parentOf(p));
        return;
      }
      if (base.startsWith(WHITEOUT)) {
        const target = (parentOf(p) ? `${parentOf(p)}/` : "") + base.slice(WHITEOUT.length);
        seenHere.add(target);
        hideNext.add(target);
        return;
      }
      if (shadowed.has(p) || hiddenAbove(p)) return;
      keep[i]!.set(p, ordinal); // a later duplicate in the same layer wins, as when extracting
      seenHere.add(p);
      if (h.type !== "directory") hideNext.add(p);
    });
    for (const p of seenHere) shadowed.add(p);
    for (const p of hideNext) hidden.add(p);
  }
  return keep;
}

/** Writes the flattened layer as an uncompressed tar to `pack` (which the caller finalizes). */
export async function writeFlattened(layers: LayerOpener[], pack: tar.Pack): Promise<void> {
  const keep = await visibleEntries(layers);
  for (const [i, open] of layers.entries()) {
    await eachEntry(open, async (h, entry, ordinal) => {
      const p = normalizePath(h.name);
      if (!p || keep[i]!.get(p) !== ordinal) return;
      const header: tar.Header = { ...h, name: h.type === "directory" ? `${p}/` : p };
      if (h.type === "file" || h.type === "contiguous-file") {
        await copyInto(pack, header, entry as AsyncIterable<Buffer>);
      } else {
        await new Promise<void>((resolve, reject) =>
          pack.entry({ ...header, size: 0 }, (e) => (e ? reject(e) : resolve())),
        );
      }
    });
  }
}
