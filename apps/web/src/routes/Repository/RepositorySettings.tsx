// Repository settings: user, team and robot permissions with role dropdowns; visibility; the state (Normal,
// Read-only, Mirror); events and notifications; delete.
import { useState } from "react";
import { Button, Divider, Form, Split, SplitItem, Switch, Title } from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { useNavigate } from "react-router-dom";
import { ConfirmByTypingModal } from "../../components/ConfirmByTypingModal";
import { EntityAvatar } from "../../components/EntityAvatar";
import { EntityPicker, type PickedEntity } from "../../components/EntityPicker";
import { RoleSelect } from "../../components/RoleSelect";
import { EmptyView, ErrorAlert, QueryState } from "../../components/States";
import {
  ROLES,
  useRepositoryMutations,
  useRepositoryPermissions,
  type RepositoryDetails,
  type Role,
} from "../../hooks/repositories";
import { links } from "../paths";
import { useAction } from "../../hooks/useAction";
import { RepositoryNotifications } from "./RepositoryNotifications";
import { RepositoryStateSection } from "./Mirroring/RepositoryStateSection";

export function RepositorySettings({ repository: repo }: { repository: RepositoryDetails }) {
  const { result, refetch } = useRepositoryPermissions(repo.namespace, repo.name);
  const m = useRepositoryMutations();
  const navigate = useNavigate();
  const [picked, setPicked] = useState<PickedEntity>({ kind: "user", name: "" });
  const [role, setRole] = useState<Role>("read");
  const [deleting, setDeleting] = useState(false);
  const base = { namespace: repo.namespace, name: repo.name };
  const { error, run } = useAction(refetch);
  return (
    <>
      <Title headingLevel="h2" size="lg">
        Repository permissions
      </Title>
      <ErrorAlert error={error} />
      <Form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await m.setPermission({ ...base, kind: picked.kind, entity: picked.name.trim(), role });
            setPicked({ ...picked, name: "" });
          });
        }}
        style={{ margin: "1rem 0" }}
      >
        <Split hasGutter isWrappable>
          <SplitItem isFilled>
            <EntityPicker
              label="Add permission for"
              value={picked}
              onChange={setPicked}
              namespace={repo.isOrganization ? repo.namespace : null}
              kinds={repo.isOrganization ? ["user", "team", "robot"] : ["user", "robot"]}
            />
          </SplitItem>
          <SplitItem style={{ alignSelf: "flex-end" }}>
            <RoleSelect value={role} roles={ROLES} onChange={setRole} ariaLabel="Role to grant" />
          </SplitItem>
          <SplitItem style={{ alignSelf: "flex-end" }}>
            <Button type="submit" variant="secondary" isDisabled={!picked.name.trim()}>
              Add permission
            </Button>
          </SplitItem>
        </Split>
      </Form>
      <QueryState result={result}>
        {({ repository: r }) =>
          r.permissions.length === 0 ? (
            <EmptyView title="No permissions granted" />
          ) : (
            <Table aria-label="Repository permissions" variant="compact">
              <Thead>
                <Tr>
                  <Th>Account</Th>
                  <Th>Kind</Th>
                  <Th>Permission</Th>
                  <Th screenReaderText="Actions" />
                </Tr>
              </Thead>
              <Tbody>
                {r.permissions.map((p) => (
                  <Tr key={`${p.entity.kind}:${p.entity.name}`}>
                    <Td dataLabel="Account">
                      <EntityAvatar avatar={p.entity.avatar} /> {p.entity.name}
                    </Td>
                    <Td dataLabel="Kind">{p.entity.kind}</Td>
                    <Td dataLabel="Permission">
                      <RoleSelect
                        value={p.role}
                        roles={ROLES}
                        ariaLabel={`Permission of ${p.entity.name}`}
                        onChange={(next) =>
                          run(() =>
                            m.setPermission({
                              ...base,
                              kind: p.entity.kind,
                              entity: p.entity.name,
                              role: next,
                            }),
                          )
                        }
                      />
                    </Td>
                    <Td isActionCell>
                      <Button
                        variant="link"
                        isDanger
                        aria-label={`Remove permission of ${p.entity.name}`}
                        onClick={() =>
                          run(() =>
                            m.removePermission({ ...base, kind: p.entity.kind, entity: p.entity.name }),
                          )
                        }
                      >
                        Remove
                      </Button>
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          )
        }
      </QueryState>
      <Divider style={{ margin: "2rem 0" }} />
      <Title headingLevel="h2" size="lg">
        Visibility
      </Title>
      <Switch
        id="repo-visibility"
        label="Public: anyone can pull"
        isChecked={repo.visibility === "public"}
        onChange={(_e, on) => run(() => m.update({ ...base, visibility: on ? "public" : "private" }))}
        style={{ margin: "1rem 0" }}
      />
      <Divider style={{ margin: "2rem 0" }} />
      <RepositoryStateSection repository={repo} />
      <Divider style={{ margin: "2rem 0" }} />
      <RepositoryNotifications repository={repo} />
      <Divider style={{ margin: "2rem 0" }} />
      <Title headingLevel="h2" size="lg">
        Delete repository
      </Title>
      <p>Deletes the repository and all of its tags.</p>
      <Button variant="danger" onClick={() => setDeleting(true)} style={{ marginTop: "1rem" }}>
        Delete repository
      </Button>
      <ConfirmByTypingModal
        title={`Delete repository ${repo.fullName}?`}
        isOpen={deleting}
        expected={repo.name}
        onClose={() => setDeleting(false)}
        onConfirm={async () => {
          await m.remove(repo.namespace, repo.name);
          navigate(links.namespaceRepositories(repo.namespace));
        }}
      >
        <p>This cannot be undone.</p>
      </ConfirmByTypingModal>
    </>
  );
}
