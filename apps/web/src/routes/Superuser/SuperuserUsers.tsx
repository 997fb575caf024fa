// Users: create (the generated password is shown once), change password, disable/enable, delete.
import { useState } from "react";
import {
  Alert,
  Button,
  FormGroup,
  Label,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  TextInput,
  ToolbarItem,
} from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { RowActions } from "../../components/RowActions";
import { ConfirmByTypingModal } from "../../components/ConfirmByTypingModal";
import { CopyField } from "../../components/CopyField";
import { EntityAvatar } from "../../components/EntityAvatar";
import { FormModal } from "../../components/FormModal";
import { ListSearch, ListToolbar } from "../../components/ListToolbar";
import { EmptyView, ErrorAlert, QueryState } from "../../components/States";
import { Time } from "../../components/Time";
import { useUserAdministration, useUsers } from "../../hooks/superuser";
import { useAction } from "../../hooks/useAction";
import { useListFilter } from "../../hooks/useListFilter";

export function SuperuserUsers() {
  const filter = useListFilter(50);
  const { result, refetch } = useUsers({ filter: filter.debounced || null, ...filter.paging.variables });
  const admin = useUserAdministration();
  const [creating, setCreating] = useState(false);
  const [newUser, setNewUser] = useState({ username: "", email: "" });
  const [created, setCreated] = useState<{ username: string; password: string } | null>(null);
  const [passwordFor, setPasswordFor] = useState<string | null>(null);
  const [password, setPassword] = useState("");
  const [deleting, setDeleting] = useState<string | null>(null);
  const { error, run } = useAction(refetch);
  return (
    <>
      <ListToolbar paging={filter.paging} connection={result.data?.users}>
        <ListSearch filter={filter} label="Filter users" />
        <ToolbarItem>
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create user
          </Button>
        </ToolbarItem>
      </ListToolbar>
      <ErrorAlert error={error} />
      <QueryState result={result} errorTitle="Could not load users">
        {(data) =>
          data.users.edges.length === 0 ? (
            <EmptyView title="No user matches" />
          ) : (
            <Table aria-label="Users" variant="compact">
              <Thead>
                <Tr>
                  <Th>Username</Th>
                  <Th>E-mail</Th>
                  <Th>Status</Th>
                  <Th>Created</Th>
                  <Th>Last login</Th>
                  <Th screenReaderText="Actions" />
                </Tr>
              </Thead>
              <Tbody>
                {data.users.edges.map(({ node: u }) => (
                  <Tr key={u.username}>
                    <Td dataLabel="Username">
                      <EntityAvatar avatar={u.avatar} /> {u.username}{" "}
                      {u.superuser && (
                        <Label isCompact color="purple">
                          superuser
                        </Label>
                      )}
                    </Td>
                    <Td dataLabel="E-mail">{u.email}</Td>
                    <Td dataLabel="Status">
                      {u.enabled ? (
                        <Label isCompact color="green">
                          enabled
                        </Label>
                      ) : (
                        <Label isCompact color="red">
                          disabled
                        </Label>
                      )}
                    </Td>
                    <Td dataLabel="Created">
                      <Time value={u.createdAt} />
                    </Td>
                    <Td dataLabel="Last login">
                      <Time value={u.lastLoginAt} empty="never" />
                    </Td>
                    <Td isActionCell>
                      <RowActions
                        label={`Actions for ${u.username}`}
                        items={[
                          { title: "Change password", onClick: () => setPasswordFor(u.username) },
                          u.enabled
                            ? {
                                title: "Disable user",
                                onClick: () => run(() => admin.setEnabled(u.username, false)),
                              }
                            : {
                                title: "Enable user",
                                onClick: () => run(() => admin.setEnabled(u.username, true)),
                              },
                          { title: "Delete user", onClick: () => setDeleting(u.username) },
                        ]}
                      />
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          )
        }
      </QueryState>
      <FormModal
        title="Create user"
        submitLabel="Create user"
        isOpen={creating}
        onClose={() => {
          setCreating(false);
          setNewUser({ username: "", email: "" });
        }}
        canSubmit={!!newUser.username.trim() && !!newUser.email.trim()}
        onSubmit={async () => {
          const c = await admin.create(newUser.username.trim(), newUser.email.trim());
          setCreated({ username: c.user.username, password: c.password });
          refetch();
        }}
      >
        <FormGroup label="Username" isRequired fieldId="new-user-name">
          <TextInput
            id="new-user-name"
            value={newUser.username}
            onChange={(_e, v) => setNewUser({ ...newUser, username: v })}
          />
        </FormGroup>
        <FormGroup label="E-mail" isRequired fieldId="new-user-email">
          <TextInput
            id="new-user-email"
            type="email"
            value={newUser.email}
            onChange={(_e, v) => setNewUser({ ...newUser, email: v })}
          />
        </FormGroup>
      </FormModal>
      <Modal
        variant="small"
        isOpen={created !== null}
        onClose={() => setCreated(null)}
        aria-labelledby="created-user"
      >
        <ModalHeader title={`User ${created?.username ?? ""} created`} labelId="created-user" />
        <ModalBody>
          <Alert variant="warning" isInline title="This password is shown only once">
            Hand it to the user; they can change it after signing in.
          </Alert>
          <div style={{ marginTop: "1rem" }}>
            <CopyField value={created?.password ?? ""} label="Generated password" />
          </div>
        </ModalBody>
        <ModalFooter>
          <Button variant="primary" onClick={() => setCreated(null)}>
            Done
          </Button>
        </ModalFooter>
      </Modal>
      <FormModal
        title={`Change password of ${passwordFor ?? ""}`}
        submitLabel="Change password"
        isOpen={passwordFor !== null}
        onClose={() => {
          setPasswordFor(null);
          setPassword("");
        }}
        canSubmit={password.length > 0}
        onSubmit={() => admin.setPassword(passwordFor!, password)}
      >
        <FormGroup label="New password" isRequired fieldId="su-new-password">
          <TextInput
            id="su-new-password"
            type="password"
            value={password}
            onChange={(_e, v) => setPassword(v)}
          />
        </FormGroup>
      </FormModal>
      <ConfirmByTypingModal
        title={`Delete user ${deleting ?? ""}?`}
        isOpen={deleting !== null}
        expected={deleting ?? ""}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          await admin.remove(deleting!);
          refetch();
        }}
      >
        <p>Their repositories and robot accounts are deleted too.</p>
      </ConfirmByTypingModal>
    </>
  );
}
