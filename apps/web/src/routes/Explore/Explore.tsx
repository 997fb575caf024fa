import { PageSection, Title } from "@patternfly/react-core";
import { ListSearch, ListToolbar } from "../../components/ListToolbar";
import { useState } from "react";
import { EmptyView, ErrorAlert, QueryState } from "../../components/States";
import { useListFilter } from "../../hooks/useListFilter";
import { useRepositories } from "../../hooks/repositories";
import { useViewer } from "../../hooks/session";
import { RepositoryTable } from "../Repositories/RepositoryTable";

export function Explore() {
  const search = useListFilter(20);
  const { debounced, paging } = search;
  const { viewer } = useViewer();
  // A star that fails says why instead of leaving the button as it was.
  const [error, setError] = useState<string | null>(null);
  const { result } = useRepositories({ publicOnly: true, search: debounced || null, ...paging.variables });
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Explore public repositories</Title>
      </PageSection>
      <PageSection>
        <ListToolbar paging={paging} connection={result.data?.repositories}>
          <ListSearch
            filter={search}
            label="Search public repositories"
            placeholder="Search by name or description"
          />
        </ListToolbar>
        <ErrorAlert error={error} />
        <QueryState result={result} errorTitle="Could not search">
          {(data) =>
            data.repositories.edges.length === 0 ? (
              <EmptyView title={debounced ? "No public repository matches" : "No public repositories yet"} />
            ) : (
              <RepositoryTable
                repositories={data.repositories.edges.map((e) => e.node)}
                showStar={!!viewer}
                onError={setError}
              />
            )
          }
        </QueryState>
      </PageSection>
    </>
  );
}
