// Custom git triggers (Quay's buildtrigger/customhandler.py): any git server POSTs the JSON of seed 001
// §8.2.2 to the webhook URL, authenticated only by the $token credentials in that URL. As in Quay, a body
// in GitHub's, Bitbucket's or GitLab's push shape is accepted too (a hosted service pointed at a custom
// trigger), and the clone URL is always the trigger's build_source, never one from the payload.
import type { CommitInfo, CommitPerson, TriggerConfig, TriggerMetadata } from "../types.js";
import {
  HEX_COMMIT,
  type Json,
  REF_PATTERN,
  type SourcePlugin,
  type WebhookOutcome,
  WebhookRefused,
  checkBasic,
  compact,
  isObject,
  readJson,
  requireAuthentic,
} from "./common.js";
import { fromBitbucket, looksLikeBitbucket } from "./bitbucket.js";
import { fromGithub, isGithubPing, looksLikeGithub } from "./github.js";
import { fromGitlab, looksLikeGitlab } from "./gitlab.js";
import { applySkipRules } from "./skip.js";

/** A required string field, with Quay-like messages ("Missing required commit"). */
function need(obj: Json, key: string, path: string): string {
  const v = obj[key];
  if (v === undefined || v === null) throw new WebhookRefused(400, `Missing required ${path}`);
  if (typeof v !== "string") throw new WebhookRefused(400, `${path} must be a string`);
  return v;
}

/** The seed marks every field of author / committer as required once the object is present. */
function readPerson(v: unknown, path: string): CommitPerson | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new WebhookRefused(400, `${path} must be an object`);
  return {
    username: need(v, "username", `${path}.username`),
    url: need(v, "url", `${path}.url`),
    avatar_url: need(v, "avatar_url", `${path}.avatar_url`),
  };
}

function readCommitInfo(v: unknown): CommitInfo | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new WebhookRefused(400, "commit_info must be an object");
  return compact({
    url: need(v, "url", "commit_info.url"),
    message: need(v, "message", "commit_info.message"),
    date: need(v, "date", "commit_info.date"),
    author: readPerson(v.author, "commit_info.author"),
    committer: readPerson(v.committer, "commit_info.committer"),
  });
}

/** The custom-git JSON to metadata; only the documented fields are kept. */
export function fromCustom(body: Json, gitUrl: string): TriggerMetadata {
  const commit = need(body, "commit", "commit");
  if (!HEX_COMMIT.test(commit))
    throw new WebhookRefused(400, "commit must be 7 to 64 hexadecimal characters");
  const ref = need(body, "ref", "ref");
  if (!REF_PATTERN.test(ref))
    throw new WebhookRefused(400, "ref must look like refs/heads/<branch> or refs/tags/<tag>");
  const default_branch = need(body, "default_branch", "default_branch");
  return compact({
    commit,
    ref,
    default_branch,
    git_url: gitUrl,
    commit_info: readCommitInfo(body.commit_info),
  });
}

/** Quay's custom_trigger_payload: the seed's format first, then the hosted services' push shapes. */
function transform(body: Json, gitUrl: string): WebhookOutcome {
  if ("commit" in body) return { kind: "build", metadata: fromCustom(body, gitUrl) };
  if (isGithubPing(body)) return { kind: "skip", reason: "GitHub ping event" };
  const hosted = looksLikeGithub(body)
    ? fromGithub(body)
    : looksLikeBitbucket(body)
      ? fromBitbucket(body)
      : looksLikeGitlab(body)
        ? fromGitlab(body)
        : undefined;
  if (hosted === undefined) return { kind: "build", metadata: fromCustom(body, gitUrl) }; // throws: what is missing
  return hosted.kind === "build"
    ? { kind: "build", metadata: { ...hosted.metadata, git_url: gitUrl } }
    : hosted;
}

export const customGit: SourcePlugin = {
  name: "custom-git",
  title: "Custom Git Repository Push",
  verify(req, secrets) {
    requireAuthentic("Custom git", { "Basic $token credentials": checkBasic(req, secrets.authToken) });
  },
  parse(req, config: TriggerConfig) {
    const body = readJson(req);
    const gitUrl = config.build_source;
    if (!gitUrl) throw new Error("custom-git trigger without build_source");
    const out = transform(body, gitUrl);
    return out.kind === "build" ? applySkipRules(out.metadata, config) : out;
  },
  cloneUrl(config) {
    if (!config.build_source) throw new Error("custom-git trigger without build_source");
    return config.build_source;
  },
};
