// Tar (plain or gzip) and zip build contexts, streamed from disk into the source directory through the
// Extractor, which does all the refusing. Zip needs random access, so yauzl reads the file in place.
import fs from "node:fs";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import tar from "tar-stream";
import yauzl from "yauzl";
import { BuildFailure, userError } from "./job.js";
import { Extractor, type ExtractLimits } from "./extract.js";

export type ArchiveKind = "tar" | "gzip" | "zip";

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const MAX_LINK_TARGET = 4096;

/** File-system errors an archive's own shape causes (names too long, a file where a directory must be). */
const ARCHIVE_SHAPED = new Set(["ENAMETOOLONG", "ENOTDIR", "EISDIR", "EEXIST", "ELOOP"]);

/** A parser's complaint is the user's error (a damaged archive); the disk failing us is an internal one. */
function invalid(kind: ArchiveKind, e: unknown): unknown {
  if (e instanceof BuildFailure) return e;
  const sys = e as NodeJS.ErrnoException;
  if (sys?.syscall && !ARCHIVE_SHAPED.has(sys.code ?? "")) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const label = kind === "zip" ? "zip" : kind === "gzip" ? "tar.gz" : "tar";
  return userError(`The ${label} archive cannot be extracted: ${msg}`);
}

export async function extractArchive(
  kind: ArchiveKind,
  file: string,
  dest: string,
  limits: ExtractLimits,
  signal: AbortSignal,
): Promise<{ bytes: number; entries: number }> {
  const x = new Extractor(fs.realpathSync(dest), limits);
  try {
    if (kind === "zip") await extractZip(file, x, signal);
    else await extractTar(kind, file, x, signal);
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    throw invalid(kind, e);
  }
  await x.finish();
  return x.totals;
}

async function extractTar(kind: ArchiveKind, file: string, x: Extractor, signal: AbortSignal) {
  const raw = fs.createReadStream(file);
  const input: Readable = kind === "gzip" ? raw.pipe(zlib.createGunzip()) : raw;
  const ex = tar.extract();
  raw.on("error", (e) => ex.destroy(e));
  input.on("error", (e) => ex.destroy(e));
  input.pipe(ex as unknown as NodeJS.WritableStream);
  try {
    for await (const entry of ex) {
      if (signal.aborted) throw signal.reason;
      const h = entry.header;
      switch (h.type) {
        case "file":
        case "contiguous-file":
          await x.file(h.name, h.mode ?? 0o644, entry as AsyncIterable<Buffer>, h.size);
          break;
        case "directory":
          await x.directory(h.name, h.mode ?? 0o755);
          break;
        case "symlink":
          await x.symlink(h.name, h.linkname ?? "");
          break;
        case "link":
          await x.hardlink(h.name, h.linkname ?? "");
          break;
        default:
          throw userError(
            `Refusing archive entry "${h.name}": ${h.type ?? "unknown"} entries are not allowed`,
          );
      }
      entry.resume();
    }
  } finally {
    raw.destroy();
    input.destroy();
  }
}

async function readSmall(stream: Readable, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > MAX_LINK_TARGET)
      throw userError(`Refusing archive entry "${name}": the symlink target is too long`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function extractZip(file: string, x: Extractor, signal: AbortSignal) {
  // decodeStrings off: our own name checks give the refusal, naming the entry, instead of yauzl's.
  const zip = await yauzl.openPromise(file, {
    lazyEntries: true,
    autoClose: true,
    decodeStrings: false,
    validateEntrySizes: true,
  });
  try {
    for await (const entry of zip.eachEntry()) {
      if (signal.aborted) throw signal.reason;
      const name = yauzl.getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        entry.fileName as unknown as Buffer,
        entry.extraFields,
        false,
      );
      // Unix permissions sit in the high half of the external attributes when a Unix tool made the zip.
      const unix = entry.versionMadeBy >> 8 === 3 ? entry.externalFileAttributes >>> 16 : 0;
      const type = unix & S_IFMT;
      if (name.endsWith("/") || type === S_IFDIR) await x.directory(name, unix & 0o777 || 0o755);
      else if (type === S_IFLNK)
        await x.symlink(name, await readSmall(await zip.openReadStreamPromise(entry), name));
      else if (type === 0 || type === S_IFREG) {
        if (entry.isEncrypted()) throw userError(`Refusing archive entry "${name}": it is encrypted`);
        const data = await zip.openReadStreamPromise(entry);
        await x.file(name, unix & 0o777 || 0o644, data as AsyncIterable<Buffer>, entry.uncompressedSize);
      } else
        throw userError(`Refusing archive entry "${name}": special files (devices, fifos) are not allowed`);
    }
  } finally {
    zip.close();
  }
}
