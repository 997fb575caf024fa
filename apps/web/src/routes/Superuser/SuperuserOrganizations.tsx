import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { Link } from "react-router-dom";
import { EntityAvatar } from "../../components/EntityAvatar";
import { ListSearch, ListToolbar } from "../../components/ListToolbar";
import { EmptyView, QueryState } from "../../components/States";
import { Time } from "../../components/Time";
import { useAllOrganizations } from "../../hooks/superuser";
import { useListFilter } from "../../hooks/useListFilter";
import { links } from "../paths";

export function SuperuserOrganizations() {
  const filter = useListFilter(50);
  const result = useAllOrganizations({ filter: filter.debounced || null, ...filter.paging.variables });
  return (
    <>
      <ListToolbar paging={filter.paging} connection={result.data?.allOrganizations}>
        <ListSearch filter={filter} label="Filter organizations" />
      </ListToolbar>
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
