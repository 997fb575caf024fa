import { useState } from "react";
import { FormGroup, FormHelperText, HelperText, HelperTextItem, TextInput } from "@patternfly/react-core";
import { FormModal } from "../../components/FormModal";
import { useOrganizationMutations } from "../../hooks/organizations";

export function CreateOrganizationModal({
  isOpen,
  onClose,
  onCreated,
}: {
  isOpen: boolean;
  onClose: () => void;
  onCreated: (name: string) => void;
}) {
  const { create } = useOrganizationMutations();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  return (
    <FormModal
      title="Create organization"
      submitLabel="Create"
      isOpen={isOpen}
      onClose={() => {
        setName("");
        setEmail("");
        onClose();
      }}
      canSubmit={name.trim().length > 0}
      onSubmit={async () => {
        const org = await create({ name: name.trim(), email: email.trim() || null });
        onCreated(org.name);
      }}
    >
      <FormGroup label="Organization name" isRequired fieldId="org-name">
        <TextInput
          id="org-name"
          isRequired
          value={name}
          onChange={(_e, v) => setName(v)}
          autoComplete="off"
        />
        <FormHelperText>
          <HelperText>
            <HelperTextItem>
              Lowercase letters, digits and _ , 2 to 255 characters; unique across users and organizations.
            </HelperTextItem>
          </HelperText>
        </FormHelperText>
      </FormGroup>
      <FormGroup label="E-mail" fieldId="org-email">
        <TextInput id="org-email" type="email" value={email} onChange={(_e, v) => setEmail(v)} />
      </FormGroup>
    </FormModal>
  );
}
