// The members of one team: users (invited until they accept) and robots; add by username, e-mail or robot.
import { useState } from "react";
import { Button, Form, Label, Modal, ModalBody, ModalHeader, Split, SplitItem } from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { EntityAvatar } from "../../components/EntityAvatar";
import { EntityPicker, type PickedEntity } from "../../components/EntityPicker";
import { EmptyView, ErrorAlert, QueryState } from "../../components/States";
import { useTeam, useTeamMutations } from "../../hooks/teams";
import { useAction } from "../../hooks/useAction";

export function ManageMembersModal({
  organization,
  team,
  canEdit,
  onClose,
}: {
  organization: string;
  team: string;
  canEdit: boolean;
  onClose: () => void;
}) {
  const { result, refetch } = useTeam(organization, team);
  const { addMember, removeMember } = useTeamMutations(organization);
  const [picked, setPicked] = useState<PickedEntity>({ kind: "user", name: "" });
  const { error, run } = useAction(refetch);
  return (
    <Modal variant="medium" isOpen onClose={onClose} aria-labelledby="manage-members-title">
      <ModalHeader title={`Members of team ${team}`} labelId="manage-members-title" />
      <ModalBody>
        <ErrorAlert error={error} />
        {canEdit && (
          <Form
            onSubmit={(e) => {
              e.preventDefault();
              if (picked.name.trim())
                void run(async () => {
                  await addMember(team, picked.name.trim());
                  setPicked({ ...picked, name: "" });
                });
            }}
          >
            <Split hasGutter isWrappable>
              <SplitItem isFilled>
                <EntityPicker
                  label="Add a member (username, e-mail or robot)"
                  value={picked}
                  onChange={setPicked}
                  namespace={organization}
                  kinds={["user", "robot"]}
                />
              </SplitItem>
              <SplitItem style={{ alignSelf: "flex-end" }}>
                <Button type="submit" variant="secondary" isDisabled={!picked.name.trim()}>
                  Add member
                </Button>
              </SplitItem>
            </Split>
          </Form>
        )}
        <QueryState result={result}>
          {({ organization: org }) =>
            org.team.members.length === 0 ? (
              <EmptyView title="This team has no members" />
            ) : (
              <Table aria-label="Team members" variant="compact">
                <Thead>
                  <Tr>
                    <Th>Member</Th>
                    <Th>Kind</Th>
                    {canEdit && <Th screenReaderText="Actions" />}
                  </Tr>
                </Thead>
                <Tbody>
                  {org.team.members.map((m) => (
                    <Tr key={`${m.kind}:${m.name}`}>
                      <Td dataLabel="Member">
                        <EntityAvatar avatar={m.avatar} /> {m.name}{" "}
                        {m.invited && (
                          <Label isCompact color="orange">
                            invited
                          </Label>
                        )}
                      </Td>
                      <Td dataLabel="Kind">{m.kind}</Td>
                      {canEdit && (
                        <Td isActionCell>
                          <Button
                            variant="link"
                            isDanger
                            aria-label={`Remove ${m.name}`}
                            onClick={() => run(() => removeMember(team, m.name))}
                          >
                            {m.invited ? "Cancel invitation" : "Remove"}
                          </Button>
                        </Td>
                      )}
                    </Tr>
                  ))}
                </Tbody>
              </Table>
            )
          }
        </QueryState>
      </ModalBody>
    </Modal>
  );
}
