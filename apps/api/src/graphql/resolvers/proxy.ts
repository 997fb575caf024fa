// Proxy cache configuration: `Organization.proxyCache` (members; null for others and when there is none),
// and the admins' mutations to create, delete and validate one.
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { DomainError } from "../../common/errors.js";
import { Organization } from "../types/tenancy.js";
import { ProxyCache, ProxyCacheInput, ProxyCacheValidation } from "../types/proxy.js";

@Resolver(() => Organization)
export class ProxyCacheResolver {
  @FieldResolver(() => ProxyCache, {
    nullable: true,
    description: "The organization's proxy cache configuration (visible to its members)",
  })
  async proxyCache(@Root() o: Organization, @Ctx() ctx: GraphQLContext): Promise<ProxyCache | null> {
    try {
      return await ctx.services.proxyCache.get(ctx.principal, o.name);
    } catch (e) {
      // Not a member: the organization shows, its configuration does not.
      if (e instanceof DomainError && (e.code === "FORBIDDEN" || e.code === "UNAUTHENTICATED")) return null;
      throw e;
    }
  }

  @Mutation(() => ProxyCache, {
    description: "Makes the organization a proxy cache (admins; needs FEATURE_PROXY_CACHE)",
  })
  createProxyCache(
    @Arg("organization", () => String) organization: string,
    @Arg("input", () => ProxyCacheInput) input: ProxyCacheInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ProxyCache> {
    return ctx.services.proxyCache.create(ctx.principal, organization, input, ctx.ip);
  }

  @Mutation(() => Boolean, { description: "Removes the configuration; cached repositories stay" })
  async deleteProxyCache(
    @Arg("organization", () => String) organization: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.proxyCache.delete(ctx.principal, organization, ctx.ip);
    return true;
  }

  @Mutation(() => ProxyCacheValidation, {
    description: "Checks the upstream and its credentials before saving (admins)",
  })
  async validateProxyCache(
    @Arg("organization", () => String) organization: string,
    @Arg("input", () => ProxyCacheInput) input: ProxyCacheInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ProxyCacheValidation> {
    try {
      const status = await ctx.services.proxyCache.validate(ctx.principal, organization, input);
      return { valid: true, status, message: null };
    } catch (e) {
      if (e instanceof DomainError && e.code === "BAD_USER_INPUT")
        return { valid: false, status: null, message: e.message };
      throw e;
    }
  }
}
