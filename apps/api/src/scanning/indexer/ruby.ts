// Reads installed Ruby gems from their specifications (`specifications/*.gemspec`, also `specifications/
// default/` for the gems bundled with Ruby): the Ruby source `gem install` writes, read with patterns, not run.
import type { FoundPackage } from "../types.js";

export const isGemspec = (path: string) => /(?:^|\/)specifications\/(?:default\/)?[^/]+\.gemspec$/.test(path);

// `"x"`, `'x'`, `"x".freeze`, `Gem::Version.new("x")`
const STRING = /^(?:Gem::Version\.new\(\s*)?(["'])([^"']+)\1/;

export function parseGemspec(path: string, text: string): FoundPackage[] {
  let name: string | undefined;
  let version: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*\w+\.(name|version)\s*=\s*(.+)$/.exec(line);
    if (!m) continue;
    const value = STRING.exec(m[2]!.trim())?.[2];
    if (m[1] === "name") name ??= value;
    else version ??= value;
  }
  // Generated specifications start with "# stub: <name> <version> <platform> <require paths>"
  const stub = /^# stub: (\S+) (\S+)/m.exec(text);
  name ??= stub?.[1];
  version ??= stub?.[2];
  return name && version ? [{ kind: "rubygems", name, version, path }] : [];
}
