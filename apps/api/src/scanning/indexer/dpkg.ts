// Reads Debian package databases: var/lib/dpkg/status (deb822 stanzas; installed packages only) and the
// files of var/lib/dpkg/status.d/ that distroless images write instead (one stanza per file, no Status).
import type { FoundPackage } from "../types.js";

export const DPKG_STATUS = "var/lib/dpkg/status";
const STATUS_D = "var/lib/dpkg/status.d/";

export function isDpkgDatabase(path: string): boolean {
  if (path === DPKG_STATUS) return true;
  if (!path.startsWith(STATUS_D)) return false;
  const name = path.slice(STATUS_D.length);
  // distroless also ships `<pkg>.md5sums` next to each stanza file
  return name.length > 0 && !name.includes("/") && !name.endsWith(".md5sums");
}

/** Splits deb822 text into stanzas of field → value (continuation lines joined with "\n"). */
export function parseDeb822(text: string): Map<string, string>[] {
  const stanzas: Map<string, string>[] = [];
  let cur = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") {
      if (cur.size) stanzas.push(cur);
      cur = new Map();
      last = undefined;
    } else if (/^[ \t]/.test(line)) {
      if (last !== undefined) cur.set(last, `${cur.get(last)}\n${line.trim()}`);
    } else {
      const colon = line.indexOf(":");
      if (colon <= 0) continue; // not a field: tolerate, as dpkg itself would complain but we only read
      last = line.slice(0, colon).trim().toLowerCase();
      cur.set(last, line.slice(colon + 1).trim());
    }
  }
  if (cur.size) stanzas.push(cur);
  return stanzas;
}

/** Installed means the third Status word is "installed" ("install ok installed", also "hold ok installed"):
 *  "deinstall ok config-files" or "not-installed" leave no binaries behind. Files without Status (status.d)
 *  list only installed packages. */
function installed(status: string | undefined): boolean {
  if (status === undefined) return true;
  const words = status.split(/\s+/);
  return words[1] === "ok" && words[2] === "installed";
}

export function parseDpkg(path: string, text: string): FoundPackage[] {
  const out: FoundPackage[] = [];
  for (const s of parseDeb822(text)) {
    const name = s.get("package");
    const version = s.get("version");
    if (!name || !version || !installed(s.get("status"))) continue;
    // "Source: name" or "Source: name (version)"; the source version defaults to the binary's version
    const src = /^(\S+)(?:\s+\((.+)\))?$/.exec(s.get("source") ?? "");
    const pkg: FoundPackage = {
      kind: "dpkg",
      name,
      version,
      source: { name: src?.[1] ?? name, version: src?.[2] ?? version },
      path,
    };
    const arch = s.get("architecture");
    if (arch) pkg.arch = arch;
    out.push(pkg);
  }
  return out;
}
