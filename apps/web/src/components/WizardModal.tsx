// A PatternFly Wizard in a modal whose final step runs one action; a failure stays on screen with the
// server's message so the person can go back and fix the input.
import { useId, useState, type ReactNode } from "react";
import { Modal, Wizard, WizardHeader } from "@patternfly/react-core";
import { ErrorAlert } from "./States";

export function WizardModal({
  title,
  isOpen,
  onClose,
  onSave,
  children,
}: {
  title: string;
  isOpen: boolean;
  onClose: () => void;
  /** Throws with a readable message on failure; the modal closes on success. */
  onSave: () => Promise<void>;
  children: ReactNode;
}) {
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const close = () => {
    setError(null);
    onClose();
  };
  return (
    <Modal variant="large" isOpen={isOpen} onClose={close} aria-labelledby={`${id}-title`}>
      <Wizard
        height={560}
        header={
          <WizardHeader
            title={title}
            titleId={`${id}-title`}
            onClose={close}
            closeButtonAriaLabel="Close wizard"
            description={error ? <ErrorAlert error={error} title="The action failed" /> : undefined}
          />
        }
        onClose={close}
        onSave={async () => {
          if (busy) return;
          setBusy(true);
          setError(null);
          try {
            await onSave();
            close();
          } catch (e) {
            setError((e as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        {children}
      </Wizard>
    </Modal>
  );
}
