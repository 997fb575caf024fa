// Repository notifications (admins: create, test, reset, delete, deliveries), the e-mail authorization of a
// repository, and the viewer's bell.
import {
  Arg,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { GraphQLJSON } from "../types/common.js";
import { Repository } from "../types/tenancy.js";

@ObjectType({ description: "A repository notification: an event and how it is delivered" })
class RepositoryNotification {
  @Field(() => ID) uuid!: string;
  @Field(() => String, { nullable: true }) title!: string | null;
  @Field(() => String) event!: string;
  @Field(() => String) method!: string;
  @Field(() => GraphQLJSON, { description: "The method's settings (secrets left out or masked)" })
  config!: Record<string, unknown>;
  @Field(() => GraphQLJSON) eventConfig!: Record<string, unknown>;
  @Field(() => Int, { description: "Consecutive failed attempts" }) numberOfFailures!: number;
  @Field(() => Boolean, { description: "Disabled after too many consecutive failures, until reset" })
  disabled!: boolean;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
class CreatedRepositoryNotification {
  @Field(() => RepositoryNotification) notification!: RepositoryNotification;
  @Field(() => String, { nullable: true, description: "A webhook's HMAC signing secret, shown only now" })
  signingSecret!: string | null;
}

@ObjectType({ description: "One event sent to one notification" })
class NotificationDelivery {
  @Field(() => ID) id!: string;
  @Field(() => String) event!: string;
  @Field(() => String, { description: "pending, sending, delivered, failed or skipped" }) status!: string;
  @Field(() => Int) attempts!: number;
  @Field(() => Int, { nullable: true }) lastStatusCode!: number | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => String, { nullable: true, description: "The start of the last answer" })
  responseExcerpt!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) deliveredAt!: Date | null;
  @Field(() => Boolean, { description: "A test, not a real event" }) test!: boolean;
}

@ObjectType()
class NamedItem {
  @Field(() => String) name!: string;
  @Field(() => String) title!: string;
}

@ObjectType({ description: "What notifications can be made of" })
class NotificationCatalogue {
  @Field(() => [NamedItem]) events!: NamedItem[];
  @Field(() => [NamedItem]) methods!: NamedItem[];
  @Field(() => Boolean, { description: "Whether e-mail can be sent (FEATURE_MAILING)" }) mailing!: boolean;
}

@ObjectType()
class AuthorizedEmail {
  @Field(() => String) email!: string;
  @Field(() => Boolean) confirmed!: boolean;
}

@ObjectType({ description: "An entry of the viewer's bell" })
class UserNotification {
  @Field(() => ID) id!: string;
  @Field(() => String) kind!: string;
  @Field(() => String) summary!: string;
  @Field(() => String, { description: "info, primary, success, warning or error" }) level!: string;
  @Field(() => String, { nullable: true, description: "The console path of its subject" }) link!:
    string | null;
  @Field(() => GraphQLJSON) metadata!: Record<string, unknown>;
  @Field(() => Boolean) read!: boolean;
  @Field(() => Boolean) dismissed!: boolean;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
class ViewerNotifications {
  @Field(() => [UserNotification]) entries!: UserNotification[];
  @Field(() => Int) unread!: number;
}

const bellEntry = (n: {
  uuid: string;
  kind: string;
  metadata: unknown;
  readAt: Date | null;
  dismissed: boolean;
  createdAt: Date;
}): UserNotification => {
  const m = (n.metadata ?? {}) as Record<string, unknown>;
  return {
    id: n.uuid,
    kind: n.kind,
    summary: String(m.summary ?? n.kind),
    level: String(m.level ?? "info"),
    link: typeof m.link === "string" ? m.link : null,
    metadata: m,
    read: n.readAt !== null,
    dismissed: n.dismissed,
    createdAt: n.createdAt,
  };
};

@Resolver(() => Repository)
export class NotificationResolver {
  @FieldResolver(() => [RepositoryNotification], { description: "Repository admins only" })
  notifications(@Root() r: Repository, @Ctx() ctx: GraphQLContext) {
    return ctx.services.notifications.list(ctx.principal, r.fullName);
  }

