import { PageSection, Tab, TabTitleText, Tabs, Title } from "@patternfly/react-core";
import { useSearchParams } from "react-router-dom";
import { LogsView } from "../../components/LogsView";
import { EmptyView } from "../../components/States";
import { useViewer } from "../../hooks/session";
import { SuperuserOrganizations } from "./SuperuserOrganizations";
import { SuperuserQuotas } from "./SuperuserQuotas";
import { SuperuserUsers } from "./SuperuserUsers";

export function Superuser() {
  const { viewer } = useViewer();
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "users";
  if (viewer && !viewer.superuser)
    return (
      <PageSection>
        <EmptyView title="Superusers only">This panel is for the registry's administrators.</EmptyView>
      </PageSection>
    );
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Superuser panel</Title>
      </PageSection>
      <PageSection type="tabs">
        <Tabs
          activeKey={tab}
          onSelect={(_e, key) => setParams({ tab: String(key) }, { replace: true })}
          aria-label="Superuser sections"
          usePageInsets
        >
          <Tab eventKey="users" title={<TabTitleText>Users</TabTitleText>} />
          <Tab eventKey="organizations" title={<TabTitleText>Organizations</TabTitleText>} />
          <Tab eventKey="quotas" title={<TabTitleText>Quotas</TabTitleText>} />
          <Tab eventKey="logs" title={<TabTitleText>System logs</TabTitleText>} />
        </Tabs>
      </PageSection>
      <PageSection>
        {tab === "users" && <SuperuserUsers />}
        {tab === "organizations" && <SuperuserOrganizations />}
        {tab === "quotas" && <SuperuserQuotas />}
        {tab === "logs" && <LogsView />}
      </PageSection>
    </>
  );
}
