// Reads installed Python distributions: `*.dist-info/METADATA` (wheels, pip), `*.egg-info/PKG-INFO` and a
// `*.egg-info` that is itself a file (setuptools, distutils). All are RFC 822 headers; Name and Version matter.
import type { FoundPackage } from "../types.js";

/** For regular files only (a `.egg-info` directory is not itself read). */
export const isPythonMetadata = (path: string) =>
  /\.(?:dist-info\/METADATA|egg-info\/PKG-INFO|egg-info)$/.test(path);

export function parsePythonMetadata(path: string, text: string): FoundPackage[] {
  let name: string | undefined;
  let version: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break; // the headers end at the first blank line; the description follows
    const m = /^(Name|Version):\s*(.*?)\s*$/i.exec(line);
    if (!m) continue;
    if (m[1]!.toLowerCase() === "name") name ??= m[2];
    else version ??= m[2];
  }
  return name && version ? [{ kind: "pypi", name, version, path }] : [];
}
