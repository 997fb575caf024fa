// Builds and build triggers: thin calls into the builds capability. `buildEvents` is the live log, a
// subscription over graphql-ws: what is stored first, then each line and phase as the worker records it.
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { isTerminal } from "../../builds/types.js";
import { phaseOf } from "../../builds/service.js";
import {
  Build,
  BuildEvent,
  BuildLogPage,
  BuildTrigger,
  FileDrop,
  toBuild,
  toLine,
  toTrigger,
  triggerConfig,
  TriggerConfigInput,
} from "../types/builds.js";

interface EventsArgs {
  repository: string;
  id: string;
  since: number;
}

/** The live log of one build for one subscriber; ends after the build's last phase. */
function buildEvents(ctx: GraphQLContext, args: EventsArgs): AsyncIterableIterator<BuildEvent> {
  const ac = new AbortController();
  async function* run(): AsyncGenerator<BuildEvent> {
    const build = await ctx.services.builds.get(ctx.principal, args.repository, args.id);
    // Subscribe before reading what is stored, so no line falls between the two; seqs drop repeats.
    const live = await ctx.services.builds.logs.follow(build.uuid, ac.signal);
    let next = Math.max(0, args.since);
    for (;;) {
      const page = await ctx.services.builds.logs.read(build.id, next, 2000);
      if (!page.lines.length) break;
      next = page.lines[page.lines.length - 1]!.seq + 1;
      yield { lines: page.lines.map(toLine), phase: null };
    }
    const now = await ctx.services.builds.get(ctx.principal, args.repository, args.id);
    yield { lines: [], phase: phaseOf(now.phase) };
    if (isTerminal(phaseOf(now.phase))) return;
    for await (const ev of live) {
      if (ev.kind === "phase") {
        yield { lines: [], phase: ev.phase };
        if (isTerminal(ev.phase)) return;
        continue;
      }
      const fresh = ev.lines.filter((l) => l.seq >= next);
      if (!fresh.length) continue;
      next = fresh[fresh.length - 1]!.seq + 1;
      yield { lines: fresh.map(toLine), phase: null };
    }
  }
  const gen = run();
  return {
    next: () => gen.next(),
    // An unsubscribe wakes the follower (abort), then ends the generator.
    return: async () => {
      ac.abort();
      return gen.return(undefined);
    },
    throw: (e) => gen.throw(e),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

@Resolver()
export class BuildResolver {
  @Query(() => [Build], { description: "The repository's builds, newest first" })
  async repositoryBuilds(
    @Arg("repository", () => String) repository: string,
    @Arg("limit", () => Int, { defaultValue: 25 }) limit: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Build[]> {
    const rows = await ctx.services.builds.list(ctx.principal, repository, {
      limit: Math.min(Math.max(limit, 1), 100),
    });
    return rows.map(toBuild);
  }

  @Query(() => Build)
  async build(
    @Arg("repository", () => String) repository: string,
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Build> {
    return toBuild(await ctx.services.builds.get(ctx.principal, repository, id));
  }

  @Query(() => BuildLogPage, { description: "A build's stored log from `start` on" })
  async buildLogs(
    @Arg("repository", () => String) repository: string,
    @Arg("id", () => ID) id: string,
    @Arg("start", () => Int, { defaultValue: 0 }) start: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<BuildLogPage> {
    const r = await ctx.services.builds.readLogs(ctx.principal, repository, id, Math.max(0, start));
    return { total: r.total, lines: r.lines.map(toLine) };
  }

  @Subscription(() => BuildEvent, {
    description: "A build's log lines and phases as they happen (after those from `since` already stored)",
    subscribe: ({ args, context }) => buildEvents(context as GraphQLContext, args as EventsArgs),
  })
  buildEvents(
    @Root() event: BuildEvent,
    @Arg("repository", () => String) _repository: string,
    @Arg("id", () => ID) _id: string,
    @Arg("since", () => Int, { defaultValue: 0 }) _since: number,
  ): BuildEvent {
    return event;
  }

  @Mutation(() => FileDrop, { description: "An upload slot for a build's Dockerfile or archive" })
  createFileDrop(
    @Arg("mimeType", () => String) mimeType: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<FileDrop> {
    return ctx.services.fileDrops.create(ctx.principal, mimeType);
  }

  @Mutation(() => Build)
  async startBuild(
    @Arg("repository", () => String) repository: string,
    @Arg("fileId", () => String, { nullable: true }) fileId: string | null,
    @Arg("archiveUrl", () => String, { nullable: true }) archiveUrl: string | null,
    @Arg("tags", () => [String], { nullable: true }) tags: string[] | null,
    @Arg("context", () => String, { nullable: true }) context: string | null,
    @Arg("dockerfilePath", () => String, { nullable: true }) dockerfilePath: string | null,
    @Arg("pullRobot", () => String, { nullable: true }) pullRobot: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Build> {
    const b = await ctx.services.builds.start(
      ctx.principal,
      repository,
      { fileId, archiveUrl, dockerTags: tags, context, dockerfilePath, pullRobot },
      ctx.ip,
    );
    return toBuild(b);
  }

  @Mutation(() => Build)
  async cancelBuild(
    @Arg("repository", () => String) repository: string,
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Build> {
    return toBuild(await ctx.services.builds.cancel(ctx.principal, repository, id, ctx.ip));
  }

  @Query(() => [BuildTrigger], { description: "Repository admins only" })
  async buildTriggers(
    @Arg("repository", () => String) repository: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<BuildTrigger[]> {
    return (await ctx.services.triggers.list(ctx.principal, repository)).map(toTrigger);
  }

  @Mutation(() => BuildTrigger, { description: "A new trigger; with `config` it is set up at once" })
  async createBuildTrigger(
    @Arg("repository", () => String) repository: string,
    @Arg("service", () => String) service: string,
    @Arg("config", () => TriggerConfigInput, { nullable: true }) config: TriggerConfigInput | null,
    @Arg("pullRobot", () => String, { nullable: true }) pullRobot: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<BuildTrigger> {
    const t = await ctx.services.triggers.create(
      ctx.principal,
      repository,
      { service, config: config ? triggerConfig(config) : null, pullRobot },
      ctx.ip,
    );
    return toTrigger(t);
  }

  @Mutation(() => BuildTrigger)
  async activateBuildTrigger(
    @Arg("repository", () => String) repository: string,
    @Arg("id", () => ID) id: string,
    @Arg("config", () => TriggerConfigInput) config: TriggerConfigInput,
    @Arg("pullRobot", () => String, { nullable: true }) pullRobot: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<BuildTrigger> {
    const t = await ctx.services.triggers.activate(
      ctx.principal,
      repository,
      id,
      { config: triggerConfig(config), pullRobot },
      ctx.ip,
    );
    return toTrigger(t);
  }

  @Mutation(() => BuildTrigger)
  async setBuildTriggerEnabled(
    @Arg("repository", () => String) repository: string,
    @Arg("id", () => ID) id: string,
    @Arg("enabled", () => Boolean) enabled: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<BuildTrigger> {
    return toTrigger(await ctx.services.triggers.setEnabled(ctx.principal, repository, id, enabled, ctx.ip));
  }

  @Mutation(() => Boolean)
  async deleteBuildTrigger(
    @Arg("repository", () => String) repository: string,
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.triggers.delete(ctx.principal, repository, id, ctx.ip);
    return true;
  }

  @Mutation(() => Build, { description: "Run trigger now: on a branch, a tag or a commit" })
  async runBuildTrigger(
    @Arg("repository", () => String) repository: string,
    @Arg("id", () => ID) id: string,
    @Arg("branchName", () => String, { nullable: true }) branchName: string | null,
    @Arg("tagName", () => String, { nullable: true }) tagName: string | null,
    @Arg("commitSha", () => String, { nullable: true }) commitSha: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Build> {
    return toBuild(
      await ctx.services.triggers.run(ctx.principal, repository, id, { branchName, tagName, commitSha }),
    );
  }
}
