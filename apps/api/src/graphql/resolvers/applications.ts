// OAuth applications of an organization (its admins): create, change, reset the secret, delete, and
// "Generate token" for the viewer.
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { CreatedOAuthApplication, OAuthApplication, Organization } from "../types/tenancy.js";

@Resolver(() => Organization)
export class ApplicationResolver {
  @FieldResolver(() => [OAuthApplication], { description: "Visible to admins" })
  async applications(@Root() o: Organization, @Ctx() ctx: GraphQLContext): Promise<OAuthApplication[]> {
    return ctx.services.oauth.listApplications(ctx.principal, o.name);
  }

  @Mutation(() => CreatedOAuthApplication, { description: "The client secret is shown once" })
  async createOAuthApplication(
    @Arg("organization", () => String) org: string,
    @Arg("name", () => String) name: string,
    @Arg("redirectUri", () => String, { nullable: true }) redirectUri: string | null,
    @Arg("applicationUri", () => String, { nullable: true }) applicationUri: string | null,
    @Arg("description", () => String, { nullable: true }) description: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedOAuthApplication> {
    const { app, clientSecret } = await ctx.services.oauth.createApplication(
      ctx.principal,
      org,
      { name, redirectUri, applicationUri, description },
      ctx.ip,
    );
    return { application: app, clientSecret };
  }

  @Mutation(() => OAuthApplication, { description: "Fields left out keep their value" })
  async updateOAuthApplication(
    @Arg("organization", () => String) org: string,
    @Arg("clientId", () => String) clientId: string,
    @Arg("name", () => String, { nullable: true }) name: string | null,
    @Arg("redirectUri", () => String, { nullable: true }) redirectUri: string | null,
    @Arg("applicationUri", () => String, { nullable: true }) applicationUri: string | null,
    @Arg("description", () => String, { nullable: true }) description: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OAuthApplication> {
    const input = { name, redirectUri, applicationUri, description };
    const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null));
    return ctx.services.oauth.updateApplication(ctx.principal, org, clientId, given, ctx.ip);
  }

  @Mutation(() => CreatedOAuthApplication, { description: "A new client secret, shown once" })
  async resetOAuthClientSecret(
    @Arg("organization", () => String) org: string,
    @Arg("clientId", () => String) clientId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedOAuthApplication> {
    const { app, clientSecret } = await ctx.services.oauth.resetClientSecret(
      ctx.principal,
      org,
      clientId,
      ctx.ip,
    );
    return { application: app, clientSecret };
  }

  @Mutation(() => Boolean)
  async deleteOAuthApplication(
    @Arg("organization", () => String) org: string,
    @Arg("clientId", () => String) clientId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.oauth.deleteApplication(ctx.principal, org, clientId, ctx.ip);
    return true;
  }

  @Mutation(() => String, {
    description:
      "Authorises an application for the viewer with the given scopes; returns the access token once",
  })
  async generateOAuthToken(
    @Arg("clientId", () => String) clientId: string,
    @Arg("scopes", () => [String]) scopes: string[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<string> {
    return ctx.services.oauth.issueToken(ctx.principal, clientId, scopes, ctx.ip);
  }
}
