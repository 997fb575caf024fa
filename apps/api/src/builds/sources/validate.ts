// Trigger configuration as a user submits it when setting a trigger up: checked and normalised once, so
// the webhook path can trust it. Quay itself validates almost nothing here; the rules follow what its
// builder assumes (buildman/jobutil/buildjob.py expects the Dockerfile inside the context) and what git
// will safely accept as a remote.
import { TRIGGER_SERVICES, type TriggerConfig, type TriggerService } from "../types.js";
import { isObject } from "./common.js";
import { checkRegex } from "./regex.js";
import { checkTemplate } from "./tagging.js";

export class TriggerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TriggerConfigError";
  }
}

export const MAX_PATH_LENGTH = 255;
export const MAX_TAG_TEMPLATES = 20;
export const MAX_TEMPLATE_LENGTH = 255;
export const MAX_SOURCE_LENGTH = 1024;

/** "/a/b" from "a//b/./", refusing ".." so a path can never leave the checked-out source. */
function sourcePath(v: unknown, key: string, fallback: string): string {
  if (v === undefined || v === null || v === "") return fallback;
  if (typeof v !== "string") throw new TriggerConfigError(`${key} must be a string`);
  if (v.length > MAX_PATH_LENGTH)
    throw new TriggerConfigError(`${key} is longer than ${MAX_PATH_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v)) throw new TriggerConfigError(`${key} contains control characters`);
  const parts = v.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new TriggerConfigError(`${key} must stay inside the source ("..")`);
  return "/" + parts.join("/");
}

/**
 * What git may clone for a custom trigger: ssh://, git+ssh://, git:// or https:// URLs with a host, or the
 * scp-like user@host:path. Never file paths, ext:: helpers (they run commands) or anything starting with
 * "-" (git would read it as an option).
 */
export function checkGitUrl(v: string): string | null {
  if (v.length > MAX_SOURCE_LENGTH) return `longer than ${MAX_SOURCE_LENGTH} characters`;
  if (/\s/.test(v) || v.startsWith("-")) return "must not contain whitespace or start with '-'";
  if (/^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:(?!\/\/)[^\\]+$/.test(v)) return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return "must be an ssh://, git://, https:// URL or user@host:path";
  }
  if (!["ssh:", "git+ssh:", "git:", "https:"].includes(url.protocol)) {
    return `scheme ${url.protocol} is not allowed (ssh, git+ssh, git, https)`;
  }
  if (!url.hostname || url.pathname === "/" || url.pathname === "")
    return "must name a host and a repository path";
  return null;
}

/** "owner/repo" (GitLab: group/subgroup/repo). */
function hostedSource(service: TriggerService, v: string): string | null {
  const seg = "[A-Za-z0-9_.-]+";
  const re = service === "gitlab" ? new RegExp(`^${seg}(/${seg})+$`) : new RegExp(`^${seg}/${seg}$`);
  if (!re.test(v) || v.split("/").some((s) => s === "." || s === "..")) {
    return service === "gitlab" ? "must look like group/project" : "must look like owner/repository";
  }
  return null;
}

function bool(v: unknown, key: string): boolean {
  if (v === undefined || v === null) return true; // both tagging options default to on in Quay
  if (typeof v !== "boolean") throw new TriggerConfigError(`${key} must be true or false`);
  return v;
}

/**
 * The validated config, normalised: paths absolute and clean (defaults "/Dockerfile" and "/"), booleans
 * filled in, an empty branchtag_regex removed. Unknown keys are dropped.
 */
export function checkTriggerConfig(service: TriggerService, config: unknown): TriggerConfig {
  if (!(TRIGGER_SERVICES as readonly string[]).includes(service)) {
    throw new TriggerConfigError(`Unknown trigger service ${String(service)}`);
  }
  if (!isObject(config)) throw new TriggerConfigError("Trigger config must be an object");
  const out: TriggerConfig = {};

  const source = config.build_source;
  if (source === undefined || source === null || source === "") {
    throw new TriggerConfigError("build_source is required");
  }
  if (typeof source !== "string") throw new TriggerConfigError("build_source must be a string");
  const sourceError = service === "custom-git" ? checkGitUrl(source) : hostedSource(service, source);
  if (sourceError) throw new TriggerConfigError(`build_source ${sourceError}`);
  out.build_source = source;

  out.dockerfile_path = sourcePath(config.dockerfile_path, "dockerfile_path", "/Dockerfile");
  if (out.dockerfile_path === "/") throw new TriggerConfigError("dockerfile_path must name a file");
  out.context = sourcePath(config.context, "context", "/");
  const inside = out.context === "/" || out.dockerfile_path.startsWith(out.context + "/");
  if (!inside) {
    throw new TriggerConfigError(
      `dockerfile_path ${out.dockerfile_path} is outside the context ${out.context}`,
    );
  }

  const regex = config.branchtag_regex;
  if (regex !== undefined && regex !== null && regex !== "") {
    if (typeof regex !== "string") throw new TriggerConfigError("branchtag_regex must be a string");
    const err = checkRegex(regex);
    if (err) throw new TriggerConfigError(err);
    out.branchtag_regex = regex;
  }

  out.default_tag_from_ref = bool(config.default_tag_from_ref, "default_tag_from_ref");
  out.latest_for_default_branch = bool(config.latest_for_default_branch, "latest_for_default_branch");

  const templates = config.tag_templates;
  if (templates !== undefined && templates !== null) {
    if (!Array.isArray(templates)) throw new TriggerConfigError("tag_templates must be a list of strings");
    if (templates.length > MAX_TAG_TEMPLATES) {
      throw new TriggerConfigError(`at most ${MAX_TAG_TEMPLATES} tag templates are allowed`);
    }
    for (const t of templates) {
      if (typeof t !== "string" || t === "")
        throw new TriggerConfigError("each tag template must be a non-empty string");
      if (t.length > MAX_TEMPLATE_LENGTH) {
        throw new TriggerConfigError(`tag template longer than ${MAX_TEMPLATE_LENGTH} characters`);
      }
      const err = checkTemplate(t);
      if (err) throw new TriggerConfigError(err);
    }
    out.tag_templates = [...templates];
  }
  return out;
}
