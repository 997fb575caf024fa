// A notification's recent deliveries, newest first: when, how it went, how often it was tried, and the
// last answer or error.
import { Button, Label, Modal, ModalBody, ModalFooter, ModalHeader } from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { EmptyView, QueryState } from "../../components/States";
import { Time } from "../../components/Time";
import { useNotificationDeliveries } from "../../hooks/notifications";

const STATUS_COLORS: Record<string, "green" | "red" | "blue" | "grey" | "orange"> = {
  delivered: "green",
  failed: "red",
  pending: "blue",
  sending: "blue",
  skipped: "grey",
};

export function NotificationDeliveriesModal({
  repository,
  notification,
  onClose,
}: {
  repository: string;
  /** The notification shown, or null when the modal is closed. */
  notification: { uuid: string; label: string } | null;
  onClose: () => void;
}) {
  const { result, refetch } = useNotificationDeliveries(repository, notification?.uuid ?? null);
  return (
    <Modal
      variant="large"
      isOpen={!!notification}
      onClose={onClose}
      aria-labelledby="notification-deliveries-title"
    >
      <ModalHeader
        title={`Deliveries of ${notification?.label ?? ""}`}
        labelId="notification-deliveries-title"
        description="The most recent deliveries, newest first."
      />
      <ModalBody>
        {notification && (
          <QueryState result={result} errorTitle="Could not load the deliveries">
            {({ notificationDeliveries: rows }) =>
              rows.length === 0 ? (
                <EmptyView title="No deliveries yet">
                  Deliveries appear once the event occurs, or after a test.
                </EmptyView>
              ) : (
                <Table aria-label="Notification deliveries" variant="compact">
                  <Thead>
                    <Tr>
                      <Th>Time</Th>
                      <Th>Status</Th>
                      <Th>Attempts</Th>
                      <Th>Last status code</Th>
                      <Th>Last error</Th>
                    </Tr>
                  </Thead>
                  <Tbody>
                    {rows.map((d) => (
                      <Tr key={d.id}>
                        <Td dataLabel="Time">
                          <Time value={d.createdAt} />{" "}
                          {d.test && (
                            <Label isCompact color="purple">
                              test
                            </Label>
                          )}
                        </Td>
                        <Td dataLabel="Status">
                          <Label isCompact color={STATUS_COLORS[d.status] ?? "grey"}>
                            {d.status}
                          </Label>
                        </Td>
                        <Td dataLabel="Attempts">{d.attempts}</Td>
                        <Td dataLabel="Last status code">{d.lastStatusCode ?? "—"}</Td>
                        <Td dataLabel="Last error" modifier="breakWord">
                          {d.lastError ?? "—"}
                        </Td>
                      </Tr>
                    ))}
                  </Tbody>
                </Table>
              )
            }
          </QueryState>
        )}
      </ModalBody>
      <ModalFooter>
        <Button variant="secondary" onClick={refetch}>
          Refresh
        </Button>
        <Button variant="link" onClick={onClose}>
          Done
        </Button>
      </ModalFooter>
    </Modal>
  );
}
