// A modal holding a form: the submit button is busy while the action runs, and a failure keeps the modal
// open with the server's message above the fields.
import { useState, type FormEvent, type ReactNode } from "react";
import { Button, Form, Modal, ModalBody, ModalFooter, ModalHeader } from "@patternfly/react-core";
import { ErrorAlert } from "./States";

export interface FormModalProps {
  title: string;
  submitLabel: string;
  isOpen: boolean;
  onClose: () => void;
  /** Throws with a readable message on failure; the modal closes itself on success. */
  onSubmit: () => Promise<void>;
  canSubmit?: boolean;
  danger?: boolean;
  variant?: "small" | "medium" | "large";
  description?: ReactNode;
  children?: ReactNode;
}

export function FormModal({
  title,
  submitLabel,
  isOpen,
  onClose,
  onSubmit,
  canSubmit = true,
  danger,
  variant = "small",
  description,
  children,
}: FormModalProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = `form-${title.replace(/\W+/g, "-").toLowerCase()}`;
  const close = () => {
    setError(null);
    onClose();
  };
  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!canSubmit || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
      close();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal variant={variant} isOpen={isOpen} onClose={close} aria-labelledby={`${id}-title`}>
      <ModalHeader title={title} labelId={`${id}-title`} description={description} />
      <ModalBody>
        <ErrorAlert error={error} title="The action failed" />
        <Form id={id} onSubmit={submit}>
          {children}
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button
          type="submit"
          form={id}
          variant={danger ? "danger" : "primary"}
          isDisabled={!canSubmit || busy}
          isLoading={busy}
        >
          {submitLabel}
        </Button>
        <Button variant="link" onClick={close}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
