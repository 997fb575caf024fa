// A secret shown once (a client secret, an access token): copy it now, it cannot be shown again.
import { Alert, Button, Modal, ModalBody, ModalFooter, ModalHeader } from "@patternfly/react-core";
import { CopyField } from "../../components/CopyField";

export function SecretModal({
  shown,
  onClose,
  what = "client secret",
}: {
  shown: { app: string; secret: string } | null;
  onClose: () => void;
  what?: string;
}) {
  return (
    <Modal variant="small" isOpen={!!shown} onClose={onClose} aria-labelledby="secret-modal-title">
      <ModalHeader title={`The ${what} of ${shown?.app ?? ""}`} labelId="secret-modal-title" />
      <ModalBody>
        <Alert variant="warning" isInline isPlain title={`Copy the ${what} now: it is not shown again.`} />
        {shown && <CopyField value={shown.secret} label={what} />}
      </ModalBody>
      <ModalFooter>
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      </ModalFooter>
    </Modal>
  );
}
