import { useState } from "react";
import {
  PageSection,
  SearchInput,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from "@patternfly/react-core";
import { CursorPagination } from "../../components/CursorPagination";
import { EmptyView, QueryState } from "../../components/States";
import { useCursorPaging } from "../../hooks/useCursorPaging";
import { useDebounced } from "../../hooks/useDebounced";
import { useRepositories } from "../../hooks/repositories";
import { useViewer } from "../../hooks/session";
import { RepositoryTable } from "../Repositories/RepositoryTable";

export function Explore() {
  const [search, setSearch] = useState("");
  const debounced = useDebounced(search.trim());
  const paging = useCursorPaging(20);
  const { viewer } = useViewer();
  const { result } = useRepositories({ publicOnly: true, search: debounced || null, ...paging.variables });
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Explore public repositories</Title>
      </PageSection>
      <PageSection>
        <Toolbar>
          <ToolbarContent>
            <ToolbarItem>
              <SearchInput
                aria-label="Search public repositories"
                placeholder="Search by name or description"
                value={search}
                onChange={(_e, v) => {
                  setSearch(v);
                  paging.reset();
                }}
                onClear={() => setSearch("")}
              />
            </ToolbarItem>
            <ToolbarItem variant="pagination" align={{ default: "alignEnd" }}>
              <CursorPagination paging={paging} connection={result.data?.repositories} />
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
        <QueryState result={result} errorTitle="Could not search">
          {(data) =>
            data.repositories.edges.length === 0 ? (
              <EmptyView title={debounced ? "No public repository matches" : "No public repositories yet"} />
            ) : (
              <RepositoryTable
                repositories={data.repositories.edges.map((e) => e.node)}
                showStar={!!viewer}
              />
            )
          }
        </QueryState>
      </PageSection>
    </>
  );
}
