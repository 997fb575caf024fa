// What the mirror's form holds, and the mutation inputs it turns into: everything for a new mirror, only the
// changed fields for an update (the server keeps what an update leaves out; a password is sent only when one
// is typed, an emptied username makes the mirror anonymous).
import {
  fromLocalInput,
  parseGlobs,
  toLocalInput,
  type MirrorInput,
  type RepositoryMirror,
} from "../../../hooks/mirroring";

export const INTERVAL_UNITS = { seconds: 1, minutes: 60, hours: 3600, days: 86400, weeks: 604800 } as const;
export type IntervalUnit = keyof typeof INTERVAL_UNITS;

export interface MirrorValues {
  isEnabled: boolean;
  externalReference: string;
  /** Comma-separated tag globs. */
  tags: string;
  /** datetime-local */
  startDate: string;
  interval: string;
  intervalUnit: IntervalUnit;
  robot: string;
  username: string;
  password: string;
  verifyTls: boolean;
  unsignedImages: boolean;
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

/** The largest unit the interval is a whole number of. */
function splitInterval(seconds: number): { interval: string; intervalUnit: IntervalUnit } {
  const units = Object.entries(INTERVAL_UNITS).reverse() as [IntervalUnit, number][];
  for (const [unit, size] of units)
    if (seconds >= size && seconds % size === 0)
      return { interval: String(seconds / size), intervalUnit: unit };
  return { interval: String(seconds), intervalUnit: "seconds" };
}

export function initialValues(m: RepositoryMirror | null | undefined): MirrorValues {
  if (!m)
    return {
      isEnabled: true,
      externalReference: "",
      tags: "",
      startDate: toLocalInput(new Date()),
      interval: "1",
      intervalUnit: "days",
      robot: "",
      username: "",
      password: "",
      verifyTls: true,
      unsignedImages: false,
      httpProxy: "",
      httpsProxy: "",
      noProxy: "",
    };
  return {
    isEnabled: m.isEnabled,
    externalReference: m.externalReference,
    tags: m.tagGlobs.join(", "),
    startDate: toLocalInput(m.syncStartDate),
    ...splitInterval(m.syncInterval),
    robot: m.robot ?? "",
    username: m.username ?? "",
    password: "",
    verifyTls: m.verifyTls,
    unsignedImages: m.unsignedImages,
    httpProxy: m.proxy.httpProxy ?? "",
    httpsProxy: m.proxy.httpsProxy ?? "",
    noProxy: m.proxy.noProxy ?? "",
  };
}

export const intervalSeconds = (v: MirrorValues) =>
  Math.round(Number(v.interval) * INTERVAL_UNITS[v.intervalUnit]);

/** Why the form cannot be sent yet; null when it can. */
export function problemOf(v: MirrorValues): string | null {
  if (!v.externalReference.trim()) return "Enter the external registry location.";
  if (!parseGlobs(v.tags).length) return "Enter at least one tag pattern.";
  if (!fromLocalInput(v.startDate)) return "Enter the start date.";
  const s = intervalSeconds(v);
  if (!Number.isFinite(s) || s < 1) return "Enter a sync interval.";
  if (!v.robot) return "Choose the robot user.";
  if (v.password && !v.username.trim()) return "A password needs a username.";
  return null;
}

const orNull = (s: string) => s.trim() || null;

export function toCreateInput(v: MirrorValues): MirrorInput {
  return {
    isEnabled: v.isEnabled,
    externalReference: v.externalReference.trim(),
    tagGlobs: parseGlobs(v.tags),
    syncStartDate: fromLocalInput(v.startDate),
    syncInterval: intervalSeconds(v),
    robot: v.robot,
    username: orNull(v.username),
    password: v.password || null,
    verifyTls: v.verifyTls,
    unsignedImages: v.unsignedImages,
    httpProxy: orNull(v.httpProxy),
    httpsProxy: orNull(v.httpsProxy),
    noProxy: orNull(v.noProxy),
  };
}

/** Only what differs from the saved configuration; an empty object when nothing does. */
export function toUpdateInput(v: MirrorValues, saved: RepositoryMirror): MirrorInput {
  const was = initialValues(saved);
  const input: MirrorInput = {};
  if (v.isEnabled !== was.isEnabled) input.isEnabled = v.isEnabled;
  if (v.externalReference.trim() !== was.externalReference)
    input.externalReference = v.externalReference.trim();
  const globs = parseGlobs(v.tags);
  if (globs.join(",") !== saved.tagGlobs.join(",")) input.tagGlobs = globs;
  if (v.startDate !== was.startDate) input.syncStartDate = fromLocalInput(v.startDate);
  if (intervalSeconds(v) !== saved.syncInterval) input.syncInterval = intervalSeconds(v);
  if (v.robot !== was.robot) input.robot = v.robot;
  if (v.username.trim() !== was.username || v.password) {
    input.username = v.username.trim();
    if (v.password) input.password = v.password;
  }
  if (v.verifyTls !== was.verifyTls) input.verifyTls = v.verifyTls;
  if (v.unsignedImages !== was.unsignedImages) input.unsignedImages = v.unsignedImages;
  if (v.httpProxy.trim() !== was.httpProxy) input.httpProxy = orNull(v.httpProxy);
  if (v.httpsProxy.trim() !== was.httpsProxy) input.httpsProxy = orNull(v.httpsProxy);
  if (v.noProxy.trim() !== was.noProxy) input.noProxy = orNull(v.noProxy);
  return input;
}
