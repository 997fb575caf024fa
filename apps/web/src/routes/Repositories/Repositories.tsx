import { useState } from "react";
import {
  Button,
  PageSection,
  Title,
  ToggleGroup,
  ToggleGroupItem,
  ToolbarItem,
} from "@patternfly/react-core";
import { useNavigate, useSearchParams } from "react-router-dom";
import { ConfirmByTypingModal } from "../../components/ConfirmByTypingModal";
import { ListSearch, ListToolbar } from "../../components/ListToolbar";
import { NamespaceSelect } from "../../components/NamespaceSelect";
import { EmptyView, ErrorAlert, QueryState } from "../../components/States";
import { useListFilter } from "../../hooks/useListFilter";
import { useRepositories, useRepositoryMutations } from "../../hooks/repositories";
import { links } from "../paths";
import { CreateRepositoryModal } from "./CreateRepositoryModal";
import { RepositoryTable } from "./RepositoryTable";

export function Repositories() {
  const [params, setParams] = useSearchParams();
  const namespace = params.get("namespace") ?? "";
  const starred = params.get("starred") === "1";
  const search = useListFilter(20);
  const { debounced, paging } = search;
  const { result, refetch } = useRepositories({
    namespace: namespace || null,
    starred: starred || null,
    // The user's own repositories (their namespaces, organizations and grants); others' public ones are
    // in Explore. Starred repositories may be anyone's.
    mine: starred ? null : true,
    search: debounced || null,
    ...paging.variables,
  });
  const { remove } = useRepositoryMutations();
  const navigate = useNavigate();
  const [selected, setSelected] = useState(new Set<string>());
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const setFilter = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
    paging.reset();
    setSelected(new Set());
  };
  const select = (fullName: string, on: boolean) =>
    setSelected((s) => {
      const n = new Set(s);
      if (on) n.add(fullName);
      else n.delete(fullName);
      return n;
    });
  const deleteSelected = async () => {
    for (const fullName of selected) {
      const [ns, ...rest] = fullName.split("/");
      await remove(ns!, rest.join("/"));
    }
    setSelected(new Set());
    refetch();
  };

  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Repositories</Title>
      </PageSection>
      <PageSection>
        <ListToolbar paging={paging} connection={result.data?.repositories}>
          <ToolbarItem>
            <NamespaceSelect
              id="repo-namespace-filter"
              ariaLabel="Filter by namespace"
              value={namespace}
              onChange={(v) => setFilter("namespace", v)}
              allLabel="All namespaces"
            />
          </ToolbarItem>
          <ListSearch filter={search} label="Search repositories" placeholder="Search by name" />
          <ToolbarItem>
            <ToggleGroup aria-label="Which repositories">
              <ToggleGroupItem text="All" isSelected={!starred} onChange={() => setFilter("starred", null)} />
              <ToggleGroupItem
                text="Starred"
                isSelected={starred}
                onChange={() => setFilter("starred", "1")}
              />
            </ToggleGroup>
          </ToolbarItem>
          <ToolbarItem>
            <Button variant="primary" onClick={() => setCreating(true)}>
              Create repository
            </Button>
          </ToolbarItem>
          <ToolbarItem>
            <Button variant="danger" isDisabled={selected.size === 0} onClick={() => setDeleting(true)}>
              Delete{selected.size ? ` (${selected.size})` : ""}
            </Button>
          </ToolbarItem>
        </ListToolbar>
        <ErrorAlert error={error} />
        <QueryState result={result} errorTitle="Could not load repositories">
          {(data) =>
            data.repositories.edges.length === 0 ? (
              <EmptyView
                title={debounced || starred ? "No repository matches" : "No repositories yet"}
                actions={
                  <Button variant="primary" onClick={() => setCreating(true)}>
                    Create repository
                  </Button>
                }
              >
                Create one here, or push an image: a push creates a private repository.
              </EmptyView>
            ) : (
              <RepositoryTable
                repositories={data.repositories.edges.map((e) => e.node)}
                selected={selected}
                onSelect={select}
                onError={setError}
              />
            )
          }
        </QueryState>
      </PageSection>
      <CreateRepositoryModal
        isOpen={creating}
        defaultNamespace={namespace}
        onClose={() => setCreating(false)}
        onCreated={(ns, name) => navigate(links.repository(ns, name))}
      />
      <ConfirmByTypingModal
        title={`Delete ${selected.size} repositor${selected.size === 1 ? "y" : "ies"}?`}
        isOpen={deleting}
        expected="confirm"
        onClose={() => setDeleting(false)}
        onConfirm={deleteSelected}
      >
        <p>These repositories and all their tags are deleted for good: {[...selected].join(", ")}.</p>
      </ConfirmByTypingModal>
    </>
  );
}
