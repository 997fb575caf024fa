// Roles on many repositories of one namespace at once (team and robot wizards, robot permissions): a role
// dropdown per repository, and a bulk action that sets one role on every selected repository.
import { useState } from "react";
import {
  Button,
  FormSelect,
  FormSelectOption,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { ROLES, useRepositories, type Role } from "../hooks/repositories";
import { EmptyView, QueryState } from "./States";

export type RoleChoices = Record<string, Role | "none">;

const CHOICES: { value: Role | "none"; label: string }[] = [
  { value: "none", label: "None" },
  ...ROLES.map((r) => ({ value: r, label: r.charAt(0).toUpperCase() + r.slice(1) })),
];

function ChoiceSelect({
  value,
  onChange,
  ariaLabel,
}: {
  value: Role | "none";
  onChange: (v: Role | "none") => void;
  ariaLabel: string;
}) {
  return (
    <FormSelect
      aria-label={ariaLabel}
      value={value}
      onChange={(_e, v) => onChange(v as Role | "none")}
      style={{ minWidth: "8rem" }}
    >
      {CHOICES.map((c) => (
        <FormSelectOption key={c.value} value={c.value} label={c.label} />
      ))}
    </FormSelect>
  );
}

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
  const [selected, setSelected] = useState(new Set<string>());
  const [bulkRole, setBulkRole] = useState<Role | "none">("read");
  const select = (names: string[], on: boolean) =>
    setSelected((s) => {
      const n = new Set(s);
      for (const name of names) {
        if (on) n.add(name);
        else n.delete(name);
      }
      return n;
    });
  const applyToSelected = () => {
    onChange({ ...value, ...Object.fromEntries([...selected].map((r) => [r, bulkRole])) });
    setSelected(new Set());
  };
  return (
    <QueryState result={result}>
      {(data) => {
        const names = data.repositories.edges.map((e) => e.node.name);
        if (names.length === 0) return <EmptyView title={`No repositories in ${namespace} yet`} />;
        return (
          <>
            <Toolbar>
              <ToolbarContent>
                <ToolbarItem>
                  <ChoiceSelect
                    value={bulkRole}
                    onChange={setBulkRole}
                    ariaLabel="Role for the selected repositories"
                  />
                </ToolbarItem>
                <ToolbarItem>
                  <Button variant="secondary" isDisabled={selected.size === 0} onClick={applyToSelected}>
                    Apply to selected{selected.size ? ` (${selected.size})` : ""}
                  </Button>
                </ToolbarItem>
              </ToolbarContent>
            </Toolbar>
            <Table aria-label="Repository permissions" variant="compact">
              <Thead>
                <Tr>
                  <Th
                    select={{
                      onSelect: (_e, on) => select(names, on),
                      isSelected: names.every((n) => selected.has(n)),
                    }}
                    aria-label="Select all repositories"
                  />
                  <Th>Repository</Th>
                  <Th>Permission</Th>
                </Tr>
              </Thead>
              <Tbody>
                {names.map((name, i) => (
                  <Tr key={name}>
                    <Td
                      select={{
                        rowIndex: i,
                        onSelect: (_e, on) => select([name], on),
                        isSelected: selected.has(name),
                      }}
                    />
                    <Td dataLabel="Repository">{name}</Td>
                    <Td dataLabel="Permission">
                      <ChoiceSelect
                        value={value[name] ?? "none"}
                        onChange={(v) => onChange({ ...value, [name]: v })}
                        ariaLabel={`Permission on ${name}`}
                      />
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          </>
        );
      }}
    </QueryState>
  );
}

/** The chosen roles, without "none". */
export const chosenRoles = (v: RoleChoices) =>
  Object.entries(v).filter((e): e is [string, Role] => e[1] !== "none");
