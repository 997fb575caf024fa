import { Field, ObjectType, Query, Resolver, Ctx } from "type-graphql";
import type { GraphQLContext } from "../context.js";

@ObjectType({ description: "Features switched on or off by configuration" })
class Features {
  @Field(() => Boolean) userCreation!: boolean;
  @Field(() => Boolean) generalOciSupport!: boolean;
  @Field(() => Boolean) robotsAllowed!: boolean;
  @Field(() => Boolean, { description: "FEATURE_QUOTA_MANAGEMENT: storage quotas are shown and enforced" })
  quotaManagement!: boolean;
  @Field(() => Boolean, { description: "FEATURE_SECURITY_SCANNER: images are scanned on push" })
  securityScanner!: boolean;
  @Field(() => Boolean, { description: "FEATURE_BUILD_SUPPORT: Dockerfile builds and build triggers" })
  builds!: boolean;
  @Field(() => Boolean, { description: "FEATURE_REPO_MIRROR: repositories may mirror external ones" })
  repoMirror!: boolean;
  @Field(() => Boolean, {
    description: "FEATURE_PROXY_CACHE: organizations may be proxy caches of upstreams",
  })
  proxyCache!: boolean;
}

@ObjectType({ description: "Registry-wide facts the console and scripts need" })
class SystemInfo {
  @Field(() => String) title!: string;
  @Field(() => String, { description: "Host (and port) clients use in pull commands" })
  serverHostname!: string;
  @Field(() => String) version!: string;
  @Field(() => [String], { description: "Tag expiration choices offered to users" })
  tagExpirationOptions!: string[];
  @Field(() => Features) features!: Features;
}

@Resolver()
export class SystemResolver {
  @Query(() => SystemInfo)
  system(@Ctx() { services }: GraphQLContext): SystemInfo {
    const c = services.config;
    return {
      title: c.REGISTRY_TITLE,
      serverHostname: c.SERVER_HOSTNAME,
      version: services.version,
      tagExpirationOptions: c.TAG_EXPIRATION_OPTIONS,
      features: {
        userCreation: c.FEATURE_USER_CREATION,
        generalOciSupport: c.FEATURE_GENERAL_OCI_SUPPORT,
        robotsAllowed: !c.ROBOTS_DISALLOW,
        quotaManagement: c.FEATURE_QUOTA_MANAGEMENT,
        securityScanner: c.FEATURE_SECURITY_SCANNER,
        builds: c.FEATURE_BUILD_SUPPORT,
        repoMirror: c.FEATURE_REPO_MIRROR,
        proxyCache: c.FEATURE_PROXY_CACHE,
      },
    };
  }
}
