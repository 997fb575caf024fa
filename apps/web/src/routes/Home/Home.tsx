import {
  Alert,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  PageSection,
  Spinner,
  Title,
} from "@patternfly/react-core";
import { useSystem } from "../../hooks/useSystem";

export function Home() {
  const { system, fetching, error } = useSystem();
  return (
    <PageSection>
      <Title headingLevel="h1">{system?.title ?? "Registry"}</Title>
      {fetching && <Spinner aria-label="Loading" />}
      {error && (
        <Alert variant="danger" isInline title="Could not reach the API">
          {error.message}
        </Alert>
      )}
      {system && (
        <DescriptionList isHorizontal>
          <DescriptionListGroup>
            <DescriptionListTerm>Registry host</DescriptionListTerm>
            <DescriptionListDescription data-testid="server-hostname">
              {system.serverHostname}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Version</DescriptionListTerm>
            <DescriptionListDescription>{system.version}</DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Log in</DescriptionListTerm>
            <DescriptionListDescription>
              <code>podman login {system.serverHostname}</code>
            </DescriptionListDescription>
          </DescriptionListGroup>
        </DescriptionList>
      )}
    </PageSection>
  );
}
