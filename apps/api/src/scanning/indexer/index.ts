// The layer indexer: reads one layer blob once, as a stream, and records what its package databases and
// manifests declare, its os-release and its whiteouts. Only the files a parser wants are buffered (each up
// to maxFileBytes); executables are scanned for Go build info as they stream past. combineLayers (combine.ts)
// then stacks the layers of an image.
import { normalizePath, type LayerOpener } from "../../content/layer-flatten.js";
import type { Distribution, FoundPackage, LayerIndexData } from "../types.js";
import { APK_INSTALLED, parseApk } from "./apk.js";
import { isDpkgDatabase, parseDpkg } from "./dpkg.js";
import { GoBuildInfoScanner, goPackages, isExecutable } from "./go.js";
import { isJavaArchive, parseJavaArchive } from "./java.js";
import { isNpmPackageJson, parsePackageJson } from "./npm.js";
import { isOsRelease, OS_RELEASE_PATHS, parseOsRelease, resolveLink } from "./os-release.js";
import { isPythonMetadata, parsePythonMetadata } from "./python.js";
import { isRpmSqlite, parseRpmSqlite, unsupportedRpmDb } from "./rpm.js";
import { isGemspec, parseGemspec } from "./ruby.js";
import { eachEntry, type TarEntry } from "./tar.js";

export { combineLayers } from "./combine.js";
export { NotATarError } from "./tar.js";

export interface IndexOptions {
  /** The largest file buffered for parsing (a database, a manifest, a jar); bigger ones are a warning. */
  maxFileBytes?: number;
}

export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
// The smallest Go binary ("hello world", stripped) is over 1 MiB; smaller executables are not worth a scan.
const MIN_GO_BINARY_BYTES = 512 * 1024;
const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

type Parser = (
  path: string,
  data: Buffer,
  warn: (m: string) => void,
) => FoundPackage[] | Promise<FoundPackage[]>;

const text = (f: (path: string, text: string) => FoundPackage[]): Parser => {
  return (path, data) => f(path, data.toString("utf8"));
};

/** The parser for a regular file, by its path (no leading "/"), and the family named in warnings. */
function parserFor(path: string, maxFileBytes: number): { family: string; parse: Parser } | undefined {
  if (isDpkgDatabase(path)) return { family: "dpkg", parse: text(parseDpkg) };
  if (path === APK_INSTALLED) return { family: "apk", parse: text(parseApk) };
  if (isRpmSqlite(path)) return { family: "rpm", parse: (p, d) => parseRpmSqlite(p, d) };
  if (isPythonMetadata(path)) return { family: "python", parse: text(parsePythonMetadata) };
  if (isNpmPackageJson(path)) return { family: "npm", parse: text(parsePackageJson) };
  if (isGemspec(path)) return { family: "ruby", parse: text(parseGemspec) };
  if (isJavaArchive(path)) {
    return { family: "java", parse: (p, d, warn) => parseJavaArchive(p, d, { maxFileBytes, warn }) };
  }
  return undefined;
}

/** Reads an entry's data whole (the caller checked its declared size). */
async function readEntry(entry: TarEntry, size: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(size);
  let n = 0;
  for await (const c of entry) {
    const chunk = c as Buffer;
    if (n + chunk.length > size) throw new Error("tar entry longer than its header says");
    chunk.copy(buf, n);
    n += chunk.length;
  }
  if (n !== size) throw new Error("tar entry shorter than its header says");
  return buf;
}

/** Streams an entry through the Go build info scanner if it starts like an executable. */
async function scanExecutable(entry: TarEntry): Promise<GoBuildInfoScanner | undefined> {
  let head = Buffer.alloc(0);
  let scanner: GoBuildInfoScanner | undefined;
  let decided = false;
  // Iterate to the end either way: the tar is sequential, and breaking off would destroy the entry stream.
  for await (const c of entry) {
    const chunk = c as Buffer;
    if (!decided) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 4) continue;
      decided = true;
      if (!isExecutable(head)) continue;
      scanner = new GoBuildInfoScanner();
      scanner.push(head);
    } else scanner?.push(chunk);
  }
  scanner?.finish();
  return scanner;
}

