// Roles on many repositories of one namespace at once (team and robot wizards, robot permissions).
import { FormSelect, FormSelectOption } from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { ROLES, useRepositories, type Role } from "../hooks/repositories";
import { EmptyView, QueryState } from "./States";

export type RoleChoices = Record<string, Role | "none">;

export function RepositoryRolesEditor({
  namespace,
  value,
  onChange,
}: {
  namespace: string;
  value: RoleChoices;
  onChange: (v: RoleChoices) => void;
}) {
  const { result } = useRepositories({ namespace, first: 100 });
  return (
    <QueryState result={result}>
      {(data) =>
        data.repositories.edges.length === 0 ? (
          <EmptyView title={`No repositories in ${namespace} yet`} />
        ) : (
          <Table aria-label="Repository permissions" variant="compact">
            <Thead>
              <Tr>
                <Th>Repository</Th>
                <Th>Permission</Th>
              </Tr>
            </Thead>
            <Tbody>
              {data.repositories.edges.map(({ node: r }) => (
                <Tr key={r.name}>
                  <Td dataLabel="Repository">{r.name}</Td>
                  <Td dataLabel="Permission">
                    <FormSelect
                      aria-label={`Permission on ${r.name}`}
                      value={value[r.name] ?? "none"}
                      onChange={(_e, v) => onChange({ ...value, [r.name]: v as Role | "none" })}
                      style={{ minWidth: "8rem" }}
                    >
                      <FormSelectOption value="none" label="None" />
                      {ROLES.map((role) => (
                        <FormSelectOption
                          key={role}
                          value={role}
                          label={role.charAt(0).toUpperCase() + role.slice(1)}
                        />
                      ))}
                    </FormSelect>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )
      }
    </QueryState>
  );
}

/** The chosen roles, without "none". */
export const chosenRoles = (v: RoleChoices) =>
  Object.entries(v).filter((e): e is [string, Role] => e[1] !== "none");
