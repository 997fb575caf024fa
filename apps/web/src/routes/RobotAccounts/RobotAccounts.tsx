// Robot accounts of a namespace (an organization's tab, and the user's own in account settings).
import { useState } from "react";
import { Button, Label, LabelGroup, Toolbar, ToolbarContent, ToolbarItem } from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { RowActions } from "../../components/RowActions";
import { ConfirmByTypingModal } from "../../components/ConfirmByTypingModal";
import { EmptyView, QueryState } from "../../components/States";
import { Time } from "../../components/Time";
import { useRobotMutations, useRobots } from "../../hooks/robots";
import { useSystem } from "../../hooks/useSystem";
import { CreateRobotWizard } from "./CreateRobotWizard";
import { RobotCredentialsModal } from "./RobotCredentialsModal";
import { RobotPermissionsModal } from "./RobotPermissionsModal";

export function RobotAccounts({ namespace, isOrganization }: { namespace: string; isOrganization: boolean }) {
  const { result, refetch } = useRobots(namespace);
  const { remove } = useRobotMutations();
  const { system } = useSystem();
  const [creating, setCreating] = useState(false);
  const [credentials, setCredentials] = useState<string | null>(null);
  const [permissions, setPermissions] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const allowed = system?.features.robotsAllowed !== false;
  return (
    <>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <Button variant="primary" onClick={() => setCreating(true)} isDisabled={!allowed}>
              Create robot account
            </Button>
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <QueryState result={result} errorTitle="Could not load robot accounts">
        {({ robots }) =>
          robots.length === 0 ? (
            <EmptyView title="No robot accounts">
              Robot accounts let scripts and CI push and pull without a person's password.
            </EmptyView>
          ) : (
            <Table aria-label="Robot accounts" variant="compact">
              <Thead>
                <Tr>
                  <Th>Robot account</Th>
                  <Th>Description</Th>
                  {isOrganization && <Th>Teams</Th>}
                  <Th>Repositories</Th>
                  <Th>Created</Th>
                  <Th>Last used</Th>
                  <Th screenReaderText="Actions" />
                </Tr>
              </Thead>
              <Tbody>
                {robots.map((r) => (
                  <Tr key={r.name}>
                    <Td dataLabel="Robot account">
                      <Button variant="link" isInline onClick={() => setCredentials(r.name)}>
                        {r.name}
                      </Button>
                    </Td>
                    <Td dataLabel="Description">{r.description || "—"}</Td>
                    {isOrganization && (
                      <Td dataLabel="Teams">
                        <LabelGroup>
                          {r.teams.map((t) => (
                            <Label key={t} isCompact color="blue">
                              {t}
                            </Label>
                          ))}
                        </LabelGroup>
                      </Td>
                    )}
                    <Td dataLabel="Repositories">
                      <Button variant="link" isInline onClick={() => setPermissions(r.name)}>
                        {r.repositories.length} repositor{r.repositories.length === 1 ? "y" : "ies"}
                      </Button>
                    </Td>
                    <Td dataLabel="Created">
                      <Time value={r.createdAt} />
                    </Td>
                    <Td dataLabel="Last used">
                      <Time value={r.lastUsedAt} empty="never" />
                    </Td>
                    <Td isActionCell>
                      <RowActions
                        label={`Actions for ${r.name}`}
                        items={[
                          { title: "View credentials", onClick: () => setCredentials(r.name) },
                          { title: "Set repository permissions", onClick: () => setPermissions(r.name) },
                          { title: "Delete", onClick: () => setDeleting(r.name) },
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
      <CreateRobotWizard
        namespace={namespace}
        isOrganization={isOrganization}
        isOpen={creating}
        onClose={() => setCreating(false)}
        onCreated={(name) => {
          refetch();
          setCredentials(name);
        }}
      />
      <RobotCredentialsModal name={credentials} onClose={() => setCredentials(null)} />
      {permissions && (
        <RobotPermissionsModal
          namespace={namespace}
          robot={result.data?.robots.find((r) => r.name === permissions) ?? null}
          onClose={() => {
            setPermissions(null);
            refetch();
          }}
        />
      )}
      <ConfirmByTypingModal
        title={`Delete robot account ${deleting ?? ""}?`}
        isOpen={deleting !== null}
        expected={deleting ?? ""}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          await remove(deleting!);
          refetch();
        }}
      >
        <p>Its token stops working at once, and its permissions are removed.</p>
      </ConfirmByTypingModal>
    </>
  );
}
