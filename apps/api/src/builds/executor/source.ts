// The "unpacking" phase for uploads and URLs: what a file is (told by its first bytes, never its name),
// the download of a URL with a size cap, and where the context and the Dockerfile are inside the source.
import fs from "node:fs";
import path from "node:path";
import { extractArchive, type ArchiveKind } from "./archives.js";
import { within, type ExtractLimits } from "./extract.js";
import { BuildFailure, userError } from "./job.js";
import type { BuildLog } from "./log.js";

const SNIFF_BYTES = 8192;
/** A download that takes longer than this fails, whatever the build's own timeout. */
const DOWNLOAD_TIMEOUT_MS = 15 * 60_000;

export type SourceKind = ArchiveKind | "dockerfile";

/** A tar header block: "ustar" magic, or an old-style header whose checksum adds up. */
function isTarHeader(b: Buffer): boolean {
  if (b.length < 512) return false;
  if (b.subarray(257, 262).toString("latin1") === "ustar") return true;
  const stored = parseInt(b.subarray(148, 156).toString("latin1").replace(/\0.*$/s, "").trim(), 8);
  if (!Number.isFinite(stored) || b[0] === 0) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  return sum === stored;
}

function isText(b: Buffer): boolean {
  if (b.includes(0)) return false;
  try {
    // stream: the sample may end in the middle of a character.
    new TextDecoder("utf-8", { fatal: true }).decode(b, { stream: true });
    return true;
  } catch {
    return false;
  }
}

export async function sniff(file: string): Promise<SourceKind> {
  const fh = await fs.promises.open(file, "r");
  const b = Buffer.alloc(SNIFF_BYTES);
  let n: number;
  try {
    n = (await fh.read(b, 0, SNIFF_BYTES, 0)).bytesRead;
  } finally {
    await fh.close();
  }
  const head = b.subarray(0, n);
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.subarray(0, 2).toString("latin1") === "PK" && [3, 5, 7].includes(head[2]!)) return "zip";
  if (isTarHeader(head)) return "tar";
  if (
    head.subarray(0, 3).toString("latin1") === "BZh" ||
    head.subarray(0, 6).equals(Buffer.from("fd377a585a00", "hex"))
  )
    throw userError("bzip2 and xz archives are not supported: upload a Dockerfile, a tar, a tar.gz or a zip");
  if (isText(head)) return "dockerfile";
  throw userError("The build source is not a Dockerfile, a tar, a tar.gz or a zip archive");
}

/** Fills `dest` from an uploaded or downloaded file; answers whether it was a lone Dockerfile. */
export async function unpackFile(
  file: string,
  dest: string,
  limits: ExtractLimits,
  signal: AbortSignal,
  log: BuildLog,
): Promise<"dockerfile" | "archive"> {
  const st = await fs.promises.stat(file).catch(() => null);
  if (!st?.isFile()) throw userError("The uploaded build source is missing");
  const kind = await sniff(file);
  if (kind === "dockerfile") {
    if (st.size > limits.maxBytes) throw userError(`The Dockerfile is larger than ${limits.maxBytes} bytes`);
    await fs.promises.copyFile(file, path.join(dest, "Dockerfile"));
    log.info("The build source is a Dockerfile");
    return "dockerfile";
  }
  const label = kind === "gzip" ? "tar.gz" : kind;
  log.info(`Extracting the ${label} archive (${st.size} bytes)`);
  const t = await extractArchive(kind, file, dest, limits, signal);
  log.info(`Extracted ${t.entries} entries, ${t.bytes} bytes`);
  return "archive";
}

/** A URL's password as written and decoded, for the log to hide. */
export function urlSecrets(u: URL): string[] {
  if (!u.password) return [];
  try {
    return [u.password, decodeURIComponent(u.password)];
  } catch {
    return [u.password];
  }
}

/** The URL without its password, for the log. */
export function safeUrl(u: URL): string {
  const copy = new URL(u.href);
  if (copy.password) copy.password = "********";
  return copy.href;
}

export async function download(
  url: string,
  dest: string,
  maxBytes: number,
  signal: AbortSignal,
  log: BuildLog,
) {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw userError(`Invalid build source URL: ${url}`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw userError(`Build source URLs must be http or https, not ${u.protocol}`);
  for (const pw of urlSecrets(u)) log.addSecret(pw);
  log.info(`Downloading ${safeUrl(u)}`);
  const timeout = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
  const tooBig = () => userError(`The download is larger than ${maxBytes} bytes`);
  let total = 0;
  try {
    const res = await fetch(u, { signal: AbortSignal.any([signal, timeout]), redirect: "follow" });
    if (!res.ok || !res.body) throw userError(`Could not download ${safeUrl(u)}: HTTP ${res.status}`);
    const declared = Number(res.headers.get("content-length") ?? NaN);
    if (declared > maxBytes) throw tooBig();
    const fh = await fs.promises.open(dest, "wx", 0o600);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        total += chunk.length;
        if (total > maxBytes) throw tooBig();
        await fh.write(chunk);
      }
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    if (e instanceof BuildFailure) throw e;
    if (timeout.aborted)
      throw userError(`Downloading ${safeUrl(u)} took longer than ${DOWNLOAD_TIMEOUT_MS / 1000} seconds`);
    const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
    throw userError(`Could not download ${safeUrl(u)}: ${cause}`);
  }
  log.info(`Downloaded ${total} bytes`);
}

/** A user-given path relative to the source root ("/", "", "/app", "app/"), refusing "..". */
function relative(p: string, what: string): string {
  const norm = path.posix.normalize(p.replace(/^\/+/, "") || ".").replace(/\/+$/, "");
  if (norm === ".." || norm.startsWith("../"))
    throw userError(`The ${what} ${p} leads outside the build source`);
  return norm === "" ? "." : norm;
}

const show = (rel: string) => (rel === "." ? "/" : `/${rel}`);

/** The real paths of the context and the Dockerfile, both checked to stay inside the source. */
export async function locate(
  source: string,
  context: string,
  dockerfilePath: string,
): Promise<{ contextDir: string; dockerfile: string }> {
  const root = await fs.promises.realpath(source);
  const ctxRel = relative(context, "build context");
  const real = async (rel: string, what: string) => {
    const r = await fs.promises.realpath(path.join(root, rel)).catch(() => null);
    if (r !== null && !within(root, r))
      throw userError(`The ${what} ${show(rel)} leads outside the build source`);
    return r;
  };
  const contextDir = await real(ctxRel, "build context");
  if (contextDir === null || !(await fs.promises.stat(contextDir)).isDirectory())
    throw userError(`Could not find the build context directory ${show(ctxRel)}`);
  // No Dockerfile named: <context>/Dockerfile, or a Containerfile there as buildah would take.
  const candidates = dockerfilePath.trim()
    ? [relative(dockerfilePath.trim(), "Dockerfile path")]
    : [path.posix.join(ctxRel, "Dockerfile"), path.posix.join(ctxRel, "Containerfile")];
  for (const rel of candidates) {
    const file = await real(rel, "Dockerfile path");
    if (file !== null && (await fs.promises.stat(file)).isFile()) return { contextDir, dockerfile: file };
  }
  throw userError(`Could not find Dockerfile at ${show(candidates[0]!)}`);
}
