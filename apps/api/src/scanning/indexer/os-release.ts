// Reads os-release (etc/os-release, usr/lib/os-release): shell-style KEY=value lines, values optionally
// quoted. See https://www.freedesktop.org/software/systemd/man/os-release.html.
import type { Distribution } from "../types.js";

export const OS_RELEASE_PATHS = ["etc/os-release", "usr/lib/os-release"] as const;

export const isOsRelease = (path: string) => (OS_RELEASE_PATHS as readonly string[]).includes(path);

/** `"a \"b\""` → `a "b"`; `'x'` → `x`; unquoted values lose a trailing comment. */
function unquote(raw: string): string {
  const v = raw.trim();
  if (v.startsWith('"')) {
    const end = v.lastIndexOf('"');
    return v.slice(1, end > 0 ? end : undefined).replace(/\\(["\\`$])/g, "$1");
  }
  if (v.startsWith("'")) {
    const end = v.lastIndexOf("'");
    return v.slice(1, end > 0 ? end : undefined);
  }
  return v.replace(/\s+#.*$/, "");
}

/** The distribution an os-release names, or null when it has no ID. */
export function parseOsRelease(text: string): Distribution | null {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) fields.set(m[1]!, unquote(m[2]!));
  }
  const id = fields.get("ID");
  if (!id) return null;
  const d: Distribution = { id: id.toLowerCase(), versionId: fields.get("VERSION_ID") ?? "" };
  const codename = fields.get("VERSION_CODENAME");
  if (codename) d.versionCodename = codename;
  const pretty = fields.get("PRETTY_NAME");
  if (pretty) d.prettyName = pretty;
  const like = fields.get("ID_LIKE")?.split(/\s+/).filter(Boolean);
  if (like?.length) d.idLike = like;
  return d;
}

/** Resolves a symlink's target against the link's directory, inside the image root (`..` stops at `/`). */
export function resolveLink(linkPath: string, target: string): string {
  const parts = target.startsWith("/") ? [] : linkPath.split("/").slice(0, -1);
  for (const seg of target.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return parts.join("/");
}
