// Events and notifications of a repository (its settings, admins only): what is watched and how it is
// delivered, with test, reset, deliveries and delete per notification, and the creation form.
import { useState } from "react";
import {
  Alert,
  AlertActionCloseButton,
  Button,
  Content,
  Label,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { SecretModal } from "../../components/SecretModal";
import { FormModal } from "../../components/FormModal";
import { RowActions } from "../../components/RowActions";
import { EmptyView, ErrorAlert, QueryState } from "../../components/States";
import {
  SEVERITIES,
  useNotificationCatalogue,
  useRepositoryNotificationMutations,
  useRepositoryNotifications,
  type RepositoryNotification,
} from "../../hooks/notifications";
import type { RepositoryDetails } from "../../hooks/repositories";
import { useViewer } from "../../hooks/session";
import { useAction } from "../../hooks/useAction";
import { CreateNotificationModal } from "./CreateNotificationModal";
import { NotificationDeliveriesModal } from "./NotificationDeliveriesModal";

const obj = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});

/** The method's settings in a few words (secrets are never sent to the console). */
function configSummary(n: RepositoryNotification): string {
  const c = obj(n.config);
  switch (n.method) {
    case "quay_notification": {
      const t = obj(c.target);
      const kind = t.kind === "org" ? "organization" : String(t.kind ?? "");
      return `${kind} ${String(t.name ?? "")}`.trim();
    }
    case "email":
      return String(c.email ?? "");
    case "webhook":
      return `${String(c.url ?? "")}${c.template ? " (with a body template)" : ""}`;
    case "slack":
    case "msteams":
      return String(c.url ?? "");
    case "flowdock":
      return "Flow API token (hidden)";
    case "hipchat":
      return `Room ${String(c.room_id ?? "")}`;
    default:
      return "—";
  }
}

/** The event's filter, if it has one ("expiring in 7 days", "High or worse"). */
function eventFilter(n: RepositoryNotification): string | null {
  const c = obj(n.eventConfig);
  if (n.event === "repo_image_expiry" && c.days !== undefined) return `${String(c.days)} days ahead`;
  if (n.event === "vulnerability_found" && c.level !== undefined) {
    const level = typeof c.level === "number" ? SEVERITIES[c.level] : String(c.level);
    return `${level} or more severe`;
  }
  return null;
}

