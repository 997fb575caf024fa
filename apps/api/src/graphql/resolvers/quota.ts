// Storage quotas: a namespace's quota, usage and limits (members read; superusers change), every namespace's
// usage for the superuser panel, the system default, and each repository's size.
import {
  Arg,
  Ctx,
  Field,
  FieldResolver,
  Float,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import type { GraphQLContext } from "../context.js";
import type { NamespaceQuotaReport } from "../../quota/quota.js";
import { parseId } from "../types/common.js";
import { Repository } from "../types/tenancy.js";

@ObjectType({ description: "A threshold of a quota" })
class QuotaLimit {
  @Field(() => ID) id!: string;
  @Field(() => String, {
    description: "Warning (announced once when crossed) or Reject (pushes refused past it)",
  })
  type!: string;
  @Field(() => Int) thresholdPercent!: number;
  @Field(() => Float, { description: "The threshold in bytes" }) bytes!: number;
}

@ObjectType()
class Quota {
  @Field(() => ID, { description: "0 for the system default" }) id!: string;
  @Field(() => Float) limitBytes!: number;
  @Field(() => Boolean, { description: "The system default, not a quota of the namespace's own" })
  isDefault!: boolean;
  @Field(() => [QuotaLimit]) limits!: QuotaLimit[];
}

@ObjectType({ description: "A namespace's storage: what it holds, and the quota that applies" })
class NamespaceQuota {
  @Field(() => String) namespace!: string;
  @Field(() => Float, {
    description: "Bytes its repositories hold (deleted tags count until GC removes them)",
  })
  usageBytes!: number;
  @Field(() => Quota, { nullable: true }) quota!: Quota | null;
  @Field(() => Boolean) defaultExists!: boolean;
}

@ObjectType()
class NamespaceUsage {
  @Field(() => String) namespace!: string;
  @Field(() => String, { description: "user or organization" }) kind!: string;
  @Field(() => Float) usageBytes!: number;
  @Field(() => Float, { nullable: true, description: "Its own quota's limit (null: none)" }) limitBytes!:
    number | null;
}

@ObjectType()
class QuotaOverview {
  @Field(() => Float, { nullable: true, description: "The default Reject limit (null: none)" })
  defaultBytes!: number | null;
  @Field(() => [NamespaceUsage]) namespaces!: NamespaceUsage[];
}

export const toNamespaceQuota = (r: NamespaceQuotaReport): NamespaceQuota => ({
  namespace: r.namespace,
  usageBytes: Number(r.usageBytes),
  defaultExists: r.defaultExists,
  quota: r.quota && {
    id: String(r.quota.id),
    limitBytes: Number(r.quota.limitBytes),
    isDefault: r.quota.isDefault,
    limits: r.quota.limits.map((l) => ({
      id: String(l.id),
      type: l.type,
      thresholdPercent: l.thresholdPercent,
      bytes: Math.floor((Number(r.quota!.limitBytes) * l.thresholdPercent) / 100),
    })),
  },
});

const bytesOf = (n: number) => {
  if (!Number.isSafeInteger(n)) throw new Error("bytes must be a whole number");
  return BigInt(n);
};

@Resolver(() => Repository)
export class RepositorySizeResolver {
  @FieldResolver(() => Float, { description: "Bytes the repository holds (its distinct blobs, each once)" })
  async sizeBytes(@Root() r: Repository, @Ctx() ctx: GraphQLContext): Promise<number> {
    return Number(await ctx.loaders.repositorySize.load(r.id));
  }
}

@Resolver()
export class QuotaResolver {
  @Query(() => NamespaceQuota, {
    description: "A namespace's usage and quota (its members and superusers; needs FEATURE_QUOTA_MANAGEMENT)",
  })
  async namespaceQuota(
    @Arg("namespace", () => String) namespace: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<NamespaceQuota> {
    return toNamespaceQuota(await ctx.services.quota.report(ctx.principal, namespace));
  }

  @Query(() => QuotaOverview, { description: "Every namespace's usage and the system default (superusers)" })
  async quotaOverview(@Ctx() ctx: GraphQLContext): Promise<QuotaOverview> {
    const { fallback, rows } = await ctx.services.quota.allNamespaces(ctx.principal);
    return {
      defaultBytes: fallback === null ? null : Number(fallback),
      namespaces: rows.map((r) => ({
        namespace: r.namespace,
        kind: r.kind,
        usageBytes: Number(r.usageBytes),
        limitBytes: r.limitBytes === null ? null : Number(r.limitBytes),
      })),
    };
  }

  @Mutation(() => NamespaceQuota, { description: "Creates or changes the namespace's quota (superusers)" })
  async setQuota(
    @Arg("namespace", () => String) namespace: string,
    @Arg("limitBytes", () => Float) limitBytes: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<NamespaceQuota> {
    const s = ctx.services.quota;
    const current = await s.report(ctx.principal, namespace);
    if (current.quota && !current.quota.isDefault)
      await s.update(ctx.principal, namespace, current.quota.id, bytesOf(limitBytes), ctx.ip);
    else await s.create(ctx.principal, namespace, bytesOf(limitBytes), ctx.ip);
    return toNamespaceQuota(await s.report(ctx.principal, namespace));
  }

  @Mutation(() => NamespaceQuota, {
    description: "Deletes the namespace's quota; the system default applies",
  })
  async deleteQuota(
    @Arg("namespace", () => String) namespace: string,
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<NamespaceQuota> {
    await ctx.services.quota.delete(ctx.principal, namespace, parseId(id), ctx.ip);
    return toNamespaceQuota(await ctx.services.quota.report(ctx.principal, namespace));
  }

  @Mutation(() => NamespaceQuota, { description: "Adds a Warning or Reject limit to the namespace's quota" })
  async addQuotaLimit(
    @Arg("namespace", () => String) namespace: string,
    @Arg("quotaId", () => ID) quotaId: string,
    @Arg("type", () => String) type: string,
    @Arg("thresholdPercent", () => Int) thresholdPercent: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<NamespaceQuota> {
    if (type !== "Warning" && type !== "Reject") throw new Error("type must be Warning or Reject");
    await ctx.services.quota.addLimit(
      ctx.principal,
      namespace,
      parseId(quotaId),
      type,
      thresholdPercent,
      ctx.ip,
    );
    return toNamespaceQuota(await ctx.services.quota.report(ctx.principal, namespace));
  }

  @Mutation(() => NamespaceQuota)
  async updateQuotaLimit(
    @Arg("namespace", () => String) namespace: string,
    @Arg("quotaId", () => ID) quotaId: string,
    @Arg("id", () => ID) id: string,
    @Arg("thresholdPercent", () => Int) thresholdPercent: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<NamespaceQuota> {
    await ctx.services.quota.updateLimit(
      ctx.principal,
      namespace,
      parseId(quotaId),
      parseId(id),
      { percent: thresholdPercent },
      ctx.ip,
    );
    return toNamespaceQuota(await ctx.services.quota.report(ctx.principal, namespace));
  }

  @Mutation(() => NamespaceQuota)
  async deleteQuotaLimit(
    @Arg("namespace", () => String) namespace: string,
    @Arg("quotaId", () => ID) quotaId: string,
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<NamespaceQuota> {
    await ctx.services.quota.deleteLimit(ctx.principal, namespace, parseId(quotaId), parseId(id), ctx.ip);
    return toNamespaceQuota(await ctx.services.quota.report(ctx.principal, namespace));
  }

  @Mutation(() => Float, {
    nullable: true,
    description: "Sets the default Reject limit of namespaces without a quota (null: none); applies at once",
  })
  async setSystemQuotaDefault(
    @Arg("bytes", () => Float, { nullable: true }) bytes: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<number | null> {
    const r = await ctx.services.quota.setSystemDefault(
      ctx.principal,
      bytes === null ? null : bytesOf(bytes),
      ctx.ip,
    );
    return r === null ? null : Number(r);
  }
}
