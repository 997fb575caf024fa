// Typed GraphQL documents for clients (the console, the e2e fixtures, scripts). Each document's result and
// variable types come from schema.graphql through gql.tada; a test validates them against the schema too.
import * as account from "./documents/account.js";
import * as logs from "./documents/logs.js";
import * as notifications from "./documents/notifications.js";
import * as organizations from "./documents/organizations.js";
import * as quota from "./documents/quota.js";
import * as repositories from "./documents/repositories.js";
import * as robots from "./documents/robots.js";
import * as security from "./documents/security.js";
import * as session from "./documents/session.js";
import * as superuser from "./documents/superuser.js";
import * as system from "./documents/system.js";
import * as tags from "./documents/tags.js";
import * as teams from "./documents/teams.js";
import * as tokens from "./documents/tokens.js";

export * from "./graphql.js";
export * from "./documents/account.js";
export * from "./documents/logs.js";
export * from "./documents/notifications.js";
export * from "./documents/organizations.js";
export * from "./documents/quota.js";
export * from "./documents/repositories.js";
export * from "./documents/robots.js";
export * from "./documents/security.js";
export * from "./documents/session.js";
export * from "./documents/superuser.js";
export * from "./documents/system.js";
export * from "./documents/tags.js";
export * from "./documents/teams.js";
export * from "./documents/tokens.js";

const operations = (...modules: Record<string, unknown>[]) =>
  Object.fromEntries(modules.flatMap((m) => Object.entries(m)).filter(([name]) => name.endsWith("Document")));

/** Every operation document (fragments are checked through them), for the test that validates them. */
export const ALL_DOCUMENTS = operations(
  account,
  logs,
  notifications,
  organizations,
  quota,
  repositories,
  robots,
  security,
  session,
  superuser,
  system,
  tags,
  teams,
  tokens,
);
