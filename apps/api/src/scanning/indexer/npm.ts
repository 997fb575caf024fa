// Reads npm packages installed in node_modules: the package's own package.json at node_modules/<name>/ or
// node_modules/@scope/<name>/ (any depth of nesting), not the package.json files of fixtures inside a package.
import type { FoundPackage } from "../types.js";

const ROOT_PACKAGE_JSON = /(?:^|\/)node_modules\/(?:@[^/.][^/]*\/)?[^/.@][^/]*\/package\.json$/;

export const isNpmPackageJson = (path: string) => ROOT_PACKAGE_JSON.test(path);

export function parsePackageJson(path: string, text: string): FoundPackage[] {
  const json: unknown = JSON.parse(text.replace(/^\uFEFF/, ""));
  if (!json || typeof json !== "object") return [];
  const { name, version } = json as { name?: unknown; version?: unknown };
  if (typeof name !== "string" || typeof version !== "string" || !name || !version) return [];
  return [{ kind: "npm", name, version, path }];
}
