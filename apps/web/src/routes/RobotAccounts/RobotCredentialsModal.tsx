// A robot's credentials, one tab per way of using them; regenerating the token invalidates the old one.
import { useEffect, useState } from "react";
import {
  Alert,
  Button,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  Tab,
  TabTitleText,
  Tabs,
} from "@patternfly/react-core";
import { CopyField } from "../../components/CopyField";
import { ErrorAlert, Loading } from "../../components/States";
import { useRobotCredentials, useRobotMutations, type RobotCredentials } from "../../hooks/robots";

export function RobotCredentialsModal({ name, onClose }: { name: string | null; onClose: () => void }) {
  const result = useRobotCredentials(name);
  const { regenerate } = useRobotMutations();
  const [fresh, setFresh] = useState<RobotCredentials | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<string | number>("token");
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    setFresh(null);
    setError(null);
    setConfirming(false);
    setTab("token");
  }, [name]);
  const creds = fresh ?? result.data?.robot.credentials;
  const tabs: [string, string, keyof RobotCredentials, boolean][] = [
    ["token", "Robot token", "token", false],
    ["docker", "Docker login", "dockerLogin", false],
    ["podman", "Podman login", "podmanLogin", false],
    ["kubernetes", "Kubernetes secret", "kubernetesSecret", true],
    ["dockerconfig", "Docker configuration", "dockerConfig", true],
  ];
  return (
    <Modal variant="large" isOpen={name !== null} onClose={onClose} aria-labelledby="robot-credentials-title">
      <ModalHeader title={`Credentials for ${name ?? ""}`} labelId="robot-credentials-title" />
      <ModalBody>
        <ErrorAlert error={error ?? result.error} />
        {fresh && (
          <Alert variant="success" isInline title="A new token was generated; the old one no longer works" />
        )}
        {!creds ? (
          !result.error && <Loading />
        ) : (
          <Tabs activeKey={tab} onSelect={(_e, k) => setTab(k)} aria-label="Credential formats">
            {tabs.map(([key, title, field, multiline]) => (
              <Tab key={key} eventKey={key} title={<TabTitleText>{title}</TabTitleText>}>
                <div style={{ paddingTop: "1rem" }}>
                  {key === "token" && (
                    <p style={{ marginBottom: "0.5rem" }}>
                      Username: <strong>{creds.username}</strong>
                    </p>
                  )}
                  <CopyField value={creds[field]} label={title} multiline={multiline} />
                </div>
              </Tab>
            ))}
          </Tabs>
        )}
      </ModalBody>
      <ModalFooter>
        {confirming ? (
          <>
            <Button
              variant="danger"
              onClick={async () => {
                setError(null);
                try {
                  setFresh(await regenerate(name!));
                } catch (e) {
                  setError((e as Error).message);
                }
                setConfirming(false);
              }}
            >
              Regenerate now
            </Button>
            <Button variant="link" onClick={() => setConfirming(false)}>
              Keep the current token
            </Button>
          </>
        ) : (
          <Button variant="secondary" onClick={() => setConfirming(true)} isDisabled={!creds}>
            Regenerate token
          </Button>
        )}
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      </ModalFooter>
    </Modal>
  );
}
