// One build (`/repository/<namespace>/<name>/-/build/<id>`): its phase, tags and source, how long each
// phase took, Cancel while it is unfinished, and its log as it happens (followed over graphql-ws).
import { useEffect } from "react";
import {
  Alert,
  Breadcrumb,
  BreadcrumbItem,
  Button,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Flex,
  Grid,
  GridItem,
  PageBreadcrumb,
  PageSection,
  Timestamp,
  TimestampTooltipVariant,
  Title,
} from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { Link } from "react-router-dom";
import { CopyField } from "../../../components/CopyField";
import { ErrorAlert, QueryState } from "../../../components/States";
import { Time } from "../../../components/Time";
import { errorCode, errorMessage } from "../../../api/errors";
import { isTerminal, useBuild, useBuildLog, useBuildMutations, type Build } from "../../../hooks/builds";
import { useRepository, viewerCanWrite } from "../../../hooks/repositories";
import { usePolling } from "../../../hooks/security";
import { useAction } from "../../../hooks/useAction";
import { NotFound } from "../../NotFound/NotFound";
import { links, RoutePath } from "../../paths";
import { BuildLogView } from "./BuildLogView";
import { CommitCell, startedBy, TagLabels } from "./BuildsTab";
import { buildDuration, formatDuration, PhaseLabel } from "./phases";

/** Each phase the build entered, when, and how long until the next one (or the end, or now). */
function PhaseTimings({ build }: { build: Build }) {
  const end = build.completedAt ? new Date(build.completedAt).getTime() : null;
  return (
    <Table aria-label="Phase timings" variant="compact">
      <Thead>
        <Tr>
          <Th modifier="wrap">Phase</Th>
          <Th modifier="wrap">Entered</Th>
          <Th modifier="wrap">Duration</Th>
        </Tr>
      </Thead>
      <Tbody>
        {build.phases.map((p, i) => {
          const from = new Date(p.at).getTime();
          const next = build.phases[i + 1];
          const to = next ? new Date(next.at).getTime() : isTerminal(p.phase) ? null : (end ?? Date.now());
          return (
            <Tr key={`${p.phase}-${p.at}`}>
              <Td dataLabel="Phase">
                <PhaseLabel phase={p.phase} />
              </Td>
              <Td dataLabel="Entered">
                <Timestamp date={new Date(p.at)} tooltip={{ variant: TimestampTooltipVariant.default }}>
                  {new Date(p.at).toLocaleTimeString()}
                </Timestamp>
              </Td>
              <Td dataLabel="Duration">{to === null ? "—" : formatDuration(to - from)}</Td>
            </Tr>
          );
        })}
      </Tbody>
    </Table>
  );
}

function Detail({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <DescriptionListGroup>
      <DescriptionListTerm>{term}</DescriptionListTerm>
      <DescriptionListDescription>{children}</DescriptionListDescription>
    </DescriptionListGroup>
  );
}

function BuildDetails({ build: b }: { build: Build }) {
  const ms = buildDuration(b);
  return (
    <DescriptionList isCompact columnModifier={{ default: "1Col", md: "2Col", xl: "3Col" }}>
      <Detail term="Triggered by">{startedBy(b)}</Detail>
      <Detail term="Commit">
        <CommitCell build={b} />
      </Detail>
      <Detail term="Tags">
        <TagLabels tags={b.tags} />
      </Detail>
      <Detail term="Source">
        {b.archiveUrl ?? (b.trigger ? (b.trigger.buildSource ?? "—") : "Uploaded file")}
      </Detail>
      <Detail term="Dockerfile">{b.dockerfilePath}</Detail>
      <Detail term="Context">{b.context}</Detail>
      <Detail term="Pull robot">{b.pullRobot ?? "(None)"}</Detail>
      <Detail term="Created">
        <Time value={b.createdAt} />
      </Detail>
      <Detail term="Started">
        <Time value={b.startedAt} />
      </Detail>
      <Detail term="Completed">
        <Time value={b.completedAt} />
      </Detail>
      <Detail term="Duration">{ms === null ? "—" : formatDuration(ms)}</Detail>
      {b.manifestDigest && (
        <Detail term="Manifest digest">
          <CopyField value={b.manifestDigest} label="Manifest digest" />
        </Detail>
      )}
    </DescriptionList>
  );
}

