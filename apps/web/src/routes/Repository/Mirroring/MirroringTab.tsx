// A repository's Mirroring tab (FEATURE_REPO_MIRROR, repository admins; seed 001 §17.4.9): without a mirror,
// the form that sets one up (the repository's state becomes Mirror); with one, its status with "Sync now"
// and "Cancel sync", the configuration to change, and the sync history with each sync's log. Asked again
// while a sync is queued or running, so status and history follow it without a reload.
import { Alert, Title } from "@patternfly/react-core";
import { Link } from "react-router-dom";
import { QueryState } from "../../../components/States";
import { useMirrorMutations, useRepositoryMirror } from "../../../hooks/mirroring";
import { useRepository, type RepositoryDetails } from "../../../hooks/repositories";
import { links } from "../../paths";
import { MirrorForm } from "./MirrorForm";
import { MirrorStatus } from "./MirrorStatus";
import { initialValues, toCreateInput, toUpdateInput } from "./mirrorValues";
import { STATE_LABELS } from "./RepositoryStateSection";
import { SyncHistory } from "./SyncHistory";

export function MirroringTab({ repository: repo }: { repository: RepositoryDetails }) {
  const fullName = `${repo.namespace}/${repo.name}`;
  const { result, refetch } = useRepositoryMirror(repo.namespace, repo.name);
  const mutations = useMirrorMutations(fullName);
  // The repository page's own query: creating a mirror changes the repository's state.
  const { refetch: refetchRepository } = useRepository(repo.namespace, repo.name);
  return (
    <section aria-label="Repository mirroring">
      <Title headingLevel="h2" size="lg" style={{ marginBottom: "1rem" }}>
        Repository mirroring
      </Title>
      <QueryState result={result} errorTitle="Could not load the mirror configuration">
        {({ repository: r }) => {
          const m = r.mirror;
          if (!m)
            return (
              <>
                <Alert
                  variant="info"
                  isInline
                  title="This repository is not a mirror"
                  style={{ marginBottom: "1rem", maxWidth: "48rem" }}
                >
                  Setting up a mirror changes the repository&apos;s state to Mirror: its tags then follow the
                  external repository, and only the robot user may write to it. Tags that the external
                  repository does not have are deleted by the first sync.
                </Alert>
                <MirrorForm
                  namespace={repo.namespace}
                  initial={initialValues(null)}
                  submitLabel="Enable mirror"
                  onSubmit={async (v) => {
                    await mutations.create(toCreateInput(v));
                    refetch();
                    refetchRepository();
                  }}
                />
              </>
            );
          const isMirrorState = r.state === "mirror";
          return (
            <>
              {!isMirrorState && (
                <Alert
                  variant="warning"
                  isInline
                  title={`The repository's state is ${STATE_LABELS[r.state] ?? r.state}`}
                  style={{ marginBottom: "1rem" }}
                >
                  Syncs run only while the state is Mirror. Change it in the repository&apos;s{" "}
                  <Link to={links.repository(repo.namespace, repo.name, "settings")}>settings</Link>.
                </Alert>
              )}
              <MirrorStatus
                repository={fullName}
                mirror={m}
                isMirrorState={isMirrorState}
                onChanged={refetch}
              />
              <Title headingLevel="h3" size="md" style={{ marginBottom: "1rem" }}>
                Configuration
              </Title>
              <MirrorForm
                namespace={repo.namespace}
                initial={initialValues(m)}
                submitLabel="Save"
                isUpdate
                onSubmit={async (v) => {
                  const input = toUpdateInput(v, m);
                  if (Object.keys(input).length) await mutations.update(input);
                  refetch();
                }}
              />
              <SyncHistory syncs={m.syncs} />
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
