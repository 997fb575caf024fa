// A secret shown once (a client secret, an access token, a webhook's signing secret): copy it now, it
// cannot be shown again. `children` explains how it is used.
import type { ReactNode } from "react";
import { Alert, Button, Modal, ModalBody, ModalFooter, ModalHeader } from "@patternfly/react-core";
import { CopyField } from "./CopyField";

export function SecretModal({
  shown,
  onClose,
  what = "client secret",
  title,
  variant = "small",
  children,
}: {
  shown: { app: string; secret: string } | null;
  onClose: () => void;
  what?: string;
  /** The heading (default: "The <what> of <app>"). */
  title?: string;
  variant?: "small" | "medium";
  children?: ReactNode;
}) {
  return (
    <Modal variant={variant} isOpen={!!shown} onClose={onClose} aria-labelledby="secret-modal-title">
      <ModalHeader title={title ?? `The ${what} of ${shown?.app ?? ""}`} labelId="secret-modal-title" />
      <ModalBody>
        <Alert variant="warning" isInline isPlain title={`Copy the ${what} now: it is not shown again.`} />
        {shown && <CopyField value={shown.secret} label={what} />}
        {children}
      </ModalBody>
      <ModalFooter>
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      </ModalFooter>
    </Modal>
  );
}
