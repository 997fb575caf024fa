// Repository notifications (admins: list, create, test, reset, delete, deliveries, e-mail confirmation) and
// the viewer's bell, polled so its count moves without a reload.
import { useCallback, useEffect } from "react";
import { useMutation, useQuery } from "urql";
import {
  CreateRepositoryNotificationDocument,
  DeleteRepositoryNotificationDocument,
  MarkAllNotificationsReadDocument,
  NotificationCatalogueDocument,
  NotificationDeliveriesDocument,
  NotificationEmailDocument,
  RepositoryNotificationsDocument,
  RequestNotificationEmailDocument,
  ResetRepositoryNotificationDocument,
  TestRepositoryNotificationDocument,
  UpdateUserNotificationDocument,
  ViewerNotificationsDocument,
  type ResultOf,
} from "@hm/schema";
import { unwrap } from "../api/errors";

export type RepositoryNotification = ResultOf<
  typeof RepositoryNotificationsDocument
>["repository"]["notifications"][number];
export type NotificationDelivery = ResultOf<
  typeof NotificationDeliveriesDocument
>["notificationDeliveries"][number];
export type UserNotification = ResultOf<
  typeof ViewerNotificationsDocument
>["viewerNotifications"]["entries"][number];

/** Quay's severities, most severe first (a vulnerability notification's level). */
export const SEVERITIES = ["Critical", "High", "Medium", "Low", "Negligible", "Unknown"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** How often the bell asks for news. */
export const BELL_POLL_MS = 5_000;

export function useRepositoryNotifications(namespace: string, name: string) {
  const [result, refetch] = useQuery({
    query: RepositoryNotificationsDocument,
    variables: { namespace, name },
  });
  return { result, refetch: useCallback(() => refetch({ requestPolicy: "network-only" }), [refetch]) };
}

export function useNotificationCatalogue() {
  const [result] = useQuery({ query: NotificationCatalogueDocument });
  return result.data?.notificationCatalogue;
}

export function useNotificationDeliveries(repository: string, uuid: string | null) {
  const [result, refetch] = useQuery({
    query: NotificationDeliveriesDocument,
    variables: { repository, uuid: uuid ?? "" },
    requestPolicy: "network-only",
    pause: !uuid,
  });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

/** Whether the address may be notified from this repository: null until a confirmation was asked for. */
export function useNotificationEmail(repository: string, email: string | null) {
  const [result, refetch] = useQuery({
    query: NotificationEmailDocument,
    variables: { repository, email: email ?? "" },
    requestPolicy: "network-only",
    pause: !email,
  });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export interface NotificationInput {
  event: string;
  method: string;
  config: Record<string, unknown>;
  eventConfig: Record<string, unknown>;
  title: string | null;
}

export function useRepositoryNotificationMutations(repository: string) {
  const [, create] = useMutation(CreateRepositoryNotificationDocument);
  const [, remove] = useMutation(DeleteRepositoryNotificationDocument);
  const [, reset] = useMutation(ResetRepositoryNotificationDocument);
  const [, test] = useMutation(TestRepositoryNotificationDocument);
  const [, requestEmail] = useMutation(RequestNotificationEmailDocument);
  return {
    /** Returns the new notification and, for a webhook, its signing secret (shown only now). */
    create: async (input: NotificationInput) =>
      unwrap(await create({ repository, ...input })).createRepositoryNotification,
    remove: async (uuid: string) => void unwrap(await remove({ repository, uuid })),
    reset: async (uuid: string) => void unwrap(await reset({ repository, uuid })),
    test: async (uuid: string) => void unwrap(await test({ repository, uuid })),
    requestEmail: async (email: string) =>
      unwrap(await requestEmail({ repository, email })).requestNotificationEmail,
  };
}

/**
 * The viewer's bell: entries (newest first) and the unread count, asked for again every BELL_POLL_MS while
 * the page is visible; `pause` (signed out) stops it.
 */
export function useBell(pause: boolean) {
  const [result, reexecute] = useQuery({
    query: ViewerNotificationsDocument,
    variables: { includeDismissed: false },
    requestPolicy: "network-only",
    pause,
  });
  const refetch = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  useEffect(() => {
    if (pause) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== "hidden") refetch();
    }, BELL_POLL_MS);
    return () => clearInterval(timer);
  }, [pause, refetch]);
  const [, update] = useMutation(UpdateUserNotificationDocument);
  const [, markAll] = useMutation(MarkAllNotificationsReadDocument);
  const data = pause ? undefined : result.data?.viewerNotifications;
  return {
    entries: data?.entries ?? [],
    unread: data?.unread ?? 0,
    error: result.error,
    refetch,
    markRead: async (id: string) => {
      unwrap(await update({ id, read: true }));
      refetch();
    },
    dismiss: async (id: string) => {
      unwrap(await update({ id, dismissed: true }));
      refetch();
    },
    markAllRead: async () => {
      unwrap(await markAll({}));
      refetch();
    },
  };
}

export type Bell = ReturnType<typeof useBell>;
