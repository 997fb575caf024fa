import { useState } from "react";
import {
  ActionGroup,
  Alert,
  Button,
  Divider,
  Form,
  FormGroup,
  FormSelect,
  FormSelectOption,
  TextInput,
  Title,
} from "@patternfly/react-core";
import { useNavigate } from "react-router-dom";
import { ConfirmByTypingModal } from "../../components/ConfirmByTypingModal";
import { ErrorAlert } from "../../components/States";
import { useOrganizationMutations, type OrganizationDetails } from "../../hooks/organizations";
import { useSystem } from "../../hooks/useSystem";
import { RoutePath } from "../paths";
import { QuotaSection } from "../Quota/QuotaSection";
import { ProxyCacheSection } from "./ProxyCacheSection";

export function OrganizationSettings({ organization }: { organization: OrganizationDetails }) {
  const { update, remove } = useOrganizationMutations();
  const { system } = useSystem();
  const navigate = useNavigate();
  const [email, setEmail] = useState(organization.email ?? "");
  const [timeMachine, setTimeMachine] = useState(organization.timeMachine);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaved(false);
    setError(null);
    try {
      await update({ name: organization.name, email: email || null, timeMachine });
      setSaved(true);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <>
      <Form onSubmit={save} maxWidth="40rem">
        <ErrorAlert error={error} title="Could not save the settings" />
        {saved && <Alert variant="success" isInline title="Settings saved" />}
        <FormGroup label="E-mail" fieldId="org-settings-email">
          <TextInput id="org-settings-email" type="email" value={email} onChange={(_e, v) => setEmail(v)} />
        </FormGroup>
        <FormGroup label="Time machine" fieldId="org-settings-timemachine">
          <FormSelect
            id="org-settings-timemachine"
            value={timeMachine}
            onChange={(_e, v) => setTimeMachine(v)}
            aria-label="Time machine"
          >
            {(system?.tagExpirationOptions ?? [timeMachine]).map((o) => (
              <FormSelectOption key={o} value={o} label={o} />
            ))}
          </FormSelect>
        </FormGroup>
        <ActionGroup>
          <Button type="submit" variant="primary">
            Save
          </Button>
        </ActionGroup>
      </Form>
      <Divider style={{ margin: "2rem 0" }} />
      <QuotaSection namespace={organization.name} timeMachine={organization.timeMachine} />
      <ProxyCacheSection organization={organization.name} />
      <Title headingLevel="h2" size="lg">
        Delete organization
      </Title>
      <p>Deletes every repository, team and robot account of {organization.name}.</p>
      <Button variant="danger" onClick={() => setDeleting(true)} style={{ marginTop: "1rem" }}>
        Delete organization
      </Button>
      <ConfirmByTypingModal
        title={`Delete organization ${organization.name}?`}
        isOpen={deleting}
        expected={organization.name}
        onClose={() => setDeleting(false)}
        onConfirm={async () => {
          await remove(organization.name);
          navigate(RoutePath.Organizations);
        }}
      >
        <p>This cannot be undone.</p>
      </ConfirmByTypingModal>
    </>
  );
}
