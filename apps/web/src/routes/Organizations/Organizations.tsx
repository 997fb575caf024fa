import { useState } from "react";
import {
  Button,
  PageSection,
  SearchInput,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { Link, useNavigate } from "react-router-dom";
import { EntityAvatar } from "../../components/EntityAvatar";
import { EmptyView, QueryState } from "../../components/States";
import { useMyOrganizations } from "../../hooks/organizations";
import { links } from "../paths";
import { CreateOrganizationModal } from "./CreateOrganizationModal";

export function Organizations() {
  const { result } = useMyOrganizations();
  const [filter, setFilter] = useState("");
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  const createButton = (
    <Button variant="primary" onClick={() => setCreating(true)}>
      Create organization
    </Button>
  );
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Organizations</Title>
      </PageSection>
      <PageSection>
        <QueryState result={result} errorTitle="Could not load organizations">
          {(data) => {
            const orgs = (data.viewer?.organizations ?? []).filter((o) => o.name.includes(filter.trim()));
            return (
              <>
                <Toolbar>
                  <ToolbarContent>
                    <ToolbarItem>
                      <SearchInput
                        aria-label="Filter organizations"
                        placeholder="Filter by name"
                        value={filter}
                        onChange={(_e, v) => setFilter(v)}
                        onClear={() => setFilter("")}
                      />
                    </ToolbarItem>
                    <ToolbarItem>{createButton}</ToolbarItem>
                  </ToolbarContent>
                </Toolbar>
                {orgs.length === 0 ? (
                  <EmptyView title={filter ? "No organization matches" : "You are in no organization yet"}>
                    Organizations group repositories, teams and robot accounts.
                  </EmptyView>
                ) : (
                  <Table aria-label="Organizations" variant="compact">
                    <Thead>
                      <Tr>
                        <Th>Name</Th>
                        <Th>Repositories</Th>
                        <Th>Teams</Th>
                        <Th>Members</Th>
                        <Th>Robots</Th>
                        <Th>Your role</Th>
                      </Tr>
                    </Thead>
                    <Tbody>
                      {orgs.map((o) => (
                        <Tr key={o.name}>
                          <Td dataLabel="Name">
                            <EntityAvatar avatar={o.avatar} />{" "}
                            <Link to={links.organization(o.name)}>{o.name}</Link>
                          </Td>
                          <Td dataLabel="Repositories">{o.counts.repositories}</Td>
                          <Td dataLabel="Teams">{o.counts.teams}</Td>
                          <Td dataLabel="Members">{o.counts.members}</Td>
                          <Td dataLabel="Robots">{o.counts.robots}</Td>
                          <Td dataLabel="Your role">{o.viewerRole ?? "—"}</Td>
                        </Tr>
                      ))}
                    </Tbody>
                  </Table>
                )}
              </>
            );
          }}
        </QueryState>
      </PageSection>
      <CreateOrganizationModal
        isOpen={creating}
        onClose={() => setCreating(false)}
        onCreated={(name) => navigate(links.organization(name))}
      />
    </>
  );
}
