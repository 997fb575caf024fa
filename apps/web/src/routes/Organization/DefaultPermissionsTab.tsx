// Default permissions: applied to every repository created in the organization, by anyone or by one user.
import { useState } from "react";
import {
  Button,
  FormGroup,
  Radio,
  TextInput,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { EntityAvatar } from "../../components/EntityAvatar";
import { EntityPicker, type PickedEntity } from "../../components/EntityPicker";
import { FormModal } from "../../components/FormModal";
import { RoleSelect } from "../../components/RoleSelect";
import { EmptyView, ErrorAlert, QueryState } from "../../components/States";
import { ROLES, type Role } from "../../hooks/repositories";
import { useDefaultPermissionMutations, useDefaultPermissions } from "../../hooks/teams";
import { useAction } from "../../hooks/useAction";

export function DefaultPermissionsTab({ organization }: { organization: string }) {
  const { result, refetch } = useDefaultPermissions(organization);
  const mutations = useDefaultPermissionMutations(organization);
  const [creating, setCreating] = useState(false);
  const [anyone, setAnyone] = useState(true);
  const [creator, setCreator] = useState("");
  const [delegate, setDelegate] = useState<PickedEntity>({ kind: "team", name: "" });
  const [role, setRole] = useState<Role>("read");
  const { error, run } = useAction(refetch);
  // Every new default permission starts from the same blank form.
  const openForm = () => {
    setAnyone(true);
    setCreator("");
    setDelegate({ kind: "team", name: "" });
    setRole("read");
    setCreating(true);
  };
  return (
    <>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <Button variant="primary" onClick={openForm}>
              Create default permission
            </Button>
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <ErrorAlert error={error} />
      <QueryState result={result} errorTitle="Could not load default permissions">
        {({ organization: org }) =>
          org.defaultPermissions.length === 0 ? (
            <EmptyView title="No default permissions">
              A default permission grants a user, team or robot a role on every new repository.
            </EmptyView>
          ) : (
            <Table aria-label="Default permissions" variant="compact">
              <Thead>
                <Tr>
                  <Th>Repository created by</Th>
                  <Th>Permission applied to</Th>
                  <Th>Permission</Th>
                  <Th screenReaderText="Actions" />
                </Tr>
              </Thead>
              <Tbody>
                {org.defaultPermissions.map((p) => (
                  <Tr key={p.id}>
                    <Td dataLabel="Repository created by">{p.creator ?? "Anyone"}</Td>
                    <Td dataLabel="Permission applied to">
                      <EntityAvatar avatar={p.delegate.avatar} /> {p.delegate.name} ({p.delegate.kind})
                    </Td>
                    <Td dataLabel="Permission">
                      <RoleSelect
                        value={p.role}
                        roles={ROLES}
                        ariaLabel={`Default permission for ${p.delegate.name}`}
                        onChange={(r) => run(() => mutations.update(p.id, r))}
                      />
                    </Td>
                    <Td isActionCell>
                      <Button
                        variant="link"
                        isDanger
                        aria-label={`Delete default permission for ${p.delegate.name}`}
                        onClick={() => run(() => mutations.remove(p.id))}
                      >
                        Delete
                      </Button>
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          )
        }
      </QueryState>
      <FormModal
        title="Create default permission"
        submitLabel="Create"
        variant="medium"
        isOpen={creating}
        onClose={() => setCreating(false)}
        canSubmit={!!delegate.name.trim() && (anyone || !!creator.trim())}
        onSubmit={async () => {
          await mutations.create({
            delegateKind: delegate.kind,
            delegate: delegate.name.trim(),
            role,
            creator: anyone ? null : creator.trim(),
          });
          refetch();
        }}
      >
        <FormGroup
          role="radiogroup"
          label="Applies to repositories created by"
          fieldId="default-perm-creator"
          isInline
        >
          <Radio
            id="default-perm-anyone"
            name="creator"
            label="Anyone"
            isChecked={anyone}
            onChange={() => setAnyone(true)}
          />
          <Radio
            id="default-perm-specific"
            name="creator"
            label="A specific user"
            isChecked={!anyone}
            onChange={() => setAnyone(false)}
          />
        </FormGroup>
        {!anyone && (
          <FormGroup label="Creator" fieldId="default-perm-creator-name">
            <TextInput id="default-perm-creator-name" value={creator} onChange={(_e, v) => setCreator(v)} />
          </FormGroup>
        )}
        <EntityPicker label="Applied to" value={delegate} onChange={setDelegate} namespace={organization} />
        <FormGroup label="Permission" fieldId="default-perm-role">
          <RoleSelect
            id="default-perm-role"
            value={role}
            roles={ROLES}
            onChange={setRole}
            ariaLabel="Permission"
          />
        </FormGroup>
      </FormModal>
    </>
  );
}
