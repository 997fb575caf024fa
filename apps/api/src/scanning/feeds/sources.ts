// Where OSV records come from: a JSON file (one record or an array), a .zip as OSV publishes per
// ecosystem (one JSON per record, read entry by entry), or a folder of both, walked recursively.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import yauzl from "yauzl";

/** A record read from a source, or a file/entry that could not be read as JSON. */
export type SourceItem =
  { kind: "record"; where: string; value: unknown } | { kind: "invalid"; where: string; reason: string };

/** The files an import reads and which stored sources it speaks for (whose vanished records it removes). */
export interface SourceSet {
  files: string[];
  /** A folder is a snapshot of every source below it: stored sources under this prefix are in scope. */
  prefix: string | null;
}

const WANTED = /\.(json|zip)$/i;
/** One OSV record is kilobytes (Ubuntu's kernel records a few MB): anything past this is not one. */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

export async function listSources(given: string): Promise<SourceSet> {
  const stat = await fs.promises.stat(given);
  if (!stat.isDirectory()) return { files: [given], prefix: null };
  const files: string[] = [];
  const walk = async (dir: string) => {
    const entries = await fs.promises.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith(".")) continue; // .git and friends hold no feed
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && WANTED.test(e.name)) files.push(p);
    }
  };
  await walk(given);
  return { files, prefix: path.join(given, path.sep) };
}

const isZip = (file: string) => /\.zip$/i.test(file);

/** The records of one file. Throws when the file as a whole cannot be read (a broken zip, bad JSON). */
export function readSource(file: string): AsyncGenerator<SourceItem> {
  return isZip(file) ? readZip(file) : readJson(file);
}

function* records(where: string, value: unknown): Generator<SourceItem> {
  if (Array.isArray(value)) for (const v of value) yield { kind: "record", where, value: v };
  else yield { kind: "record", where, value };
}

async function* readJson(file: string): AsyncGenerator<SourceItem> {
  // A JSON document is parsed whole: feeds with many records come as zips, which stream.
  const text = await fs.promises.readFile(file, "utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`);
  }
  yield* records(file, value);
}

async function* readZip(file: string): AsyncGenerator<SourceItem> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  try {
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) return;
      const where = `${file}!${entry.fileName}`;
      if (entry.fileName.endsWith("/") || !/\.json$/i.test(entry.fileName)) continue;
      if (entry.uncompressedSize > MAX_ENTRY_BYTES) {
        yield { kind: "invalid", where, reason: `entry larger than ${MAX_ENTRY_BYTES} bytes` };
        continue;
      }
      const data = await readEntry(zip, entry);
      if (typeof data === "string") {
        yield { kind: "invalid", where, reason: data };
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(data.toString("utf8"));
      } catch (e) {
        yield { kind: "invalid", where, reason: `not JSON: ${(e as Error).message}` };
        continue;
      }
      yield* records(where, value);
    }
  } finally {
    zip.close();
  }
}

/** The next entry of a lazily read zip, or null at its end. */
function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const done = () => {
      zip.off("entry", onEntry);
      zip.off("end", onEnd);
      zip.off("error", onError);
    };
    const onEntry = (e: yauzl.Entry) => (done(), resolve(e));
    const onEnd = () => (done(), resolve(null));
    const onError = (err: Error) => (done(), reject(err));
    zip.on("entry", onEntry);
    zip.on("end", onEnd);
    zip.on("error", onError);
    zip.readEntry();
  });
}

/**
 * An entry's bytes. The raw (compressed) bytes are read and inflated in one call: a zlib stream per entry
 * costs more than the inflating itself when a zip holds 100,000 small records (15 s against 6 s).
 */
async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer | string> {
  if (entry.isEncrypted()) return "encrypted entry";
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
    return `unsupported compression method ${entry.compressionMethod}`;
  // yauzl refuses the option for stored (method 0) entries, whose bytes are the data already.
  const stream = await zip.openReadStreamPromise(
    entry,
    entry.compressionMethod === 8 ? { decompress: false } : {},
  );
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  let data: Buffer;
  try {
    data =
      entry.compressionMethod === 8 ? zlib.inflateRawSync(raw, { maxOutputLength: MAX_ENTRY_BYTES }) : raw;
  } catch (e) {
    return `cannot inflate: ${(e as Error).message}`;
  }
  // The central directory's size is what a truncated or doctored entry gets wrong.
  return data.length === entry.uncompressedSize ? data : "size differs from the zip's directory";
}
