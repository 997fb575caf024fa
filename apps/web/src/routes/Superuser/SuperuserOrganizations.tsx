import { useState } from "react";
import { SearchInput, Toolbar, ToolbarContent, ToolbarItem } from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { Link } from "react-router-dom";
import { CursorPagination } from "../../components/CursorPagination";
import { EntityAvatar } from "../../components/EntityAvatar";
import { EmptyView, QueryState } from "../../components/States";
import { Time } from "../../components/Time";
import { useCursorPaging } from "../../hooks/useCursorPaging";
import { useDebounced } from "../../hooks/useDebounced";
import { useAllOrganizations } from "../../hooks/superuser";
import { links } from "../paths";

export function SuperuserOrganizations() {
  const [filter, setFilter] = useState("");
  const debounced = useDebounced(filter.trim());
  const paging = useCursorPaging(50);
  const result = useAllOrganizations({ filter: debounced || null, ...paging.variables });
  return (
    <>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput
              aria-label="Filter organizations"
              value={filter}
              onChange={(_e, v) => {
                setFilter(v);
                paging.reset();
              }}
              onClear={() => setFilter("")}
            />
          </ToolbarItem>
          <ToolbarItem variant="pagination" align={{ default: "alignEnd" }}>
            <CursorPagination paging={paging} connection={result.data?.allOrganizations} />
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <QueryState result={result}>
        {(data) =>
          data.allOrganizations.edges.length === 0 ? (
            <EmptyView title="No organizations" />
          ) : (
            <Table aria-label="All organizations" variant="compact">
              <Thead>
                <Tr>
                  <Th>Name</Th>
                  <Th>E-mail</Th>
                  <Th>Repositories</Th>
                  <Th>Teams</Th>
                  <Th>Members</Th>
                  <Th>Robots</Th>
                  <Th>Created</Th>
                </Tr>
              </Thead>
              <Tbody>
                {data.allOrganizations.edges.map(({ node: o }) => (
                  <Tr key={o.name}>
                    <Td dataLabel="Name">
                      <EntityAvatar avatar={o.avatar} /> <Link to={links.organization(o.name)}>{o.name}</Link>
                    </Td>
                    <Td dataLabel="E-mail">{o.email ?? "—"}</Td>
                    <Td dataLabel="Repositories">{o.counts.repositories}</Td>
                    <Td dataLabel="Teams">{o.counts.teams}</Td>
                    <Td dataLabel="Members">{o.counts.members}</Td>
                    <Td dataLabel="Robots">{o.counts.robots}</Td>
                    <Td dataLabel="Created">
                      <Time value={o.createdAt} />
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          )
        }
      </QueryState>
    </>
  );
}
