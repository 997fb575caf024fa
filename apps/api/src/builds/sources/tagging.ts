// Which tags a triggered build pushes. Mirrors Quay's BuildTriggerHandler._determine_tags
// (buildtrigger/basehandler.py) and util.names.escape_tag, with these deliberate differences:
// - "latest" is added only for refs/heads/<default_branch> (Quay compares the name alone, so a git TAG named
//   like the default branch also got "latest");
// - tags keep their insertion order (Quay uses a set): templates, then the ref's name, then "latest";
// - sanitizing is ASCII-only and truncates at 128 (Quay's \w is Unicode and it cuts at 127).
import type { TriggerConfig, TriggerMetadata } from "../types.js";
import { isObject } from "./common.js";

export interface ParsedRef {
  kind: "branch" | "tag";
  name: string;
}

/** "refs/heads/x" → branch x, "refs/tags/y" → tag y; anything else null. */
export function parseRef(ref: string | undefined): ParsedRef | null {
  const m = ref ? /^refs\/(heads|tags)\/(.+)$/.exec(ref) : null;
  if (!m) return null;
  return { kind: m[1] === "heads" ? "branch" : "tag", name: m[2]! };
}

/** Quay's `ref.split("/", 2)[-1]`: the name after refs/<kind>/ (kept whole when it has slashes). */
const refName = (ref: string) => ref.split("/").slice(2).join("/") || ref;

export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** A valid OCI tag from any string: bad characters (and a leading "." or "-") become "_"; at most 128. */
export function sanitizeTag(raw: string): string {
  const chars = Array.from(raw).map((c) => (/^[A-Za-z0-9._-]$/.test(c) ? c : "_"));
  if (chars[0] === "." || chars[0] === "-") chars[0] = "_";
  return chars.join("").slice(0, 128);
}

/** ${dotted.path} — Quay evaluates a JSONPath; plain dotted paths are what its templates use. */
export const TEMPLATE_VARIABLE = /\$\{([^}]*)\}/g;
const DOTTED_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The data templates see: the metadata plus commit_info.short_sha and parsed_ref, as Quay builds it. */
function templateData(md: TriggerMetadata): Record<string, unknown> {
  const data: Record<string, unknown> = {
    ...md,
    commit_info: { ...md.commit_info, short_sha: md.commit.slice(0, 7) },
  };
  const m = md.ref ? /^refs\/(heads|tags|remotes)\/(.+)$/.exec(md.ref) : null;
  if (m) {
    const key = m[1] === "heads" ? "branch" : m[1] === "tags" ? "tag" : "remote";
    // parsed_ref.name (either kind) is ours; Quay has only branch / tag / remote.
    data.parsed_ref = { [key]: m[2], name: m[2] };
  }
  return data;
}

/** One variable's text, or undefined when it is missing (or names something that is not text). */
function lookup(data: Record<string, unknown>, path: string): string | undefined {
  let cur: unknown = data;
  for (const key of path.split(".")) {
    if (!isObject(cur) || !Object.hasOwn(cur, key)) return undefined;
    cur = cur[key];
  }
  // Quay's docs name ${commit_info.author} / ${commit_info.committer}; those are people, so use the username.
  if (isObject(cur) && typeof cur.username === "string") cur = cur.username;
  if (typeof cur === "string") return cur;
  if (typeof cur === "number" || typeof cur === "boolean") return String(cur);
  return undefined;
}

/** null when every ${...} in the template is a dotted path, else why not. */
export function checkTemplate(template: string): string | null {
  for (const m of template.matchAll(TEMPLATE_VARIABLE)) {
    if (!DOTTED_PATH.test(m[1]!)) return `invalid variable \${${m[1]}} in tag template "${template}"`;
  }
  return null;
}

/** The template applied to the metadata, or undefined when a variable is missing (the template is dropped). */
export function applyTemplate(template: string, md: TriggerMetadata): string | undefined {
  if (checkTemplate(template) !== null) return undefined; // Quay logs the parse error and skips the template
  const data = templateData(md);
  let missing = false;
  const out = template.replace(TEMPLATE_VARIABLE, (_, path: string) => {
    const v = lookup(data, path);
    if (v === undefined) missing = true;
    return v ?? "";
  });
  return missing || out === "" ? undefined : out;
}

/** Metadata as tagging needs it: a manual run of a bare commit has no ref. */
export type TaggableMetadata = Omit<TriggerMetadata, "ref"> & { ref?: string };

export function tagsFor(metadata: TaggableMetadata, config: TriggerConfig): string[] {
  const md = metadata as TriggerMetadata;
  const raw: string[] = [];
  for (const t of config.tag_templates ?? []) {
    const v = applyTemplate(t, md);
    if (v !== undefined) raw.push(v);
  }
  if (md.ref) {
    if (config.default_tag_from_ref !== false) raw.push(refName(md.ref));
    const branch = parseRef(md.ref);
    const isDefault = branch?.kind === "branch" && !!md.default_branch && branch.name === md.default_branch;
    if (config.latest_for_default_branch !== false && isDefault) raw.push("latest");
  }
  // Quay's fallback when nothing else applies is the short SHA; escape_tag's own default is "latest".
  if (raw.length === 0) raw.push(md.commit.slice(0, 7) || "latest");
  const tags: string[] = [];
  for (const r of raw) {
    const t = sanitizeTag(r) || "latest";
    if (!tags.includes(t)) tags.push(t);
  }
  return tags;
}
