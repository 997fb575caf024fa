// Bitbucket Cloud "repo:push" webhooks, after Quay's buildtrigger/bitbuckethandler.py: the last change that
// leaves a branch or tag behind, its target commit, the commit's author, and the actor as committer.
import type { CommitPerson, TriggerConfig, TriggerMetadata } from "../types.js";
import {
  type Json,
  type SourcePlugin,
  type WebhookOutcome,
  type WebhookRequest,
  WebhookRefused,
  at,
  checkBasic,
  checkMetadata,
  checkSignature,
  compact,
  header,
  hostedCloneUrl,
  isObject,
  readJson,
  requireAuthentic,
  str,
} from "./common.js";
import { applySkipRules } from "./skip.js";

/** Quay's BITBUCKET_WEBHOOK_PAYLOAD_SCHEMA requirements: how a custom-git trigger recognises this shape. */
export const looksLikeBitbucket = (body: Json) =>
  Array.isArray(at(body, "push.changes")) && typeof at(body, "repository.full_name") === "string";

/** A Bitbucket account (display_name first, as Quay; nickname for accounts without one). */
function account(user: unknown): CommitPerson | undefined {
  const username = str(user, "display_name") ?? str(user, "nickname");
  if (!username) return undefined;
  return compact({ username, avatar_url: str(user, "links.avatar.href"), url: str(user, "links.html.href") });
}

/** The push body to trigger metadata (no auth, no skip rules); a skip when nothing was left to build. */
export function fromBitbucket(body: Json): WebhookOutcome {
  const changes = at(body, "push.changes");
  const fullName = str(body, "repository.full_name");
  if (!Array.isArray(changes)) throw new WebhookRefused(400, "Missing required push.changes");
  if (!fullName) throw new WebhookRefused(400, "Missing required repository.full_name");
  // A deletion has `new: null`; Mercurial-era kinds (named_branch, bookmark) are not git refs.
  const change = changes
    .map((c) => (isObject(c) ? c.new : undefined))
    .filter((n): n is Json => isObject(n) && (n.type === "branch" || n.type === "tag"))
    .at(-1);
  if (!change) return { kind: "skip", reason: "push leaves no branch or tag to build (deleted?)" };
  const name = str(change, "name");
  if (!name) throw new WebhookRefused(400, "Missing required push.changes[].new.name");
  const target = change.target;
  const commit = str(target, "hash");
  if (!isObject(target) || !commit)
    throw new WebhookRefused(400, "Missing required push.changes[].new.target.hash");
  const md: TriggerMetadata = compact({
    commit,
    ref: (change.type === "branch" ? "refs/heads/" : "refs/tags/") + name,
    default_branch: str(body, "repository.mainbranch.name"),
    git_url: `git@bitbucket.org:${fullName}.git`,
    commit_info: {
      url: str(target, "links.html.href"),
      message: typeof target.message === "string" ? target.message : undefined,
      date: str(target, "date"),
      author: account(at(target, "author.user")),
      committer: account(body.actor),
    },
  });
  return { kind: "build", metadata: checkMetadata(md) };
}

export const bitbucket: SourcePlugin = {
  name: "bitbucket",
  title: "Bitbucket Repository Push",
  verify(req, secrets) {
    requireAuthentic("Bitbucket", {
      "Basic $token credentials": checkBasic(req, secrets.authToken),
      "X-Hub-Signature": checkSignature(req, "x-hub-signature", secrets.webhookSecret),
    });
  },
  parse(req: WebhookRequest, config: TriggerConfig): WebhookOutcome {
    const event = header(req, "x-event-key");
    if (event !== undefined && event !== "repo:push")
      return { kind: "skip", reason: `Bitbucket ${event} event` };
    const out = fromBitbucket(readJson(req));
    return out.kind === "build" ? applySkipRules(out.metadata, config) : out;
  },
  cloneUrl: (config, metadata) => hostedCloneUrl("bitbucket.org", config, metadata),
};
