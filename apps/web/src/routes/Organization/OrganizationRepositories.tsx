import { useState } from "react";
import { Button, ToolbarItem } from "@patternfly/react-core";
import { useNavigate } from "react-router-dom";
import { ListToolbar } from "../../components/ListToolbar";
import { EmptyView, ErrorAlert, QueryState } from "../../components/States";
import { useCursorPaging } from "../../hooks/useCursorPaging";
import { useRepositories } from "../../hooks/repositories";
import { links } from "../paths";
import { CreateRepositoryModal } from "../Repositories/CreateRepositoryModal";
import { RepositoryTable } from "../Repositories/RepositoryTable";

export function OrganizationRepositories({ organization }: { organization: string }) {
  const paging = useCursorPaging(20);
  const { result } = useRepositories({ namespace: organization, ...paging.variables });
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const navigate = useNavigate();
  return (
    <>
      <ListToolbar paging={paging} connection={result.data?.repositories}>
        <ToolbarItem>
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create repository
          </Button>
        </ToolbarItem>
      </ListToolbar>
      <ErrorAlert error={error} />
      <QueryState result={result}>
        {(data) =>
          data.repositories.edges.length === 0 ? (
            <EmptyView title="No repositories in this organization yet" />
          ) : (
            <RepositoryTable repositories={data.repositories.edges.map((e) => e.node)} onError={setError} />
          )
        }
      </QueryState>
      <CreateRepositoryModal
        isOpen={creating}
        defaultNamespace={organization}
        onClose={() => setCreating(false)}
        onCreated={(ns, name) => navigate(links.repository(ns, name))}
      />
    </>
  );
}
