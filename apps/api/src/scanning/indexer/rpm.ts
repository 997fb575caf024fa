// Reads the rpm database in its SQLite form (var/lib/rpm/rpmdb.sqlite, usr/lib/sysimage/rpm/rpmdb.sqlite),
// in memory with sql.js: each row of `Packages` is an rpm header blob, decoded here. The Berkeley DB and ndb
// forms are only recognised, to warn that they are not read.
import initSqlJs, { type SqlJsStatic } from "sql.js";
import type { FoundPackage } from "../types.js";

const SQLITE_DBS = ["var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"];
const BDB_DBS = ["var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages"];
const NDB_DBS = ["var/lib/rpm/Packages.db", "usr/lib/sysimage/rpm/Packages.db"];

export const isRpmSqlite = (path: string) => SQLITE_DBS.includes(path);

/** The warning for an rpm database this indexer cannot read, or undefined. */
export function unsupportedRpmDb(path: string): string | undefined {
  if (BDB_DBS.includes(path)) return `rpm database in Berkeley DB format (${path}) is not supported`;
  if (NDB_DBS.includes(path)) return `rpm database in ndb format (${path}) is not supported`;
  return undefined;
}

let sqlJs: Promise<SqlJsStatic> | undefined;

const TAG = { name: 1000, version: 1001, release: 1002, epoch: 1003, arch: 1022, sourceRpm: 1044 } as const;
const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;
const HEADER_MAGIC = Buffer.from([0x8e, 0xad, 0xe8, 0x01]);

/** Decodes the tags we need from one header blob: il, dl (big-endian int32), il index entries of
 *  (tag, type, offset, count), then dl bytes of data. The rpmdb stores headers without the 8-byte magic. */
export function parseRpmHeader(input: Uint8Array): Map<number, string | number> {
  let b = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (b.length >= 8 && b.subarray(0, 4).equals(HEADER_MAGIC)) b = b.subarray(8);
  if (b.length < 8) throw new Error("rpm header blob too short");
  const il = b.readUInt32BE(0);
  const dl = b.readUInt32BE(4);
  const dataStart = 8 + il * 16;
  if (il > 0xffff || dataStart + dl > b.length) throw new Error("rpm header blob has inconsistent sizes");
  const wanted = new Set<number>(Object.values(TAG));
  const out = new Map<number, string | number>();
  for (let i = 0; i < il; i++) {
    const e = 8 + i * 16;
    const tag = b.readUInt32BE(e);
    if (!wanted.has(tag)) continue;
    const type = b.readUInt32BE(e + 4);
    const off = dataStart + b.readUInt32BE(e + 8);
    if (off >= dataStart + dl) throw new Error(`rpm header tag ${tag} points outside the data`);
    if (type === TYPE_INT32) out.set(tag, b.readUInt32BE(off));
    else if (type === TYPE_STRING || type === TYPE_STRING_ARRAY || type === TYPE_I18NSTRING) {
      const end = b.indexOf(0, off);
      out.set(tag, b.toString("utf8", off, end < 0 ? dataStart + dl : end)); // arrays: the first string
    }
  }
  return out;
}

/** "bash-5.1.8-6.el9.src.rpm" → { name: "bash", version: "5.1.8-6.el9" } */
export function splitSourceRpm(file: string): { name: string; version?: string } | undefined {
  const base = file.replace(/\.(no)?src\.rpm$/, "");
  const rel = base.lastIndexOf("-");
  const ver = rel > 0 ? base.lastIndexOf("-", rel - 1) : -1;
  if (ver <= 0) return base ? { name: base } : undefined;
  return { name: base.slice(0, ver), version: base.slice(ver + 1) };
}

export async function parseRpmSqlite(path: string, data: Buffer): Promise<FoundPackage[]> {
  sqlJs ??= initSqlJs();
  const SQL = await sqlJs;
  // rpm keeps the file in WAL mode (header bytes 18/19 = 2), which an in-memory sql.js cannot open;
  // rpm checkpoints on close, so reading it as a rollback-journal file gives the same rows.
  if (data.length > 19 && data[18] === 2 && data[19] === 2) data[18] = data[19] = 1;
  const db = new SQL.Database(data);
  const out: FoundPackage[] = [];
  try {
    const stmt = db.prepare("SELECT blob FROM Packages");
    try {
      while (stmt.step()) {
        const blob = stmt.get()[0];
        if (!(blob instanceof Uint8Array)) continue;
        const h = parseRpmHeader(blob);
        const name = h.get(TAG.name);
        const version = h.get(TAG.version);
        const release = h.get(TAG.release);
        // gpg-pubkey rows are imported signing keys, not software
        if (typeof name !== "string" || typeof version !== "string" || name === "gpg-pubkey") continue;
        const epoch = h.get(TAG.epoch);
        const evr = `${epoch !== undefined ? `${epoch}:` : ""}${version}${release ? `-${release}` : ""}`;
        const pkg: FoundPackage = { kind: "rpm", name, version: evr, path };
        const arch = h.get(TAG.arch);
        if (typeof arch === "string" && arch) pkg.arch = arch;
        const src = h.get(TAG.sourceRpm);
        pkg.source = (typeof src === "string" && splitSourceRpm(src)) || { name };
        out.push(pkg);
      }
    } finally {
      stmt.free();
    }
  } finally {
    db.close();
  }
  return out;
}
