// Audit logs by repository, by namespace, or system-wide (superusers).
import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { toConnection, type Connection } from "../types/common.js";
import { LogEntry, LogEntryConnection } from "../types/tenancy.js";

@Resolver()
export class LogResolver {
  @Query(() => LogEntryConnection, {
    description:
      "Newest first. With namespace and repository: that repository (its admins); with namespace: the namespace " +
      "(its admins); with neither: system-wide (superusers). The range defaults to the last 7 days.",
  })
  async logs(
    @Arg("namespace", () => String, { nullable: true }) namespace: string | null,
    @Arg("repository", () => String, { nullable: true }) repository: string | null,
    @Arg("from", () => Date, { nullable: true }) from: Date | null,
    @Arg("to", () => Date, { nullable: true }) to: Date | null,
    @Arg("filter", () => String, { nullable: true, description: "Matches kind, performer, IP or metadata" })
    filter: string | null,
    @Arg("first", () => Int, { nullable: true, description: "At most 100" }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<LogEntry>> {
    const page = await ctx.services.logs.query(ctx.principal, {
      namespace,
      repository,
      from,
      to,
      filter,
      first,
      after,
    });
    return toConnection(page, (r) => ({ ...r, id: String(r.id) }));
  }
}
