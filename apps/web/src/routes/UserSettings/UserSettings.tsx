import { useEffect, useState } from "react";
import {
  ActionGroup,
  Alert,
  Button,
  Form,
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  PageSection,
  Tab,
  TabTitleText,
  Tabs,
  HelperText,
  HelperTextItem,
  TextInput,
  Title,
} from "@patternfly/react-core";
import { useSearchParams } from "react-router-dom";
import { ConfirmByTypingModal } from "../../components/ConfirmByTypingModal";
import { ErrorAlert, QueryState } from "../../components/States";
import { useAccountMutations, useAccountSettings } from "../../hooks/account";
import { RobotAccounts } from "../RobotAccounts/RobotAccounts";
import { RoutePath } from "../paths";
import { QuotaSection } from "../Quota/QuotaSection";

/** A small form that reports its own success or the server's message. */
function SettingsForm({
  label,
  onSubmit,
  children,
}: {
  label: string;
  onSubmit: () => Promise<void>;
  children: React.ReactNode;
}) {
  const [state, setState] = useState<{ ok?: boolean; error?: string }>({});
  return (
    <Form
      maxWidth="32rem"
      style={{ marginBottom: "2rem" }}
      onSubmit={async (e) => {
        e.preventDefault();
        setState({});
        try {
          await onSubmit();
          setState({ ok: true });
        } catch (err) {
          setState({ error: (err as Error).message });
        }
      }}
    >
      <ErrorAlert error={state.error} title="Not saved" />
      {state.ok && <Alert variant="success" isInline title="Saved" />}
      {children}
      <ActionGroup>
        <Button type="submit" variant="primary">
          {label}
        </Button>
      </ActionGroup>
    </Form>
  );
}

export function UserSettings() {
  const result = useAccountSettings();
  const m = useAccountMutations();
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "account";
  const [email, setEmail] = useState("");
  const [timeMachine, setTimeMachine] = useState("");
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [deleting, setDeleting] = useState(false);
  const viewer = result.data?.viewer;
  useEffect(() => {
    if (viewer) {
      setEmail(viewer.email);
      setTimeMachine(viewer.timeMachine);
    }
  }, [viewer]);
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Account settings</Title>
      </PageSection>
      <PageSection type="tabs">
        <Tabs
          activeKey={tab}
          onSelect={(_e, key) => setParams({ tab: String(key) }, { replace: true })}
          aria-label="Account sections"
          usePageInsets
        >
          <Tab eventKey="account" title={<TabTitleText>Account</TabTitleText>} />
          <Tab eventKey="robots" title={<TabTitleText>Robot accounts</TabTitleText>} />
        </Tabs>
      </PageSection>
      <PageSection>
        <QueryState result={result}>
          {(data) =>
            !data.viewer ? null : tab === "robots" ? (
              <RobotAccounts namespace={data.viewer.username} isOrganization={false} />
            ) : (
              <>
                <SettingsForm label="Save e-mail" onSubmit={() => m.changeEmail(email)}>
                  <FormGroup label="E-mail" fieldId="settings-email">
                    <TextInput
                      id="settings-email"
                      type="email"
                      value={email}
                      onChange={(_e, v) => setEmail(v)}
                    />
                    {!data.viewer.emailVerified && (
                      <FormHelperText>
                        <HelperText>
                          <HelperTextItem variant="warning">
                            Not confirmed yet: follow the link mailed to {data.viewer.email}.
                          </HelperTextItem>
                        </HelperText>
                      </FormHelperText>
                    )}
                  </FormGroup>
                </SettingsForm>
                <SettingsForm
                  label="Change password"
                  onSubmit={async () => {
                    await m.changePassword(current, next);
                    setCurrent("");
                    setNext("");
                  }}
                >
                  <FormGroup label="Current password" fieldId="settings-current-password">
                    <TextInput
                      id="settings-current-password"
                      type="password"
                      value={current}
                      onChange={(_e, v) => setCurrent(v)}
                      autoComplete="current-password"
                    />
                  </FormGroup>
                  <FormGroup label="New password" fieldId="settings-new-password">
                    <TextInput
                      id="settings-new-password"
                      type="password"
                      value={next}
                      onChange={(_e, v) => setNext(v)}
                      autoComplete="new-password"
                    />
                  </FormGroup>
                </SettingsForm>
                <SettingsForm label="Save time machine" onSubmit={() => m.setTimeMachine(timeMachine)}>
                  <FormGroup label="Time machine" fieldId="settings-time-machine">
                    <FormSelect
                      id="settings-time-machine"
                      value={timeMachine}
                      onChange={(_e, v) => setTimeMachine(v)}
                      aria-label="Time machine"
                    >
                      {data.system.tagExpirationOptions.map((o) => (
                        <FormSelectOption key={o} value={o} label={o} />
                      ))}
                    </FormSelect>
                  </FormGroup>
                </SettingsForm>
                <QuotaSection namespace={data.viewer.username} timeMachine={data.viewer.timeMachine} />
                <Title headingLevel="h2" size="lg">
                  Delete account
                </Title>
                <p>Deletes your account, your repositories and your robot accounts.</p>
                <Button variant="danger" onClick={() => setDeleting(true)} style={{ marginTop: "1rem" }}>
                  Delete account
                </Button>
                <ConfirmByTypingModal
                  title="Delete your account?"
                  isOpen={deleting}
                  expected={data.viewer.username}
                  onClose={() => setDeleting(false)}
                  onConfirm={async () => {
                    await m.deleteAccount(data.viewer!.username);
                    window.location.assign(RoutePath.SignIn);
                  }}
                >
                  <p>This cannot be undone.</p>
                </ConfirmByTypingModal>
              </>
            )
          }
        </QueryState>
      </PageSection>
    </>
  );
}