const parentOf = (p: string) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "");
const baseOf = (p: string) => p.slice(p.lastIndexOf("/") + 1);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Indexes one layer. Throws (NotATarError) when the blob is not a tar; a file that fails to parse is a warning. */
export async function indexLayer(open: LayerOpener, opts: IndexOptions = {}): Promise<LayerIndexData> {
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const sources = new Map<string, FoundPackage[]>();
  const whiteouts: string[] = [];
  const opaque: string[] = [];
  const warnings: string[] = [];
  const warn = (m: string) => void warnings.push(m);
  const osTexts = new Map<string, string>();
  const osLinks = new Map<string, string>();
  const hardlinks: [path: string, target: string][] = [];

  const tooBig = (path: string, size: number) => {
    if (size <= maxFileBytes) return false;
    warn(`${path}: ${size} bytes is over the ${maxFileBytes}-byte limit; not read`);
    return true;
  };

  await eachEntry(open, async (h, entry) => {
    const path = normalizePath(h.name);
    if (!path) return;
    const base = baseOf(path);
    if (base === OPAQUE) {
      opaque.push(parentOf(path));
      return;
    }
    if (base.startsWith(WHITEOUT)) {
      // other ".wh..wh." names are aufs bookkeeping, not whiteouts
      if (!base.startsWith(`${WHITEOUT}${WHITEOUT}`)) {
        const dir = parentOf(path);
        whiteouts.push((dir ? `${dir}/` : "") + base.slice(WHITEOUT.length));
      }
      return;
    }
    if (h.type === "symlink") {
      if (isOsRelease(path)) osLinks.set(path, h.linkname);
      return;
    }
    if (h.type === "link") {
      hardlinks.push([path, normalizePath(h.linkname)]);
      return;
    }
    if (h.type !== "file" && h.type !== "contiguous-file") return;

    // A newer copy of a path in the same layer replaces the older one, as extraction would.
    sources.delete(path);
    osTexts.delete(path);
    const unsupported = unsupportedRpmDb(path);
    if (unsupported) {
      warn(unsupported);
      return;
    }
    if (isOsRelease(path)) {
      if (!tooBig(path, h.size)) osTexts.set(path, (await readEntry(entry, h.size)).toString("utf8"));
      return;
    }
    const parser = parserFor(path, maxFileBytes);
    if (parser) {
      if (tooBig(path, h.size)) return;
      const data = await readEntry(entry, h.size); // read errors are the tar's: let them end the layer
      try {
        sources.set(path, await parser.parse(path, data, warn));
      } catch (e) {
        warn(`${path}: cannot parse as ${parser.family}: ${message(e)}`);
      }
      return;
    }
    if (h.size < MIN_GO_BINARY_BYTES) return;
    const info = (await scanExecutable(entry))?.result;
    if (info?.format === "inline") sources.set(path, goPackages(path, info));
    if (info?.format === "pointer") warn(`${path}: Go build info in the pre-Go 1.18 format is not supported`);
    if (info?.format === "malformed") warn(`${path}: unreadable Go build info`);
  });

  // Hard links share the data of an earlier entry: give them the packages (or os-release) it had.
  for (const [path, target] of hardlinks) {
    const pkgs = sources.get(target);
    if (pkgs) {
      sources.set(
        path,
        pkgs.map((p) => ({ ...p, path: path + p.path.slice(target.length) })),
      );
    }
    const t = osTexts.get(target);
    if (t !== undefined && isOsRelease(path)) osTexts.set(path, t);
  }

  const distribution = readDistribution(osTexts, osLinks, sources, warn);
  return {
    distribution,
    sources: [...sources].map(([path, packages]) => ({ path, packages })),
    whiteouts,
    opaque,
    warnings: [...new Set(warnings)],
  };
}

/** etc/os-release wins over usr/lib/os-release; either may be a symlink to the other (followed within this
 *  layer). Each os-release read becomes a source without packages, so a whiteout of it can be seen later. */
function readDistribution(
  texts: Map<string, string>,
  links: Map<string, string>,
  sources: Map<string, FoundPackage[]>,
  warn: (m: string) => void,
): Distribution | null {
  const contentOf = (path: string): string | undefined => {
    let p = path;
    for (let hops = 0; hops < 4; hops++) {
      const t = texts.get(p);
      if (t !== undefined) return t;
      const link = links.get(p);
      if (link === undefined) return undefined;
      p = resolveLink(p, link);
    }
    return undefined;
  };
  let distribution: Distribution | null = null;
  for (const path of OS_RELEASE_PATHS) {
    const t = contentOf(path);
    if (t === undefined) continue;
    sources.set(path, []);
    const d = parseOsRelease(t);
    if (!d) warn(`${path}: no ID field; distribution unknown`);
    distribution ??= d;
  }
  return distribution;
}
