// Types every part of the schema shares: Relay connections, avatars, JSON, enums.
import { Field, Int, ObjectType, registerEnumType, type ClassType } from "type-graphql";
import { GraphQLJSON } from "graphql-scalars";
import type { Page } from "../../common/paging.js";
import { avatarFor, type AvatarKind } from "../../tenancy/avatars.js";
import { badInput } from "../../common/errors.js";

export { GraphQLJSON };

export enum RoleName {
  read = "read",
  write = "write",
  admin = "admin",
}
registerEnumType(RoleName, { name: "Role", description: "A repository role" });

export enum TeamRole {
  member = "member",
  creator = "creator",
  admin = "admin",
}
registerEnumType(TeamRole, {
  name: "TeamRole",
  description:
    "member: inherits repository permissions; creator: may also create repositories; admin: full control",
});

export enum Visibility {
  public = "public",
  private = "private",
}
registerEnumType(Visibility, { name: "Visibility" });

export enum EntityKind {
  user = "user",
  team = "team",
  robot = "robot",
}
registerEnumType(EntityKind, { name: "EntityKind", description: "Who a permission is granted to" });

@ObjectType({ description: "A generated avatar: draw the first letter of name on color (Quay's scheme)" })
export class Avatar {
  @Field(() => String) name!: string;
  @Field(() => String) hash!: string;
  @Field(() => String) color!: string;
  @Field(() => String, { description: "user, robot, org or team" }) kind!: string;
}

export const avatar = (name: string, emailOrId: string | null | undefined, kind: AvatarKind): Avatar =>
  avatarFor(name, emailOrId, kind);

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export interface Connection<N> {
  edges: { cursor: string; node: N }[];
  pageInfo: PageInfo;
  totalCount: number | null;
}

/** Declares `<Name>Connection` and `<Name>Edge` for a node type. */
export function connectionOf<N extends object>(node: ClassType<N>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String) cursor!: string;
    @Field(() => node) node!: N;
  }
  @ObjectType(`${name}Connection`, { description: `A page of ${name} items (Relay cursor connection)` })
  class ConnectionType implements Connection<N> {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    @Field(() => Int, { nullable: true, description: "Matches across all pages, where cheap to count" })
    totalCount!: number | null;
  }
  return ConnectionType;
}

export function toConnection<T, N>(page: Page<T>, map: (item: T) => N): Connection<N> {
  return {
    edges: page.items.map((item, i) => ({ cursor: page.cursors[i]!, node: map(item) })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
    totalCount: page.totalCount ?? null,
  };
}

@ObjectType({ description: "A user, team or robot, as permission and member lists show them" })
export class Entity {
  @Field(() => EntityKind) kind!: EntityKind;
  @Field(() => String, { description: "username, team name, or namespace+robot" }) name!: string;
  @Field(() => Avatar) avatar!: Avatar;
}

export const entity = (kind: "user" | "team" | "robot", name: string, email?: string | null): Entity => ({
  kind: kind as EntityKind,
  name,
  avatar: avatar(name, email ?? name, kind === "team" ? "team" : kind),
});

@ObjectType({ description: "A role held on one repository of the namespace" })
export class RepositoryRole {
  @Field(() => String) repository!: string;
  @Field(() => RoleName) role!: RoleName;
}

/** IDs are decimal strings; anything else is bad input, not a crash. */
export function parseId(id: string): bigint {
  if (!/^\d{1,18}$/.test(id)) throw badInput(`Invalid id: ${id.slice(0, 40)}`);
  return BigInt(id);
}