  @Query(() => NotificationCatalogue)
  notificationCatalogue(@Ctx() ctx: GraphQLContext): NotificationCatalogue {
    return ctx.services.notifications.catalogue();
  }

  @Query(() => [NotificationDelivery], { description: "The notification's recent deliveries, newest first" })
  async notificationDeliveries(
    @Arg("repository", () => String) repository: string,
    @Arg("uuid", () => ID) uuid: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<NotificationDelivery[]> {
    const rows = await ctx.services.notifications.deliveries(ctx.principal, repository, uuid);
    return rows.map((d) => ({ ...d, id: String(d.id), test: d.eventId.startsWith("test:") }));
  }

  @Mutation(() => CreatedRepositoryNotification)
  async createRepositoryNotification(
    @Arg("repository", () => String) repository: string,
    @Arg("event", () => String) event: string,
    @Arg("method", () => String) method: string,
    @Arg("config", () => GraphQLJSON) config: Record<string, unknown>,
    @Arg("eventConfig", () => GraphQLJSON, { nullable: true }) eventConfig: Record<string, unknown> | null,
    @Arg("title", () => String, { nullable: true }) title: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedRepositoryNotification> {
    const n = await ctx.services.notifications.create(
      ctx.principal,
      repository,
      { event, method, config, eventConfig: eventConfig ?? {}, title },
      ctx.ip,
    );
    return { notification: n, signingSecret: n.reveal?.signing_secret ?? null };
  }

  @Mutation(() => Boolean)
  async deleteRepositoryNotification(
    @Arg("repository", () => String) repository: string,
    @Arg("uuid", () => ID) uuid: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.notifications.delete(ctx.principal, repository, uuid, ctx.ip);
    return true;
  }

  @Mutation(() => RepositoryNotification, { description: "Clears the failure count and enables it again" })
  resetRepositoryNotification(
    @Arg("repository", () => String) repository: string,
    @Arg("uuid", () => ID) uuid: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.notifications.reset(ctx.principal, repository, uuid, ctx.ip);
  }

  @Mutation(() => Boolean, { description: "Queues a sample of the notification's event" })
  async testRepositoryNotification(
    @Arg("repository", () => String) repository: string,
    @Arg("uuid", () => ID) uuid: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.notifications.test(ctx.principal, repository, uuid);
    return true;
  }

  @Query(() => AuthorizedEmail, { nullable: true, description: "Null: no confirmation asked for yet" })
  async notificationEmail(
    @Arg("repository", () => String) repository: string,
    @Arg("email", () => String) email: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthorizedEmail | null> {
    return ctx.services.notifications
      .authorizedEmail(ctx.principal, repository, email)
      .catch((e: { code?: string }) => {
        if (e.code === "NOT_FOUND") return null;
        throw e;
      });
  }

  @Mutation(() => AuthorizedEmail, { description: "Sends the address a confirmation link" })
  requestNotificationEmail(
    @Arg("repository", () => String) repository: string,
    @Arg("email", () => String) email: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthorizedEmail> {
    return ctx.services.notifications.requestEmailAuthorization(ctx.principal, repository, email, ctx.ip);
  }

  @Query(() => ViewerNotifications, { description: "The viewer's bell, newest first" })
  async viewerNotifications(
    @Arg("includeDismissed", () => Boolean, { defaultValue: false }) includeDismissed: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ViewerNotifications> {
    const r = await ctx.services.bell.list(ctx.principal, { includeDismissed });
    return { entries: r.entries.map(bellEntry), unread: r.unread };
  }

  @Mutation(() => UserNotification)
  async updateUserNotification(
    @Arg("id", () => ID) id: string,
    @Arg("dismissed", () => Boolean, { nullable: true }) dismissed: boolean | null,
    @Arg("read", () => Boolean, { nullable: true }) read: boolean | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserNotification> {
    const change = { ...(dismissed !== null ? { dismissed } : {}), ...(read !== null ? { read } : {}) };
    return bellEntry(await ctx.services.bell.update(ctx.principal, id, change));
  }

  @Mutation(() => Int, { description: "How many entries were marked read" })
  markAllNotificationsRead(@Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.services.bell.markAllRead(ctx.principal);
  }
}
