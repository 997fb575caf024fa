// GitLab "Push Hook" and "Tag Push Hook" webhooks, after Quay's buildtrigger/gitlabhandler.py. Quay asks
// GitLab's API for the default branch, a commit missing from the payload, and the author's profile; this
// plugin makes no requests: the default branch comes from `project`, and the pusher (user_username,
// user_avatar) stands for the author when their e-mail matches, and for the committer as Quay's Bitbucket
// handler uses the pusher.
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
  compact,
  header,
  hostedCloneUrl,
  isObject,
  originOf,
  readJson,
  requireAuthentic,
  safeEqual,
  str,
} from "./common.js";
import { applySkipRules } from "./skip.js";

const EVENTS = new Set(["Push Hook", "Tag Push Hook"]);
const KINDS = new Set(["push", "tag_push"]);

/** Quay's GITLAB_WEBHOOK_PAYLOAD_SCHEMA requirements: how a custom-git trigger recognises this shape. */
export const looksLikeGitlab = (body: Json) =>
  typeof body.ref === "string" &&
  "checkout_sha" in body &&
  typeof at(body, "repository.git_ssh_url") === "string";

function pusher(body: Json, web: string | undefined): CommitPerson | undefined {
  const username = str(body, "user_username");
  if (!username) return undefined;
  return compact({
    username,
    avatar_url: str(body, "user_avatar"),
    url: web ? `${web}/${username}` : undefined,
  });
}

/** The hook body to trigger metadata (no auth, no skip rules); a skip for deletions and other kinds. */
export function fromGitlab(body: Json): WebhookOutcome {
  const kind = body.object_kind;
  if (typeof kind === "string" && !KINDS.has(kind)) return { kind: "skip", reason: `GitLab ${kind} event` };
  if (typeof body.ref !== "string") throw new WebhookRefused(400, "Missing required ref");
  // Quay falls back to `after` when checkout_sha is null (seen on tag pushes); a deletion has neither.
  const commit = str(body, "checkout_sha") ?? str(body, "after");
  if (!commit || ZERO_COMMIT.test(commit)) return { kind: "skip", reason: `${body.ref} was deleted` };
  const gitUrl = str(body, "project.git_ssh_url") ?? str(body, "repository.git_ssh_url");
  if (!gitUrl) throw new WebhookRefused(400, "Missing required project.git_ssh_url");
  const web = originOf(str(body, "project.web_url") ?? str(body, "repository.homepage"));
  const commits = Array.isArray(body.commits) ? body.commits.filter(isObject) : [];
  // GitLab does not promise any order, so find the checked-out commit by id. A tag push or a new branch
  // may list none; then the build goes ahead without commit_info (Quay would ask the API for it).
  const found = commits.find((c) => c.id === commit);
  let author: CommitPerson | undefined;
  if (found) {
    const email = str(found, "author.email");
    const userEmail = str(body, "user_email");
    const byPusher = email && userEmail && email.toLowerCase() === userEmail.toLowerCase();
    const name = str(found, "author.name");
    author = byPusher ? pusher(body, web) : name ? { username: name } : undefined;
  }
  const md: TriggerMetadata = compact({
    commit,
    ref: body.ref,
    default_branch: str(body, "project.default_branch"),
    git_url: gitUrl,
    commit_info: found
      ? {
          url: str(found, "url"),
          message: typeof found.message === "string" ? found.message : undefined,
          date: str(found, "timestamp"),
          author,
          committer: pusher(body, web),
        }
      : undefined,
  });
  return { kind: "build", metadata: checkMetadata(md) };
}

export const gitlab: SourcePlugin = {
  name: "gitlab",
  title: "GitLab Repository Push",
  verify(req, secrets) {
    const token = header(req, "x-gitlab-token");
    requireAuthentic("GitLab", {
      "Basic $token credentials": checkBasic(req, secrets.authToken),
      "X-Gitlab-Token":
        token === undefined
          ? undefined
          : secrets.webhookSecret !== "" && safeEqual(token, secrets.webhookSecret),
    });
  },
  parse(req: WebhookRequest, config: TriggerConfig): WebhookOutcome {
    const event = header(req, "x-gitlab-event");
    if (event !== undefined && !EVENTS.has(event)) return { kind: "skip", reason: `GitLab ${event}` };
    const out = fromGitlab(readJson(req));
    return out.kind === "build" ? applySkipRules(out.metadata, config) : out;
  },
  cloneUrl: (config, metadata) => hostedCloneUrl("gitlab.com", config, metadata),
};
