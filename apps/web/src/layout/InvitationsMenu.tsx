// Pending team invitations: a masthead button with the count, opening a list to accept or decline.
import { useState } from "react";
import {
  Badge,
  Button,
  DataList,
  DataListAction,
  DataListCell,
  DataListItem,
  DataListItemCells,
  DataListItemRow,
  Modal,
  ModalBody,
  ModalHeader,
} from "@patternfly/react-core";
import { EnvelopeIcon } from "@patternfly/react-icons";
import { EntityAvatar } from "../components/EntityAvatar";
import { EmptyView, ErrorAlert } from "../components/States";
import { useInvitationActions, type Viewer } from "../hooks/session";
import { useAction } from "../hooks/useAction";

export function InvitationsMenu({ invitations }: { invitations: Viewer["invitations"] }) {
  const [open, setOpen] = useState(false);
  const { accept, decline } = useInvitationActions();
  const { error, run: act } = useAction();
  const count = invitations.length;
  return (
    <>
      <Button
        variant="plain"
        aria-label={`Pending invitations (${count})`}
        onClick={() => setOpen(true)}
        icon={<EnvelopeIcon />}
      >
        {count > 0 && <Badge isRead={false}>{count}</Badge>}
      </Button>
      <Modal variant="small" isOpen={open} onClose={() => setOpen(false)} aria-labelledby="invitations-title">
        <ModalHeader title="Team invitations" labelId="invitations-title" />
        <ModalBody>
          <ErrorAlert error={error} />
          {count === 0 ? (
            <EmptyView title="No pending invitations" />
          ) : (
            <DataList aria-label="Pending invitations">
              {invitations.map((inv) => (
                <DataListItem key={inv.id} aria-labelledby={`inv-${inv.id}`}>
                  <DataListItemRow>
                    <DataListItemCells
                      dataListCells={[
                        <DataListCell key="what" id={`inv-${inv.id}`}>
                          <EntityAvatar avatar={inv.organizationAvatar} /> Team <strong>{inv.team}</strong> of{" "}
                          <strong>{inv.organization}</strong>
                        </DataListCell>,
                      ]}
                    />
                    <DataListAction
                      aria-labelledby={`inv-${inv.id}`}
                      id={`inv-actions-${inv.id}`}
                      aria-label="Actions"
                    >
                      <Button variant="primary" size="sm" onClick={() => act(() => accept(inv.id))}>
                        Accept
                      </Button>
                      <Button variant="secondary" size="sm" onClick={() => act(() => decline(inv.id))}>
                        Decline
                      </Button>
                    </DataListAction>
                  </DataListItemRow>
                </DataListItem>
              ))}
            </DataList>
          )}
        </ModalBody>
      </Modal>
    </>
  );
}
