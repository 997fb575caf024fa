// A trigger's credentials (seed 001 §8.2): what the git server needs before the trigger can be used, the
// deploy key to give read access and the webhook URL to POST pushes to. Shown by "View credentials" and
// at the end of the trigger wizard.
import {
  Button,
  Content,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  Stack,
  StackItem,
} from "@patternfly/react-core";
import { CopyField } from "../../../components/CopyField";
import type { BuildTrigger } from "../../../hooks/builds";

/** The steps and the values with copy buttons; `credentials` as the server lists them for the service. */
export function TriggerCredentials({ trigger }: { trigger: Pick<BuildTrigger, "service" | "credentials"> }) {
  const key = trigger.credentials.find((c) => c.name === "SSH Public Key");
  const url = trigger.credentials.find((c) => c.name === "Webhook Endpoint URL");
  const others = trigger.credentials.filter((c) => c !== key && c !== url);
  return (
    <Stack hasGutter>
      <StackItem>
        <Content component="p">In order to use this trigger, the following first requires action:</Content>
        <Content component="ul">
          {key && (
            <Content component="li">
              You must give the following public key read access to the git repository.
            </Content>
          )}
          <Content component="li">
            You must set your repository to POST to the following URL to trigger a build.
          </Content>
        </Content>
        {trigger.service === "custom-git" && (
          <Content component="p">
            The POST carries a JSON body (<code>Content-Type: application/json</code>) with{" "}
            <code>commit</code>, <code>ref</code> and <code>default_branch</code>, and optionally{" "}
            <code>commit_info</code>: its <code>url</code>, <code>message</code>, <code>date</code>,{" "}
            <code>author</code> and <code>committer</code>.
          </Content>
        )}
      </StackItem>
      {key && (
        <StackItem>
          <Content component="h4">SSH Public Key:</Content>
          <CopyField value={key.value} label="SSH public key" />
        </StackItem>
      )}
      {url && (
        <StackItem>
          <Content component="h4">Webhook Endpoint URL:</Content>
          <CopyField value={url.value} label="Webhook endpoint URL" />
        </StackItem>
      )}
      {others.map((c) => (
        <StackItem key={c.name}>
          <Content component="h4">{c.name}:</Content>
          <CopyField value={c.value} label={c.name} />
        </StackItem>
      ))}
    </Stack>
  );
}

export function TriggerCredentialsModal({
  trigger,
  onClose,
}: {
  trigger: BuildTrigger | null;
  onClose: () => void;
}) {
  return (
    <Modal variant="medium" isOpen={!!trigger} onClose={onClose} aria-labelledby="trigger-credentials-title">
      <ModalHeader title="Trigger Credentials" labelId="trigger-credentials-title" />
      <ModalBody>{trigger && <TriggerCredentials trigger={trigger} />}</ModalBody>
      <ModalFooter>
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      </ModalFooter>
    </Modal>
  );
}
