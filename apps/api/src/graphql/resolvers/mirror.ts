// Repository mirroring: Repository.mirror (configuration, status, recent syncs) and its mutations, thin calls
// into the mirroring capability; setRepositoryState is Quay's changestate.
import { Arg, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { badInput } from "../../common/errors.js";
import { repositoryFromModel } from "../mappers.js";
import { Repository } from "../types/tenancy.js";
import {
  MirrorSync,
  patchOf,
  RepositoryMirror,
  RepositoryMirrorInput,
  RepositoryStateName,
  toMirror,
  toSync,
} from "../types/mirror.js";

const STATE = { NORMAL: "normal", READ_ONLY: "read_only", MIRROR: "mirror" } as const;

@Resolver(() => Repository)
export class RepositoryMirrorResolver {
  @FieldResolver(() => RepositoryMirror, {
    nullable: true,
    description: "The mirror configuration (repository admins); null when the repository mirrors nothing",
  })
  async mirror(@Root() r: Repository, @Ctx() ctx: GraphQLContext): Promise<RepositoryMirror | null> {
    if (!ctx.services.mirrors.enabled) return null;
    const m = await ctx.services.mirrors.find(ctx.principal, r.fullName);
    return m && toMirror(m);
  }

  @Mutation(() => RepositoryMirror, {
    description: "Makes the repository a mirror (state MIRROR); its robot gets write and performs the syncs",
  })
  async createRepositoryMirror(
    @Arg("repository", () => String) repository: string,
    @Arg("input", () => RepositoryMirrorInput) input: RepositoryMirrorInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RepositoryMirror> {
    const p = patchOf(input);
    if (
      !p.externalReference ||
      !p.tagGlobs ||
      !p.robotUsername ||
      p.syncInterval === undefined ||
      !p.syncStartDate
    )
      throw badInput("externalReference, tagGlobs, robot, syncInterval and syncStartDate are required");
    const m = await ctx.services.mirrors.create(
      ctx.principal,
      repository,
      {
        ...p,
        externalReference: p.externalReference,
        tagGlobs: p.tagGlobs,
        robotUsername: p.robotUsername,
        syncInterval: p.syncInterval,
        syncStartDate: p.syncStartDate,
      },
      ctx.ip,
    );
    return toMirror(m);
  }

  @Mutation(() => RepositoryMirror, { description: "Changes what the input gives; the rest stays" })
  async updateRepositoryMirror(
    @Arg("repository", () => String) repository: string,
    @Arg("input", () => RepositoryMirrorInput) input: RepositoryMirrorInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RepositoryMirror> {
    return toMirror(await ctx.services.mirrors.update(ctx.principal, repository, patchOf(input), ctx.ip));
  }

  @Mutation(() => RepositoryMirror, { description: "Queues a sync now (CONFLICT while one runs)" })
  async syncMirrorNow(
    @Arg("repository", () => String) repository: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RepositoryMirror> {
    return toMirror(await ctx.services.mirrors.syncNow(ctx.principal, repository, ctx.ip));
  }

  @Mutation(() => RepositoryMirror, { description: "Cancels the queued or running sync" })
  async cancelMirrorSync(
    @Arg("repository", () => String) repository: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RepositoryMirror> {
    return toMirror(await ctx.services.mirrors.cancel(ctx.principal, repository, ctx.ip));
  }

  @Mutation(() => Repository, { description: "Quay's changestate (repository admins)" })
  async setRepositoryState(
    @Arg("repository", () => String) repository: string,
    @Arg("state", () => RepositoryStateName) state: RepositoryStateName,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Repository> {
    return repositoryFromModel(
      await ctx.services.mirrors.setState(ctx.principal, repository, STATE[state], ctx.ip),
    );
  }
}

@Resolver(() => RepositoryMirror)
export class MirrorSyncsResolver {
  @FieldResolver(() => [MirrorSync], { description: "The recent syncs, newest first, with their logs" })
  async syncs(
    @Root() m: RepositoryMirror,
    @Arg("limit", () => Int, { defaultValue: 10 }) limit: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<MirrorSync[]> {
    return (await ctx.services.mirrors.syncs(ctx.principal, m.repository, limit)).map(toSync);
  }
}
