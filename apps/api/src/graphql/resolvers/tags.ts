// Tags of a repository: list, details, history (time machine), and the changes: add, move, delete, restore,
// purge a history entry, expiration and labels. Every rule lives in the tag services.
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import type { LabelView } from "../../content/labels.js";
import type { TagView } from "../../tags/views.js";
import { parseId, toConnection, type Connection } from "../types/common.js";
import { Repository } from "../types/tenancy.js";
import {
  ManifestLabel,
  Tag,
  TagChange,
  TagConnection,
  TagDetails,
  TagHistoryConnection,
  TagHistoryEntry,
  TagSort,
} from "../types/tags.js";

const toLabel = (l: LabelView): ManifestLabel => ({ ...l, id: String(l.id) });
const toTag = (t: TagView): Tag => ({ ...t, labels: t.labels.map(toLabel) });
const full = (namespace: string, name: string) => `${namespace}/${name}`;

@Resolver(() => Repository)
export class RepositoryTagsResolver {
  @FieldResolver(() => TagConnection, { description: "Alive tags" })
  async tags(
    @Root() r: Repository,
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("filter", () => String, { nullable: true, description: "Tag name contains" }) filter: string | null,
    @Arg("sort", () => TagSort, { nullable: true }) sort: TagSort | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Tag>> {
    const page = await ctx.services.tagQueries.listTags(ctx.principal, r.fullName, {
      first,
      after,
      filter,
      sort,
    });
    return toConnection(page, toTag);
  }

  @FieldResolver(() => TagDetails, { description: "One alive tag; NOT_FOUND when absent or expired" })
  async tag(
    @Root() r: Repository,
    @Arg("name", () => String) name: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TagDetails> {
    const t = await ctx.services.tagQueries.getTag(ctx.principal, r.fullName, name);
    return { ...toTag(t), createdAt: t.createdAt, manifestCreatedAt: t.manifestCreatedAt, fetch: t.fetch };
  }

  @FieldResolver(() => TagHistoryConnection, { description: "Newest first; rows overlapping [since, until]" })
  async tagHistory(
    @Root() r: Repository,
    @Arg("tag", () => String, { nullable: true }) tag: string | null,
    @Arg("since", () => Date, { nullable: true }) since: Date | null,
    @Arg("until", () => Date, { nullable: true }) until: Date | null,
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<TagHistoryEntry>> {
    const page = await ctx.services.tagQueries.history(ctx.principal, r.fullName, {
      tag,
      since,
      until,
      first,
      after,
    });
    return toConnection(page, (e) => ({ ...e, id: String(e.id) }));
  }

  @FieldResolver(() => [ManifestLabel], { description: "Labels of a manifest of this repository" })
  async labels(
    @Root() r: Repository,
    @Arg("digest", () => String) digest: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ManifestLabel[]> {
    return (await ctx.services.labels.list(ctx.principal, r.fullName, digest)).map(toLabel);
  }
}

@Resolver()
export class TagMutationResolver {
  @Mutation(() => TagChange, { description: "Creates a tag on a manifest of the repository" })
  async addTag(
    @Arg("namespace", () => String) namespace: string,
    @Arg("repository", () => String) repository: string,
    @Arg("tag", () => String) tag: string,
    @Arg("digest", () => String) digest: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TagChange> {
    return ctx.services.tagCommands.addTag(ctx.principal, full(namespace, repository), tag, digest, ctx.ip);
  }

  @Mutation(() => TagChange, {
    description: "Points an existing tag at another manifest (history keeps the move)",
  })
  async moveTag(
    @Arg("namespace", () => String) namespace: string,
    @Arg("repository", () => String) repository: string,
    @Arg("tag", () => String) tag: string,
    @Arg("digest", () => String) digest: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TagChange> {
    return ctx.services.tagCommands.moveTag(ctx.principal, full(namespace, repository), tag, digest, ctx.ip);
  }

  @Mutation(() => [String], {
    description: "Deletes tags; returns the names deleted (restorable in the window)",
  })
  async deleteTags(
    @Arg("namespace", () => String) namespace: string,
    @Arg("repository", () => String) repository: string,
    @Arg("tags", () => [String]) tags: string[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<string[]> {
    return ctx.services.tagCommands.deleteTags(ctx.principal, full(namespace, repository), tags, ctx.ip);
  }

  @Mutation(() => TagChange, {
    description:
      "Restores a history entry (entryId), or a tag to a manifest (tag + digest), inside the window",
  })
  async restoreTag(
    @Arg("namespace", () => String) namespace: string,
    @Arg("repository", () => String) repository: string,
    @Arg("entryId", () => ID, { nullable: true }) entryId: string | null,
    @Arg("tag", () => String, { nullable: true }) tag: string | null,
    @Arg("digest", () => String, { nullable: true }) digest: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TagChange> {
    const target = entryId ? { entryId: parseId(entryId) } : { tag: tag ?? "", manifestDigest: digest ?? "" };
    return ctx.services.tagCommands.restoreTag(ctx.principal, full(namespace, repository), target, ctx.ip);
  }

  @Mutation(() => Boolean, { description: "Permanently removes an ended history entry (repository admins)" })
  async purgeTagHistoryEntry(
    @Arg("namespace", () => String) namespace: string,
    @Arg("repository", () => String) repository: string,
    @Arg("entryId", () => ID) entryId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.tagCommands.purgeHistoryEntry(
      ctx.principal,
      full(namespace, repository),
      parseId(entryId),
      ctx.ip,
    );
    return true;
  }

  @Mutation(() => [String], { description: "Sets (a future time) or clears (null) the expiration of tags" })
  async setTagExpiration(
    @Arg("namespace", () => String) namespace: string,
    @Arg("repository", () => String) repository: string,
    @Arg("tags", () => [String]) tags: string[],
    @Arg("expiration", () => Date, { nullable: true }) expiration: Date | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<string[]> {
    return ctx.services.tagCommands.setExpiration(
      ctx.principal,
      full(namespace, repository),
      tags,
      expiration,
      ctx.ip,
    );
  }

  @Mutation(() => ManifestLabel, { description: "Adds a label given as key=value" })
  async addLabel(
    @Arg("namespace", () => String) namespace: string,
    @Arg("repository", () => String) repository: string,
    @Arg("digest", () => String) digest: string,
    @Arg("label", () => String, { description: "key=value" }) label: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ManifestLabel> {
    return toLabel(
      await ctx.services.labels.add(ctx.principal, full(namespace, repository), digest, label, ctx.ip),
    );
  }

  @Mutation(() => ManifestLabel, {
    description: "Replaces an API label (labels from the image are read-only)",
  })
  async editLabel(
    @Arg("namespace", () => String) namespace: string,
    @Arg("repository", () => String) repository: string,
    @Arg("digest", () => String) digest: string,
    @Arg("id", () => ID) id: string,
    @Arg("label", () => String, { description: "key=value" }) label: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ManifestLabel> {
    return toLabel(
      await ctx.services.labels.edit(
        ctx.principal,
        full(namespace, repository),
        digest,
        parseId(id),
        label,
        ctx.ip,
      ),
    );
  }

  @Mutation(() => Boolean)
  async removeLabel(
    @Arg("namespace", () => String) namespace: string,
    @Arg("repository", () => String) repository: string,
    @Arg("digest", () => String) digest: string,
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.labels.remove(ctx.principal, full(namespace, repository), digest, parseId(id), ctx.ip);
    return true;
  }
}