export function RepositoryNotifications({ repository: repo }: { repository: RepositoryDetails }) {
  const fullName = `${repo.namespace}/${repo.name}`;
  const { result, refetch } = useRepositoryNotifications(repo.namespace, repo.name);
  const catalogue = useNotificationCatalogue();
  const { viewer } = useViewer();
  const m = useRepositoryNotificationMutations(fullName);
  const { error, run } = useAction(refetch);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [tested, setTested] = useState<string | null>(null);
  const [deliveries, setDeliveries] = useState<{ uuid: string; label: string } | null>(null);
  const [deleting, setDeleting] = useState<{ uuid: string; label: string } | null>(null);
  const titleOf = (list: { name: string; title: string }[] | undefined, name: string) =>
    list?.find((x) => x.name === name)?.title ?? name;
  const labelOf = (n: RepositoryNotification) => n.title || titleOf(catalogue?.methods, n.method);
  return (
    <section aria-label="Events and notifications">
      <Title headingLevel="h2" size="lg">
        Events and notifications
      </Title>
      <Content component="p">
        Notifications tell people and services when something happens in this repository.
      </Content>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <Button variant="secondary" onClick={() => setCreating(true)} isDisabled={!catalogue}>
              Create notification
            </Button>
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <ErrorAlert error={error} title="The notification was not changed" />
      {tested && (
        <Alert
          variant="success"
          isInline
          title="Test Notification Queued"
          actionClose={<AlertActionCloseButton onClose={() => setTested(null)} />}
        >
          A test version of this notification has been queued and should appear shortly
        </Alert>
      )}
      <QueryState result={result} errorTitle="Could not load the notifications">
        {({ repository: r }) =>
          r.notifications.length === 0 ? (
            <EmptyView title="No notifications">
              No notifications have been set up for this repository.
            </EmptyView>
          ) : (
            <Table aria-label="Repository notifications" variant="compact">
              <Thead>
                <Tr>
                  <Th>Title</Th>
                  <Th>Event</Th>
                  <Th>Notification</Th>
                  <Th>Configuration</Th>
                  <Th>Failures</Th>
                  <Th screenReaderText="Actions" />
                </Tr>
              </Thead>
              <Tbody>
                {r.notifications.map((n) => {
                  const label = labelOf(n);
                  const filter = eventFilter(n);
                  return (
                    <Tr key={n.uuid}>
                      <Td dataLabel="Title">
                        {n.title || "(Untitled)"}{" "}
                        {n.disabled && (
                          <Label isCompact color="red">
                            Disabled
                          </Label>
                        )}
                      </Td>
                      <Td dataLabel="Event">
                        {titleOf(catalogue?.events, n.event)}
                        {filter && <Content component="small"> ({filter})</Content>}
                      </Td>
                      <Td dataLabel="Notification">{titleOf(catalogue?.methods, n.method)}</Td>
                      <Td dataLabel="Configuration" modifier="breakWord">
                        {configSummary(n) || "—"}
                      </Td>
                      <Td dataLabel="Failures">{n.numberOfFailures}</Td>
                      <Td isActionCell>
                        <RowActions
                          label={`Actions for notification ${label}`}
                          items={[
                            {
                              title: "Test notification",
                              onClick: () =>
                                run(async () => {
                                  setTested(null);
                                  await m.test(n.uuid);
                                  setTested(n.uuid);
                                }),
                            },
                            {
                              title: n.disabled ? "Enable notification" : "Reset failures",
                              onClick: () => run(() => m.reset(n.uuid)),
                            },
                            {
                              title: "View deliveries",
                              onClick: () => setDeliveries({ uuid: n.uuid, label }),
                            },
                            { isSeparator: true },
                            {
                              title: "Delete notification",
                              isDanger: true,
                              onClick: () => setDeleting({ uuid: n.uuid, label }),
                            },
                          ]}
                        />
                      </Td>
                    </Tr>
                  );
                })}
              </Tbody>
            </Table>
          )
        }
      </QueryState>
      {catalogue && (
        <CreateNotificationModal
          repository={fullName}
          catalogue={catalogue}
          isOrganization={repo.isOrganization}
          viewerName={viewer?.username ?? ""}
          isOpen={creating}
          onClose={() => setCreating(false)}
          onCreated={(s) => {
            refetch();
            setSecret(s);
          }}
        />
      )}
      <NotificationDeliveriesModal
        repository={fullName}
        notification={deliveries}
        onClose={() => setDeliveries(null)}
      />
      <FormModal
        title="Delete notification"
        submitLabel="Delete"
        danger
        isOpen={!!deleting}
        onClose={() => setDeleting(null)}
        onSubmit={async () => {
          await m.remove(deleting!.uuid);
          refetch();
        }}
      >
        <p>
          Delete the notification <strong>{deleting?.label}</strong>? Its events are no longer delivered.
        </p>
      </FormModal>
      <SigningSecretModal secret={secret} onClose={() => setSecret(null)} />
    </section>
  );
}

/** A new webhook's signing secret, shown once, and how receivers check a request with it. */
function SigningSecretModal({ secret, onClose }: { secret: string | null; onClose: () => void }) {
  return (
    <SecretModal
      shown={secret ? { app: "", secret } : null}
      onClose={onClose}
      what="webhook signing secret"
      title="Webhook signing secret"
      variant="medium"
    >
      <Content component="p" style={{ marginTop: "1rem" }}>
        Every request of this webhook carries the header{" "}
        <code>X-Harbormaster-Signature: sha256=&lt;HMAC-SHA256 of the body&gt;</code>: the hexadecimal
        HMAC-SHA256 of the raw request body, keyed with this secret. Compute it on receipt and compare it to
        check that the request comes from this registry.
      </Content>
    </SecretModal>
  );
}
