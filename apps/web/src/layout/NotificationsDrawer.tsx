// The bell's drawer: the viewer's notifications, newest first. Clicking an entry marks it read (and its link
// leads to its subject); each can be dismissed, and all marked read at once.
import {
  Button,
  NotificationDrawer,
  NotificationDrawerBody,
  NotificationDrawerHeader,
  NotificationDrawerList,
  NotificationDrawerListItem,
  NotificationDrawerListItemBody,
  NotificationDrawerListItemHeader,
} from "@patternfly/react-core";
import { TimesIcon } from "@patternfly/react-icons";
import { Link } from "react-router-dom";
import { EmptyView, ErrorAlert } from "../components/States";
import { Time } from "../components/Time";
import type { Bell, UserNotification } from "../hooks/notifications";
import { useAction } from "../hooks/useAction";

type Variant = "custom" | "success" | "danger" | "warning" | "info";
const VARIANTS: Record<string, Variant> = {
  info: "info",
  primary: "custom",
  success: "success",
  warning: "warning",
  error: "danger",
};

export function NotificationsDrawer({ bell, onClose }: { bell: Bell; onClose: () => void }) {
  const { error, run } = useAction();
  const open = (n: UserNotification) => {
    if (!n.read) void run(() => bell.markRead(n.id));
  };
  return (
    <NotificationDrawer role="region" aria-label="Notification drawer">
      <NotificationDrawerHeader
        count={bell.unread}
        onClose={onClose}
        closeButtonAriaLabel="Close the notification drawer"
      >
        <Button variant="link" isInline isDisabled={bell.unread === 0} onClick={() => run(bell.markAllRead)}>
          Mark all read
        </Button>
      </NotificationDrawerHeader>
      <NotificationDrawerBody>
        <ErrorAlert error={error ?? (bell.entries.length ? null : bell.error)} />
        {bell.entries.length === 0 ? (
          <EmptyView title="No notifications">
            Repository notifications that target you (Quay Notification) and quota warnings show here.
          </EmptyView>
        ) : (
          <NotificationDrawerList aria-label="Notification entries">
            {bell.entries.map((n) => (
              <NotificationDrawerListItem
                key={n.id}
                variant={VARIANTS[n.level] ?? "info"}
                isRead={n.read}
                onClick={() => open(n)}
                aria-label={n.summary}
              >
                <NotificationDrawerListItemHeader
                  variant={VARIANTS[n.level] ?? "info"}
                  title={n.summary}
                  srTitle={`${n.level} notification:`}
                  headingLevel="h3"
                >
                  <Button
                    variant="plain"
                    aria-label={`Dismiss ${n.summary}`}
                    icon={<TimesIcon />}
                    onClick={(e) => {
                      e.stopPropagation();
                      void run(() => bell.dismiss(n.id));
                    }}
                  />
                </NotificationDrawerListItemHeader>
                <NotificationDrawerListItemBody timestamp={<Time value={n.createdAt} />}>
                  {n.link ? (
                    <Link to={n.link} onClick={onClose}>
                      {linkText(n)}
                    </Link>
                  ) : (
                    n.kind
                  )}
                </NotificationDrawerListItemBody>
              </NotificationDrawerListItem>
            ))}
          </NotificationDrawerList>
        )}
      </NotificationDrawerBody>
    </NotificationDrawer>
  );
}

/** What the entry's link leads to: its repository when it names one, else the path. */
function linkText(n: UserNotification): string {
  const m = (n.metadata ?? {}) as Record<string, unknown>;
  const title = typeof m.title === "string" && m.title ? `${m.title} · ` : "";
  return `${title}${typeof m.repository === "string" ? m.repository : n.link}`;
}
