// A repository's Builds tab (seed 001 ch. 7): the build history, newest first and asked again while a build
// is unfinished, the "Start new build" modal for writers and, for admins, the build triggers.
import { useState } from "react";
import {
  Button,
  Content,
  Label,
  LabelGroup,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { Link, useNavigate } from "react-router-dom";
import { EmptyView, QueryState } from "../../../components/States";
import { Time } from "../../../components/Time";
import { useRepositoryBuilds, type Build } from "../../../hooks/builds";
import { viewerCanWrite, type RepositoryDetails } from "../../../hooks/repositories";
import { links } from "../../paths";
import { BuildTriggers } from "./BuildTriggers";
import { buildDuration, commitOf, formatDuration, PhaseLabel, refOf, triggerName } from "./phases";
import { StartBuildModal } from "./StartBuildModal";

/** The commit's short SHA, linking to the source's page of it when the push said where that is. */
export function CommitCell({ build }: { build: Build }) {
  const commit = commitOf(build);
  if (!commit) return <>—</>;
  const sha = <code>{commit.sha}</code>;
  const ref = refOf(build);
  return (
    <>
      {commit.url ? (
        <a href={commit.url} target="_blank" rel="noreferrer" aria-label={`Commit ${commit.sha}`}>
          {sha}
        </a>
      ) : (
        sha
      )}
      {ref && <Content component="small"> {ref}</Content>}
    </>
  );
}

/** Who or what started the build: the trigger ("Push to repository …") or the user who started it. */
export function startedBy(b: Build): string {
  if (b.trigger) return `${triggerName(b.trigger)}${b.manualUser ? ` (run by ${b.manualUser})` : ""}`;
  return b.manualUser ? `Manually started by ${b.manualUser}` : "Manually started";
}

export function TagLabels({ tags }: { tags: string[] }) {
  return (
    <LabelGroup numLabels={5} aria-label="Tags">
      {tags.map((t) => (
        <Label key={t} isCompact color="blue">
          {t}
        </Label>
      ))}
    </LabelGroup>
  );
}

function BuildHistory({ namespace, name, builds }: { namespace: string; name: string; builds: Build[] }) {
  return (
    <Table aria-label="Builds" variant="compact">
      <Thead>
        <Tr>
          <Th modifier="wrap">Build</Th>
          <Th modifier="wrap">Status</Th>
          <Th modifier="wrap">Triggered by</Th>
          <Th modifier="wrap">Commit</Th>
          <Th modifier="wrap">Tags</Th>
          <Th modifier="wrap">Started</Th>
          <Th modifier="wrap">Duration</Th>
        </Tr>
      </Thead>
      <Tbody>
        {builds.map((b) => {
          const ms = buildDuration(b);
          return (
            <Tr key={b.id}>
              <Td dataLabel="Build">
                <Link to={links.build(namespace, name, b.id)} aria-label={`Build ${b.id}`}>
                  <code>{b.id.slice(0, 8)}</code>
                </Link>{" "}
                <Content component="small">{b.displayName}</Content>
              </Td>
              <Td dataLabel="Status">
                <PhaseLabel phase={b.phase} />
              </Td>
              <Td dataLabel="Triggered by" modifier="breakWord">
                {startedBy(b)}
              </Td>
              <Td dataLabel="Commit">
                <CommitCell build={b} />
              </Td>
              <Td dataLabel="Tags">
                <TagLabels tags={b.tags} />
              </Td>
              <Td dataLabel="Started">
                <Time value={b.startedAt ?? b.createdAt} />
              </Td>
              <Td dataLabel="Duration">{ms === null ? "—" : formatDuration(ms)}</Td>
            </Tr>
          );
        })}
      </Tbody>
    </Table>
  );
}

export function BuildsTab({ repository: repo }: { repository: RepositoryDetails }) {
  const fullName = `${repo.namespace}/${repo.name}`;
  const { result, refetch } = useRepositoryBuilds(fullName);
  const [starting, setStarting] = useState(false);
  const navigate = useNavigate();
  const canWrite = viewerCanWrite(repo);
  const isAdmin = repo.viewerRole === "admin";
  return (
    <>
      <section aria-label="Repository builds">
        <Title headingLevel="h2" size="lg">
          Repository builds
        </Title>
        {canWrite && (
          <Toolbar>
            <ToolbarContent>
              <ToolbarItem>
                <Button
                  variant="primary"
                  onClick={() => setStarting(true)}
                  isDisabled={repo.state === "mirror"}
                >
                  Start new build
                </Button>
              </ToolbarItem>
            </ToolbarContent>
          </Toolbar>
        )}
        <QueryState result={result} errorTitle="Could not load the builds">
          {({ repositoryBuilds }) =>
            repositoryBuilds.length === 0 ? (
              <EmptyView title="No builds">
                No builds have been run for this repository yet. Start one from a Dockerfile or an archive, or
                set up a build trigger.
              </EmptyView>
            ) : (
              <BuildHistory namespace={repo.namespace} name={repo.name} builds={repositoryBuilds} />
            )
          }
        </QueryState>
      </section>
      {isAdmin && <BuildTriggers namespace={repo.namespace} name={repo.name} onBuildStarted={refetch} />}
      <StartBuildModal
        namespace={repo.namespace}
        repository={fullName}
        isOpen={starting}
        onClose={() => setStarting(false)}
        onStarted={(b) => {
          refetch();
          navigate(links.build(repo.namespace, repo.name, b.id));
        }}
      />
    </>
  );
}
