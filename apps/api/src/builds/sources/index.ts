// Build trigger sources: the pure part of build triggers (no database, no network). Each service's plugin
// authenticates a webhook, turns its push payload into Quay's trigger metadata (with the skip rules and
// branchtag_regex applied) and names the URL to clone; around them, tagging, config validation, deploy keys
// and "run now" metadata. Behaviour follows Quay's buildtrigger/ package; differences are noted where made.
import type { TriggerService } from "../types.js";
import { bitbucket } from "./bitbucket.js";
import type { SourcePlugin } from "./common.js";
import { customGit } from "./custom.js";
import { github } from "./github.js";
import { gitlab } from "./gitlab.js";

export {
  WebhookRefused,
  type SourcePlugin,
  type TriggerSecrets,
  type WebhookOutcome,
  type WebhookRequest,
} from "./common.js";
export { checkRegex, matchesRef, refMatch, MAX_REGEX_LENGTH, type RefMatch } from "./regex.js";
export { SKIP_MARKERS, skipRequested } from "./skip.js";
export {
  applyTemplate,
  checkTemplate,
  parseRef,
  sanitizeTag,
  tagsFor,
  TAG_PATTERN,
  type ParsedRef,
  type TaggableMetadata,
} from "./tagging.js";
export { generateDeployKey, generateDeployKeyAsync, opensshPublicKey, type DeployKey } from "./keys.js";
export { checkGitUrl, checkTriggerConfig, TriggerConfigError } from "./validate.js";
export {
  determineBuildRef,
  manualMetadata,
  ManualRunError,
  requestedRef,
  type ManualMetadata,
  type ManualRunInput,
} from "./manual.js";

export const SOURCES: Record<TriggerService, SourcePlugin> = {
  "custom-git": customGit,
  github,
  gitlab,
  bitbucket,
};

/**
 * Quay's webhook URL for a trigger, credentials in the userinfo: `https://%24token:<token>@host/webhooks/
 * push/trigger/<uuid>` ("$" percent-encoded as Quay's credentials dialog shows it; clients decode it back).
 */
export function webhookUrl(scheme: string, host: string, uuid: string, authToken: string): string {
  const s = scheme.replace(/:(\/\/)?$/, "");
  return `${s}://%24token:${encodeURIComponent(authToken)}@${host}/webhooks/push/trigger/${encodeURIComponent(uuid)}`;
}
