// Quay's name rules, in one place.
export const NAMESPACE_RE = /^(?=.{2,255}$)[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const ROBOT_SHORTNAME_RE = /^[a-z][a-z0-9_]{1,254}$/;
export const TEAM_RE = /^[a-z][a-z0-9]{1,254}$/;

/** Splits `namespace/name...` into its namespace and repository name (which may contain `/`). */
export function splitRepository(full: string): { namespace: string; name: string } | null {
  const i = full.indexOf("/");
  if (i <= 0 || i === full.length - 1) return null;
  return { namespace: full.slice(0, i), name: full.slice(i + 1) };
}

/** Splits a robot's full name `namespace+short` at its first `+`; null unless both parts are present. */
export function parseRobotName(full: string): { namespace: string; short: string } | null {
  const i = full.indexOf("+");
  if (i <= 0 || i === full.length - 1) return null;
  return { namespace: full.slice(0, i), short: full.slice(i + 1) };
}

/** A robot's full name, as it logs in and as the console shows it. */
export const robotFullName = (namespace: string, short: string) => `${namespace}+${short}`;
