// Reads the build info Go (>= 1.18) embeds in its binaries: a 16-byte-aligned "\xff Go buildinf:" header
// followed by the Go version and the module list (`go version -m`). Binaries are scanned as they stream
// past, with a small carried window, so no binary is buffered whole.
import type { FoundPackage } from "../types.js";

const MAGIC = Buffer.from("\xff Go buildinf:", "latin1");
const HEADER = 32; // magic (14), pointer size (1), flags (1), two pointers (16; unused in the inline format)
const ALIGN = 16;
const FLAG_INLINE = 2; // Go >= 1.18: strings follow the header, varint-length-prefixed
const MAX_BLOB = 4 * 1024 * 1024; // module lists are a few KiB; anything bigger is not build info

/** ELF, Mach-O (32/64-bit, either byte order, fat) or PE: the executables Go builds. */
export function isExecutable(head: Buffer): boolean {
  if (head.length < 4) return false;
  const be = head.readUInt32BE(0);
  return (
    be === 0x7f454c46 || // \x7fELF
    [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(be) ||
    (head[0] === 0x4d && head[1] === 0x5a) // MZ
  );
}

export type GoBuildInfo =
  { format: "inline"; goVersion: string; modinfo: string } | { format: "pointer" } | { format: "malformed" };

function uvarint(b: Buffer, pos: number): [value: number, next: number] | undefined {
  let x = 0;
  for (let shift = 0, i = pos; i < b.length && shift < 35; shift += 7, i++) {
    x += (b[i]! & 0x7f) * 2 ** shift;
    if (b[i]! < 0x80) return [x, i + 1];
  }
  return undefined;
}

/** Parses a build info blob that starts at the magic; undefined means "need more bytes". */
function parseBlob(b: Buffer): GoBuildInfo | undefined {
  if (b.length < HEADER) return undefined;
  if (b[14] !== 4 && b[14] !== 8) return { format: "malformed" };
  if ((b[15]! & FLAG_INLINE) === 0) return { format: "pointer" };
  const v = uvarint(b, HEADER);
  if (!v) return b.length - HEADER > 5 ? { format: "malformed" } : undefined;
  const [vlen, vpos] = v;
  if (vlen > MAX_BLOB) return { format: "malformed" };
  if (b.length < vpos + vlen) return undefined;
  const m = uvarint(b, vpos + vlen);
  if (!m) return b.length - vpos - vlen > 5 ? { format: "malformed" } : undefined;
  const [mlen, mpos] = m;
  if (mlen > MAX_BLOB) return { format: "malformed" };
  if (b.length < mpos + mlen) return undefined;
  let mod = b.subarray(mpos, mpos + mlen);
  // runtime/debug wraps the module text in two 16-byte sentinels; as debug/buildinfo does, strip them when
  // the text ends in "\n" just before the end sentinel, else there is no module text
  if (mod.length >= 33 && mod[mod.length - 17] === 0x0a) mod = mod.subarray(16, mod.length - 16);
  else if (mod.length > 0) mod = Buffer.alloc(0);
  return {
    format: "inline",
    goVersion: b.toString("utf8", vpos, vpos + vlen),
    modinfo: mod.toString("utf8"),
  };
}

/** Feeds a file's chunks through `push`; `result` is set once build info has been found and read. */
export class GoBuildInfoScanner {
  result: GoBuildInfo | undefined;
  private carry = Buffer.alloc(0);
  private carryStart = 0; // file offset of carry[0]
  private blob: Buffer[] | undefined; // chunks from the magic on, while reading the blob
  private blobLen = 0;

  push(chunk: Buffer): void {
    if (this.result) return;
    if (this.blob) return this.collect(chunk);
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const base = this.carryStart;
    for (let i = buf.indexOf(MAGIC); i >= 0; i = buf.indexOf(MAGIC, i + 1)) {
      if ((base + i) % ALIGN !== 0) continue;
      const ptrSize = buf[i + MAGIC.length];
      if (ptrSize !== undefined && ptrSize !== 4 && ptrSize !== 8) continue; // the bytes, not a header
      this.blob = [];
      this.blobLen = 0;
      return this.collect(Buffer.from(buf.subarray(i))); // copy: the chunk belongs to the stream
    }
    const keep = Math.min(buf.length, MAGIC.length - 1);
    this.carry = Buffer.from(buf.subarray(buf.length - keep));
    this.carryStart = base + buf.length - keep;
  }

  private collect(chunk: Buffer): void {
    this.blob!.push(chunk);
    this.blobLen += chunk.length;
    const all = Buffer.concat(this.blob!);
    this.blob = [all];
    const r = parseBlob(all);
    if (r) this.result = r;
    else if (this.blobLen > MAX_BLOB + 64) this.result = { format: "malformed" };
  }

  /** At the end of the file: a blob cut short by the end is malformed. */
  finish(): GoBuildInfo | undefined {
    if (!this.result && this.blob) this.result = { format: "malformed" };
    return this.result;
  }
}

/** "go1.21.5" → "1.21.5", "go1.21" → "1.21.0", "go1.21rc2" → "1.21.0-rc.2" (as govulncheck/OSV spell the
 *  Go standard library); build suffixes (" X:boringcrypto", "-20231128-RC02 …") are dropped. */
export function goVersionToSemver(goVersion: string): string {
  const tag = goVersion.trim().split(/\s+/)[0]!.split("-")[0]!;
  const m = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?$/.exec(tag);
  if (!m) return goVersion;
  const [, major, minor = "0", patch = "0", pre, preNum] = m;
  return `${major}.${minor}.${patch}${pre ? `-${pre}.${preNum}` : ""}`;
}

/** The main module, its dependencies (replacements applied) and the standard library. */
export function goPackages(path: string, info: { goVersion: string; modinfo: string }): FoundPackage[] {
  const mods: { name: string; version: string }[] = [];
  let last: { name: string; version: string } | undefined;
  for (const line of info.modinfo.split("\n")) {
    const [key, modPath, version] = line.split("\t");
    if ((key === "mod" || key === "dep") && modPath) {
      last = { name: modPath, version: version || "(devel)" };
      mods.push(last);
    } else if (key === "=>" && modPath && last) {
      // a replacement stands in for the module on the line before (a local directory has no version)
      last.name = modPath;
      last.version = version || "(devel)";
    }
  }
  const out: FoundPackage[] = mods.map((m) => ({ kind: "go", name: m.name, version: m.version, path }));
  if (info.goVersion)
    out.push({ kind: "go", name: "stdlib", version: goVersionToSemver(info.goVersion), path });
  return out;
}
