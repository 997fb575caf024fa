import {
  Breadcrumb,
  BreadcrumbItem,
  Flex,
  Label,
  PageBreadcrumb,
  PageSection,
  Tab,
  TabTitleText,
  Tabs,
  Title,
} from "@patternfly/react-core";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { EntityAvatar } from "../../components/EntityAvatar";
import { LogsView } from "../../components/LogsView";
import { QueryState } from "../../components/States";
import { useOrganization } from "../../hooks/organizations";
import { errorCode, errorMessage } from "../../api/errors";
import { NotFound } from "../NotFound/NotFound";
import { RoutePath } from "../paths";
import { RobotAccounts } from "../RobotAccounts/RobotAccounts";
import { ApplicationsTab } from "../Applications/ApplicationsTab";
import { DefaultPermissionsTab } from "./DefaultPermissionsTab";
import { OrganizationRepositories } from "./OrganizationRepositories";
import { OrganizationSettings } from "./OrganizationSettings";
import { TeamsTab } from "./TeamsTab";

export function Organization() {
  const { name = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "repositories";
  const { result } = useOrganization(name);
  if (errorCode(result.error) === "NOT_FOUND")
    return <NotFound what="organization" message={errorMessage(result.error)} />;
  return (
    <>
      <PageBreadcrumb>
        <Breadcrumb>
          <BreadcrumbItem render={() => <Link to={RoutePath.Organizations}>Organizations</Link>} />
          <BreadcrumbItem isActive>{name}</BreadcrumbItem>
        </Breadcrumb>
      </PageBreadcrumb>
      <QueryState result={result} errorTitle="Could not load the organization">
        {({ organization: org }) => {
          const isAdmin = org.viewerRole === "admin";
          return (
            <>
              <PageSection>
                <Flex alignItems={{ default: "alignItemsCenter" }}>
                  <EntityAvatar avatar={org.avatar} size={36} />
                  <Title headingLevel="h1">{org.name}</Title>
                  {org.viewerRole && <Label isCompact>{org.viewerRole}</Label>}
                </Flex>
              </PageSection>
              <PageSection type="tabs">
                <Tabs
                  activeKey={tab}
                  onSelect={(_e, key) => setParams({ tab: String(key) }, { replace: true })}
                  aria-label="Organization sections"
                  usePageInsets
                  mountOnEnter
                  unmountOnExit
                >
                  <Tab eventKey="repositories" title={<TabTitleText>Repositories</TabTitleText>} />
                  <Tab eventKey="teams" title={<TabTitleText>Teams and membership</TabTitleText>} />
                  {isAdmin && <Tab eventKey="robots" title={<TabTitleText>Robot accounts</TabTitleText>} />}
                  {isAdmin && (
                    <Tab
                      eventKey="defaultpermissions"
                      title={<TabTitleText>Default permissions</TabTitleText>}
                    />
                  )}
                  {isAdmin && (
                    <Tab eventKey="applications" title={<TabTitleText>OAuth applications</TabTitleText>} />
                  )}
                  {isAdmin && <Tab eventKey="logs" title={<TabTitleText>Logs</TabTitleText>} />}
                  {isAdmin && <Tab eventKey="settings" title={<TabTitleText>Settings</TabTitleText>} />}
                </Tabs>
              </PageSection>
              <PageSection>
                {tab === "repositories" && <OrganizationRepositories organization={org.name} />}
                {tab === "teams" && <TeamsTab organization={org.name} isAdmin={isAdmin} />}
                {tab === "robots" && isAdmin && <RobotAccounts namespace={org.name} isOrganization />}
                {tab === "defaultpermissions" && isAdmin && <DefaultPermissionsTab organization={org.name} />}
                {tab === "applications" && isAdmin && <ApplicationsTab organization={org.name} />}
                {tab === "logs" && isAdmin && <LogsView namespace={org.name} />}
                {tab === "settings" && isAdmin && <OrganizationSettings organization={org} />}
              </PageSection>
            </>
          );
        }}
      </QueryState>
    </>
  );
}
