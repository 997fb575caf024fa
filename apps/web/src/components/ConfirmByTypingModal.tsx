// Destructive actions are confirmed by typing a word (the object's name, or "confirm" for bulk actions).
import { useState, type ReactNode } from "react";
import { FormGroup, TextInput } from "@patternfly/react-core";
import { FormModal } from "./FormModal";

export function ConfirmByTypingModal({
  title,
  isOpen,
  onClose,
  onConfirm,
  expected,
  actionLabel = "Delete",
  children,
}: {
  title: string;
  isOpen: boolean;
  onClose: () => void;
  onConfirm: () => Promise<void>;
  /** What the person must type. */
  expected: string;
  actionLabel?: string;
  children?: ReactNode;
}) {
  const [typed, setTyped] = useState("");
  const close = () => {
    setTyped("");
    onClose();
  };
  return (
    <FormModal
      title={title}
      submitLabel={actionLabel}
      isOpen={isOpen}
      onClose={close}
      onSubmit={onConfirm}
      canSubmit={typed === expected}
      danger
    >
      {children}
      <FormGroup label={`Type "${expected}" to confirm`} fieldId="confirm-by-typing">
        <TextInput
          id="confirm-by-typing"
          value={typed}
          onChange={(_e, v) => setTyped(v)}
          autoComplete="off"
          aria-label={`Type ${expected} to confirm`}
        />
      </FormGroup>
    </FormModal>
  );
}
