// Generated avatars, computed as Quay does: a sha256 hash of the e-mail (or name; Quay's "local" avatars,
// its default since it dropped md5) and a colour picked from the hash, so the console and the REST API show
// the same initial-on-colour badge Quay users know.
import crypto from "node:crypto";

const COLORS = [
  "#969696",
  "#aec7e8",
  "#ff7f0e",
  "#ffbb78",
  "#2ca02c",
  "#98df8a",
  "#d62728",
  "#ff9896",
  "#9467bd",
  "#c5b0d5",
  "#8c564b",
  "#c49c94",
  "#e377c2",
  "#f7b6d2",
  "#7f7f7f",
  "#c7c7c7",
  "#bcbd22",
  "#1f77b4",
  "#17becf",
  "#9edae5",
  "#393b79",
  "#5254a3",
  "#6b6ecf",
  "#9c9ede",
  "#9ecae1",
  "#31a354",
  "#b5cf6b",
  "#a1d99b",
  "#8c6d31",
  "#ad494a",
  "#e7ba52",
  "#a55194",
];

export type AvatarKind = "user" | "robot" | "org" | "team" | "app";

export interface Avatar {
  name: string;
  hash: string;
  color: string;
  kind: AvatarKind;
}

export function avatarFor(name: string, emailOrId: string | null | undefined, kind: AvatarKind): Avatar {
  const hash = crypto
    .createHash("sha256")
    .update((emailOrId || name).trim().toLowerCase())
    .digest("hex");
  const digits = Math.ceil(Math.log(COLORS.length) / Math.log(16));
  return { name, hash, color: COLORS[parseInt(hash.slice(0, digits), 16) % COLORS.length]!, kind };
}
