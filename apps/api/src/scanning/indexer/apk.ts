// Reads Alpine's package database lib/apk/db/installed: one stanza per package, blank-line separated, each
// line "X:value" (P name, V version, A arch, o origin = the source package aports builds it from).
import type { FoundPackage } from "../types.js";

export const APK_INSTALLED = "lib/apk/db/installed";

export function parseApk(path: string, text: string): FoundPackage[] {
  const out: FoundPackage[] = [];
  let f = new Map<string, string>();
  const flush = () => {
    const name = f.get("P");
    const version = f.get("V");
    if (name && version) {
      const pkg: FoundPackage = {
        kind: "apk",
        name,
        version,
        source: { name: f.get("o") || name, version },
        path,
      };
      const arch = f.get("A");
      if (arch) pkg.arch = arch;
      out.push(pkg);
    }
    f = new Map();
  };
  for (const line of text.split(/\r?\n/)) {
    if (line === "") flush();
    // only the first of repeated keys matters for these fields (F:/R: repeat per file)
    else if (line[1] === ":" && !f.has(line[0]!)) f.set(line[0]!, line.slice(2));
  }
  flush();
  return out;
}
