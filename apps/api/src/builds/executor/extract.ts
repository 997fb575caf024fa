// Writing archive entries into the source directory without ever leaving it: names are checked before
// use, parents are resolved through the real file system (a symlink from an earlier entry cannot carry a
// later write outside), link targets are resolved the way the kernel would, and sizes and counts are capped.
import fs from "node:fs/promises";
import path from "node:path";
import { userError } from "./job.js";

export interface ExtractLimits {
  maxBytes: number;
  maxEntries: number;
}

const refuse = (name: string, why: string) => userError(`Refusing archive entry "${name}": ${why}`);

/** Inside `root` (a real path), or `root` itself. */
export const within = (root: string, p: string) =>
  p === root || p.startsWith(root.endsWith("/") ? root : `${root}/`);

/** An entry name as a clean relative path; null for the archive root itself ("./"). */
export function entryPath(name: string): string | null {
  if (name.includes("\0")) throw refuse(name, "the name holds a NUL byte");
  if (name.startsWith("/")) throw refuse(name, "absolute paths are not allowed");
  const norm = path.posix.normalize(name.replace(/\/+$/, ""));
  if (norm === ".." || norm.startsWith("../")) throw refuse(name, "the path leaves the archive (..)");
  return norm === "." || norm === "" ? null : norm;
}

/**
 * Where a path ends up, following symlinks component by component as the kernel does; null as soon as it
 * leaves `root`. Missing components are taken literally (they may be created later; links are re-checked).
 */
export async function resolveInside(
  root: string,
  from: string,
  target: string,
  depth = 0,
): Promise<string | null> {
  if (depth > 40) return null;
  let cur = path.isAbsolute(target) ? "/" : from;
  if (!within(root, cur)) return null;
  for (const comp of target.split("/")) {
    if (comp === "" || comp === ".") continue;
    const next = comp === ".." ? path.dirname(cur) : path.join(cur, comp);
    if (!within(root, next)) return null;
    const st = await fs.lstat(next).catch(() => null);
    if (st?.isSymbolicLink()) {
      const resolved = await resolveInside(root, cur, await fs.readlink(next), depth + 1);
      if (resolved === null) return null;
      cur = resolved;
    } else cur = next;
  }
  return cur;
}

export class Extractor {
  private bytes = 0;
  private entries = 0;
  private readonly links: { name: string; at: string }[] = [];

  /** `root` must be an existing directory, given as its real path. */
  constructor(
    private readonly root: string,
    private readonly limits: ExtractLimits,
  ) {}

  get totals() {
    return { bytes: this.bytes, entries: this.entries };
  }

  /** Counts one entry against the cap. */
  count(name: string): void {
    if (++this.entries > this.limits.maxEntries)
      throw refuse(name, `the archive has more than ${this.limits.maxEntries} entries`);
  }

  /** Makes the parent directories of `rel` and answers the real path of the entry's place. */
  private async place(name: string, rel: string, replace = true): Promise<string> {
    let cur = this.root;
    for (const comp of rel.split("/").slice(0, -1)) {
      const next = path.join(cur, comp);
      const st = await fs.lstat(next).catch(() => null);
      if (!st) await fs.mkdir(next, { mode: 0o755 });
      else if (st.isSymbolicLink()) cur = await this.realDir(name, next);
      else if (!st.isDirectory()) throw refuse(name, `${path.relative(this.root, next)} is not a directory`);
      if (!st?.isSymbolicLink()) cur = next;
    }
    const at = path.join(cur, path.basename(rel));
    // Replace what an earlier entry put there (tar semantics), never write through it.
    if (replace && (await fs.lstat(at).catch(() => null))) await fs.rm(at, { recursive: true, force: true });
    return at;
  }

  /** Where a symlinked directory really is, if that is inside the source. */
  private async realDir(name: string, link: string): Promise<string> {
    const real = await fs.realpath(link).catch(() => null);
    const st = real === null ? null : await fs.stat(real);
    if (real === null || !within(this.root, real) || !st?.isDirectory())
      throw refuse(name, "it would be written through a symlink leading outside the archive");
    return real;
  }

  async directory(name: string, mode: number): Promise<void> {
    this.count(name);
    const rel = entryPath(name);
    if (rel === null) return;
    let at = await this.place(name, rel, false);
    const st = await fs.lstat(at).catch(() => null);
    if (st?.isSymbolicLink()) at = await this.realDir(name, at);
    else if (!st?.isDirectory()) {
      if (st) await fs.rm(at, { force: true });
      await fs.mkdir(at, { mode: 0o755 });
    }
    // Always searchable and writable by us, so the tree can be read by buildah and removed afterwards.
    await fs.chmod(at, (mode & 0o777) | 0o700);
  }

  async file(name: string, mode: number, data: AsyncIterable<Buffer | Uint8Array>, declared?: number) {
    this.count(name);
    const rel = entryPath(name);
    if (rel === null) throw refuse(name, "a file cannot be the archive root");
    if (declared !== undefined && this.bytes + declared > this.limits.maxBytes)
      throw refuse(name, `the archive expands to more than ${this.limits.maxBytes} bytes`);
    const at = await this.place(name, rel);
    // "wx": O_EXCL never follows a symlink that might have appeared at this name.
    const fh = await fs.open(at, "wx", (mode & 0o777) | 0o600);
    try {
      for await (const chunk of data) {
        this.bytes += chunk.length;
        if (this.bytes > this.limits.maxBytes)
          throw refuse(name, `the archive expands to more than ${this.limits.maxBytes} bytes`);
        await fh.write(chunk);
      }
    } finally {
      await fh.close();
    }
  }

  async symlink(name: string, target: string): Promise<void> {
    this.count(name);
    const rel = entryPath(name);
    if (rel === null) throw refuse(name, "a symlink cannot be the archive root");
    if (target === "" || target.includes("\0")) throw refuse(name, "the symlink has no valid target");
    const at = await this.place(name, rel);
    if ((await resolveInside(this.root, path.dirname(at), target)) === null)
      throw refuse(name, `the symlink points to ${target}, outside the build source`);
    await fs.symlink(target, at);
    this.links.push({ name, at });
  }

  async hardlink(name: string, target: string): Promise<void> {
    this.count(name);
    const rel = entryPath(name);
    let targetRel: string | null;
    try {
      targetRel = entryPath(target);
    } catch {
      throw refuse(name, `the hard link points to ${target}, outside the build source`);
    }
    if (rel === null || targetRel === null) throw refuse(name, "a hard link cannot involve the archive root");
    const parent = await resolveInside(this.root, this.root, path.posix.dirname(targetRel));
    const source = parent === null ? null : path.join(parent, path.posix.basename(targetRel));
    const st = source === null ? null : await fs.lstat(source).catch(() => null);
    if (source === null || !within(this.root, source))
      throw refuse(name, `the hard link points to ${target}, outside the build source`);
    if (!st?.isFile()) throw refuse(name, `the hard link target ${target} is not a file extracted before it`);
    const at = await this.place(name, rel);
    await fs.link(source, at);
  }

  /** Later entries can change where an earlier symlink leads: check them all again at the end. */
  async finish(): Promise<void> {
    for (const { name, at } of this.links) {
      const st = await fs.lstat(at).catch(() => null);
      if (!st?.isSymbolicLink()) continue;
      const target = await fs.readlink(at);
      if ((await resolveInside(this.root, path.dirname(at), target)) === null)
        throw refuse(name, `the symlink points to ${target}, outside the build source`);
    }
  }
}
