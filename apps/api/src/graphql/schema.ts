import "reflect-metadata";
import { buildSchema } from "type-graphql";
import type { GraphQLSchema } from "graphql";
import { SystemResolver } from "./resolvers/system.js";
import { AccountResolver } from "./resolvers/account.js";
import { ApplicationResolver } from "./resolvers/applications.js";
import { LogResolver } from "./resolvers/logs.js";
import { NotificationResolver } from "./resolvers/notifications.js";
import { QuotaResolver, RepositorySizeResolver } from "./resolvers/quota.js";
import { OrganizationListResolver, OrganizationResolver, TeamResolver } from "./resolvers/organizations.js";
import { RepositoryResolver } from "./resolvers/repositories.js";
import { RobotResolver } from "./resolvers/robots.js";
import { SuperuserResolver } from "./resolvers/superuser.js";
import { RepositoryTagsResolver, TagMutationResolver } from "./resolvers/tags.js";
import {
  ChildSecurityResolver,
  RepositorySecurityResolver,
  TagDetailsSecurityResolver,
  TagSecurityResolver,
} from "./resolvers/security.js";
import { BuildResolver } from "./resolvers/builds.js";
import { ProxyCacheResolver } from "./resolvers/proxy.js";
import { MirrorSyncsResolver, RepositoryMirrorResolver } from "./resolvers/mirror.js";

export const RESOLVERS = [
  SystemResolver,
  AccountResolver,
  OrganizationResolver,
  ApplicationResolver,
  OrganizationListResolver,
  TeamResolver,
  RobotResolver,
  RepositoryResolver,
  LogResolver,
  QuotaResolver,
  RepositorySizeResolver,
  SuperuserResolver,
  RepositoryTagsResolver,
  TagMutationResolver,
  NotificationResolver,
  TagSecurityResolver,
  TagDetailsSecurityResolver,
  ChildSecurityResolver,
  RepositorySecurityResolver,
  BuildResolver,
  ProxyCacheResolver,
  RepositoryMirrorResolver,
  MirrorSyncsResolver,
] as const;

/**
 * Subscriptions here name their own source (`subscribe`), never topics; type-graphql still wants a pub/sub
 * to exist, so this one refuses use.
 */
const NO_TOPICS = {
  publish: () => {
    throw new Error("topics are not used");
  },
  subscribe: () => {
    throw new Error("topics are not used");
  },
};

export function buildGraphQLSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: RESOLVERS, validate: false, emitSchemaFile: false, pubSub: NO_TOPICS });
}
