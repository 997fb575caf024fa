// Object types of the tag lifecycle: tags with their manifests, labels, history and fetch commands.
import { Field, Float, ID, ObjectType, registerEnumType } from "type-graphql";
import { connectionOf } from "./common.js";

export enum TagSort {
  LAST_MODIFIED = "LAST_MODIFIED",
  NAME = "NAME",
}
registerEnumType(TagSort, { name: "TagSort", description: "LAST_MODIFIED: newest first; NAME: byte order" });

@ObjectType({
  description: "A label on a manifest: from the image config (read-only) or added through the API",
})
export class ManifestLabel {
  @Field(() => ID) id!: string;
  @Field(() => String) key!: string;
  @Field(() => String) value!: string;
  @Field(() => String) mediaType!: string;
  @Field(() => String, { description: "manifest (from the image, read-only) or api" }) source!: string;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
export class Platform {
  @Field(() => String, { nullable: true }) os!: string | null;
  @Field(() => String, { nullable: true }) architecture!: string | null;
  @Field(() => String, { nullable: true }) variant!: string | null;
}

@ObjectType({ description: "A manifest inside an index (manifest list)" })
export class ChildManifest {
  @Field(() => String) digest!: string;
  @Field(() => String) mediaType!: string;
  @Field(() => Float, { description: "Compressed bytes: config plus layers" }) size!: number;
  @Field(() => Platform, { nullable: true }) platform!: Platform | null;
}

@ObjectType({ description: "An alive tag" })
export class Tag {
  @Field(() => String) name!: string;
  @Field(() => String, { description: "namespace/name" }) repository!: string;
  @Field(() => String) manifestDigest!: string;
  @Field(() => String) mediaType!: string;
  @Field(() => Boolean) isManifestList!: boolean;
  @Field(() => Float, { description: "Compressed bytes; for an index the sum of its children" })
  size!: number;
  @Field(() => Date) lastModified!: Date;
  @Field(() => Date, { nullable: true, description: "When the tag expires; null when it does not" })
  expiration!: Date | null;
  @Field(() => [ManifestLabel]) labels!: ManifestLabel[];
  @Field(() => [ChildManifest], { description: "For an index: its manifests and their platforms" })
  children!: ChildManifest[];
}
export const TagConnection = connectionOf(Tag, "Tag");

@ObjectType({ description: "Commands a person copies to fetch an image" })
export class FetchCommands {
  @Field(() => String) podman!: string;
  @Field(() => String) docker!: string;
  @Field(() => String, { nullable: true, description: "Squashed download into docker load (tags only)" })
  squashed!: string | null;
}

@ObjectType()
export class TagFetchCommands {
  @Field(() => FetchCommands, { description: "By tag" }) tag!: FetchCommands;
  @Field(() => FetchCommands, { description: "By manifest digest" }) digest!: FetchCommands;
}

@ObjectType({ description: "One tag with its details" })
export class TagDetails extends Tag {
  @Field(() => Date, { description: "When this tag name was last created (moves keep it)" }) createdAt!: Date;
  @Field(() => Date) manifestCreatedAt!: Date;
  @Field(() => TagFetchCommands) fetch!: TagFetchCommands;
}

@ObjectType({ description: "One row of tag history: a tag pointing at a manifest for a while" })
export class TagHistoryEntry {
  @Field(() => ID, { description: "Pass to restoreTag or purgeTagHistoryEntry" }) id!: string;
  @Field(() => String) tag!: string;
  @Field(() => String) manifestDigest!: string;
  @Field(() => Date) start!: Date;
  @Field(() => Date, { nullable: true, description: "Null while alive; in the future when due to expire" })
  end!: Date | null;
  @Field(() => String, { description: "How it began: created, moved or restored" }) action!: string;
  @Field(() => String, { nullable: true, description: "How it ended: moved, deleted or expired" })
  endAction!: string | null;
  @Field(() => Boolean, { description: "Ended and still inside the time-machine window" })
  restorable!: boolean;
  @Field(() => Date, { nullable: true }) restorableUntil!: Date | null;
}
export const TagHistoryConnection = connectionOf(TagHistoryEntry, "TagHistoryEntry");

@ObjectType({ description: "A tag and the manifest it now points at" })
export class TagChange {
  @Field(() => String) tag!: string;
  @Field(() => String) manifestDigest!: string;
}
