import {
  Breadcrumb,
  BreadcrumbItem,
  Flex,
  PageBreadcrumb,
  PageSection,
  Tab,
  TabTitleText,
  Tabs,
  Title,
} from "@patternfly/react-core";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { LogsView } from "../../components/LogsView";
import { StarButton } from "../../components/StarButton";
import { QueryState } from "../../components/States";
import { VisibilityLabel } from "../../components/VisibilityLabel";
import { useBuildsFeature } from "../../hooks/builds";
import { useMirrorFeature } from "../../hooks/mirroring";
import { useRepository } from "../../hooks/repositories";
import { useViewer } from "../../hooks/session";
import { errorCode, errorMessage } from "../../api/errors";
import { NotFound } from "../NotFound/NotFound";
import { links, parseRepositorySplat, RoutePath } from "../paths";
import { BuildPage } from "./Builds/BuildPage";
import { BuildsTab } from "./Builds/BuildsTab";
import { MirroringTab } from "./Mirroring/MirroringTab";
import { RepositoryInformation } from "./RepositoryInformation";
import { RepositorySettings } from "./RepositorySettings";
import { TagHistoryTab } from "./Tags/TagHistoryTab";
import { TagsTab } from "./Tags/TagsTab";
import { TagDetails } from "../TagDetails/TagDetails";

export function Repository() {
  const { namespace = "", "*": splat = "" } = useParams();
  const { name, tag, build } = parseRepositorySplat(splat);
  if (build !== null) return <BuildPage namespace={namespace} name={name} id={build} />;
  if (tag !== null) return <TagDetails namespace={namespace} name={name} tag={tag} />;
  return <RepositoryPage namespace={namespace} name={name} />;
}

function RepositoryPage({ namespace, name }: { namespace: string; name: string }) {
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "tags";
  const { result } = useRepository(namespace, name);
  const { viewer } = useViewer();
  // FEATURE_BUILD_SUPPORT: the Builds tab exists only with it.
  const builds = useBuildsFeature();
  // FEATURE_REPO_MIRROR: the Mirroring tab (repository admins) exists only with it.
  const mirroring = useMirrorFeature();
  if (errorCode(result.error) === "NOT_FOUND")
    return <NotFound what="repository" message={errorMessage(result.error)} />;
  return (
    <>
      <PageBreadcrumb>
        <Breadcrumb>
          <BreadcrumbItem render={() => <Link to={RoutePath.Repositories}>Repositories</Link>} />
          <BreadcrumbItem
            render={() => (
              <Link
                to={
                  result.data?.repository.isOrganization
                    ? links.organization(namespace)
                    : links.namespaceRepositories(namespace)
                }
              >
                {namespace}
              </Link>
            )}
          />
          <BreadcrumbItem isActive>{name}</BreadcrumbItem>
        </Breadcrumb>
      </PageBreadcrumb>
      <QueryState result={result} errorTitle="Could not load the repository">
        {({ repository: repo }) => {
          const isAdmin = repo.viewerRole === "admin";
          return (
            <>
              <PageSection>
                <Flex alignItems={{ default: "alignItemsCenter" }}>
                  <Title headingLevel="h1">{repo.fullName}</Title>
                  <VisibilityLabel visibility={repo.visibility} />
                  {viewer && (
                    <StarButton namespace={repo.namespace} name={repo.name} isStarred={repo.isStarred} />
                  )}
                </Flex>
              </PageSection>
              <PageSection type="tabs">
                <Tabs
                  activeKey={tab}
                  onSelect={(_e, key) => setParams({ tab: String(key) }, { replace: true })}
                  aria-label="Repository sections"
                  usePageInsets
                >
                  <Tab eventKey="information" title={<TabTitleText>Information</TabTitleText>} />
                  <Tab eventKey="tags" title={<TabTitleText>Tags</TabTitleText>} />
                  <Tab eventKey="history" title={<TabTitleText>Tag history</TabTitleText>} />
                  {builds && <Tab eventKey="builds" title={<TabTitleText>Builds</TabTitleText>} />}
                  {mirroring && isAdmin && (
                    <Tab eventKey="mirroring" title={<TabTitleText>Mirroring</TabTitleText>} />
                  )}
                  {isAdmin && <Tab eventKey="logs" title={<TabTitleText>Logs</TabTitleText>} />}
                  {isAdmin && <Tab eventKey="settings" title={<TabTitleText>Settings</TabTitleText>} />}
                </Tabs>
              </PageSection>
              <PageSection>
                {tab === "information" && <RepositoryInformation repository={repo} />}
                {tab === "tags" && <TagsTab namespace={repo.namespace} name={repo.name} />}
                {tab === "history" && <TagHistoryTab namespace={repo.namespace} name={repo.name} />}
                {tab === "builds" && builds && <BuildsTab repository={repo} />}
                {tab === "mirroring" && mirroring && isAdmin && <MirroringTab repository={repo} />}
                {tab === "logs" && isAdmin && <LogsView namespace={repo.namespace} repository={repo.name} />}
                {tab === "settings" && isAdmin && <RepositorySettings repository={repo} />}
              </PageSection>
            </>
          );
        }}
      </QueryState>
    </>
  );
}
