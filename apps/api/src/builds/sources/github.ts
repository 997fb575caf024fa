// GitHub push webhooks (event "push"), after Quay's buildtrigger/githubhandler.py. Quay looks the default
// branch and the people up through GitHub's API; this plugin makes no requests, so it takes the default
// branch from the payload and the author's / committer's profile from `sender` when the sender is that person.
import type { CommitPerson, TriggerConfig, TriggerMetadata } from "../types.js";
import {
  type Json,
  type SourcePlugin,
  type WebhookOutcome,
  type WebhookRequest,
  WebhookRefused,
  ZERO_COMMIT,
  at,
  checkBasic,
  checkMetadata,
  checkSignature,
  compact,
  header,
  hostedCloneUrl,
  isObject,
  originOf,
  readJson,
  requireAuthentic,
  str,
} from "./common.js";
import { applySkipRules } from "./skip.js";

/** GitHub's ping (sent when a hook is created) carries `zen` and `hook_id`. */
export const isGithubPing = (body: Json) => typeof body.zen === "string" && "hook_id" in body;

/** Quay's GITHUB_WEBHOOK_PAYLOAD_SCHEMA requirements: how a custom-git trigger recognises this shape. */
export const looksLikeGithub = (body: Json) =>
  typeof body.ref === "string" && "head_commit" in body && typeof at(body, "repository.ssh_url") === "string";

function person(raw: unknown, sender: unknown, web: string | undefined): CommitPerson | undefined {
  const username = str(raw, "username");
  const name = username ?? str(raw, "name");
  if (!name) return undefined;
  if (username && str(sender, "login") === username) {
    return compact({ username, url: str(sender, "html_url"), avatar_url: str(sender, "avatar_url") });
  }
  // A GitHub login's profile is <host>/<login>; a bare git name has no profile.
  return compact({ username: name, url: username && web ? `${web}/${username}` : undefined });
}

/** The push body to trigger metadata (no auth, no skip rules); a skip for deletions. */
export function fromGithub(body: Json): WebhookOutcome {
  if (typeof body.ref !== "string") throw new WebhookRefused(400, "Missing required ref");
  if (!isObject(body.repository)) throw new WebhookRefused(400, "Missing required repository");
  const head = body.head_commit;
  const after = typeof body.after === "string" ? body.after : undefined;
  // A deleted branch or tag: GitHub sends deleted: true, a null head_commit and an all-zero `after`.
  if (body.deleted === true || head === null || (after !== undefined && ZERO_COMMIT.test(after))) {
    return { kind: "skip", reason: `${body.ref} was deleted` };
  }
  if (!isObject(head)) throw new WebhookRefused(400, "Missing required head_commit");
  const commit = str(head, "id") ?? after;
  if (!commit) throw new WebhookRefused(400, "Missing required head_commit.id");
  const gitUrl = str(body, "repository.ssh_url");
  if (!gitUrl) throw new WebhookRefused(400, "Missing required repository.ssh_url");
  const web = originOf(str(body, "repository.html_url"));
  const md: TriggerMetadata = compact({
    commit,
    ref: body.ref,
    // Older payloads name it master_branch.
    default_branch: str(body, "repository.default_branch") ?? str(body, "repository.master_branch"),
    git_url: gitUrl,
    commit_info: {
      url: str(head, "url"),
      message: typeof head.message === "string" ? head.message : undefined,
      date: str(head, "timestamp"),
      author: person(head.author, body.sender, web),
      committer: person(head.committer, body.sender, web),
    },
  });
  return { kind: "build", metadata: checkMetadata(md) };
}

export const github: SourcePlugin = {
  name: "github",
  title: "GitHub Repository Push",
  verify(req, secrets) {
    requireAuthentic("GitHub", {
      "Basic $token credentials": checkBasic(req, secrets.authToken),
      "X-Hub-Signature-256": checkSignature(req, "x-hub-signature-256", secrets.webhookSecret),
    });
  },
  parse(req: WebhookRequest, config: TriggerConfig): WebhookOutcome {
    const event = header(req, "x-github-event");
    if (event === "ping") return { kind: "skip", reason: "GitHub ping event" };
    if (event !== undefined && event !== "push") return { kind: "skip", reason: `GitHub ${event} event` };
    const body = readJson(req, "payload");
    if (isGithubPing(body)) return { kind: "skip", reason: "GitHub ping event" };
    const out = fromGithub(body);
    return out.kind === "build" ? applySkipRules(out.metadata, config) : out;
  },
  cloneUrl: (config, metadata) => hostedCloneUrl("github.com", config, metadata),
};