export function BuildPage({ namespace, name, id }: { namespace: string; name: string; id: string }) {
  const repository = `${namespace}/${name}`;
  const { result, refetch } = useBuild(repository, id);
  const repo = useRepository(namespace, name).result.data?.repository;
  const log = useBuildLog(repository, id);
  const m = useBuildMutations(repository);
  const { error, run } = useAction(refetch);
  // Each phase the log tells of is asked for again: timings, completion, the error and the digest.
  useEffect(() => {
    if (log.phase) refetch();
  }, [log.phase, refetch]);
  // Without the live log (no socket) the build itself is asked for again until it ends.
  const current = result.data?.build;
  usePolling(!!current && log.loaded && !log.live && !isTerminal(current.phase), refetch);
  if (errorCode(result.error) === "NOT_FOUND")
    return <NotFound what="build" message={errorMessage(result.error)} />;
  return (
    <>
      <PageBreadcrumb>
        <Breadcrumb>
          <BreadcrumbItem render={() => <Link to={RoutePath.Repositories}>Repositories</Link>} />
          <BreadcrumbItem
            render={() => <Link to={links.repository(namespace, name, "builds")}>{repository}</Link>}
          />
          <BreadcrumbItem isActive>Build {id.slice(0, 8)}</BreadcrumbItem>
        </Breadcrumb>
      </PageBreadcrumb>
      <QueryState result={result} errorTitle="Could not load the build">
        {({ build }) => {
          // The stored phase once it is final; before that the newest the live log told of.
          const phase = isTerminal(build.phase) ? build.phase : (log.phase ?? build.phase);
          return (
            <>
              <PageSection>
                <Flex alignItems={{ default: "alignItemsCenter" }}>
                  <Title headingLevel="h1">Build {build.id.slice(0, 8)}</Title>
                  <span role="status" aria-label="Build phase">
                    <PhaseLabel phase={phase} compact={false} />
                  </span>
                  {!isTerminal(phase) && viewerCanWrite(repo) && (
                    <Button variant="danger" onClick={() => run(() => m.cancel(build.id))}>
                      Cancel build
                    </Button>
                  )}
                </Flex>
                <ErrorAlert error={error} title="The build was not cancelled" />
                {build.error && (
                  <Alert variant="danger" isInline title="The build failed" style={{ marginTop: "1rem" }}>
                    {build.error}
                  </Alert>
                )}
              </PageSection>
              <PageSection>
                <Grid hasGutter>
                  <GridItem xl2={8}>
                    <Card isFullHeight component="section" aria-label="Build details">
                      <CardTitle>Details</CardTitle>
                      <CardBody>
                        <BuildDetails build={build} />
                      </CardBody>
                    </Card>
                  </GridItem>
                  <GridItem xl2={4}>
                    <Card isFullHeight component="section" aria-label="Build phases">
                      <CardTitle>Phases</CardTitle>
                      <CardBody>
                        <PhaseTimings build={build} />
                      </CardBody>
                    </Card>
                  </GridItem>
                </Grid>
              </PageSection>
              <PageSection>
                <Title headingLevel="h2" size="lg">
                  Build log
                </Title>
                <ErrorAlert error={log.error} title="Could not load the log" />
                <BuildLogView
                  buildId={build.id}
                  phase={phase}
                  lines={log.lines}
                  live={log.live}
                  loaded={log.loaded}
                  truncated={build.logsTruncated}
                />
              </PageSection>
            </>
          );
        }}
      </QueryState>
    </>
  );
}
