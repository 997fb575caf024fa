// Quay's JSON shapes that several areas share (avatars, dates, entities, permission and log entries), each
// as a schema for the document and a function that builds it.
import { z } from "zod";
import { avatarFor, type AvatarKind } from "../tenancy/avatars.js";
import { parseRobotName } from "../tenancy/names.js";

export const Avatar = z.object({ name: z.string(), hash: z.string(), color: z.string(), kind: z.string() });
export const avatar = (name: string, emailOrId: string | null | undefined, kind: AvatarKind) =>
  avatarFor(name, emailOrId, kind);

/** Quay's dates: RFC 2822 in UTC, written with `-0000`. */
export const formatDate = (d: Date | null | undefined): string | null =>
  d ? d.toUTCString().replace("GMT", "-0000") : null;

/** Seconds since the epoch, as Quay's tag and repository lists give times. */
export const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

export const Nullable = <T extends z.ZodType>(t: T) => t.nullable();
export const Success = z.object({ success: z.boolean() });
export const Empty = z.object({});

export const RepositoryRole = z.enum(["read", "write", "admin"]);
export const TeamRole = z.enum(["member", "creator", "admin"]);

/** A user or robot as Quay's permission and member lists show it. */
export const UserEntity = z.object({
  name: z.string(),
  kind: z.literal("user"),
  is_robot: z.boolean(),
  avatar: Avatar,
});

export function userEntity(name: string, email: string | null) {
  const robot = parseRobotName(name) !== null;
  return {
    name,
    kind: "user" as const,
    is_robot: robot,
    avatar: avatar(name, robot ? null : email, robot ? "robot" : "user"),
  };
}

export const RepositoryPermissionEntry = z.object({
  repository: z.object({ name: z.string(), is_public: z.boolean() }),
  role: RepositoryRole,
});

export const LogEntry = z.object({
  kind: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  datetime: z.string(),
  performer: UserEntity.optional(),
  namespace: z.object({ kind: z.enum(["org", "user"]), name: z.string(), avatar: Avatar }).optional(),
});

export const LogPage = z.object({
  start_time: z.string(),
  end_time: z.string(),
  logs: z.array(LogEntry),
  next_page: z.string().optional(),
});

export const Aggregated = z.object({
  aggregated: z.array(z.object({ kind: z.string(), count: z.number().int(), datetime: z.string() })),
});
