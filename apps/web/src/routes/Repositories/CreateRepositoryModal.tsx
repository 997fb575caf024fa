import { useEffect, useState } from "react";
import { FormGroup, Radio, TextArea, TextInput } from "@patternfly/react-core";
import { FormModal } from "../../components/FormModal";
import { NamespaceSelect, useMyNamespaces } from "../../components/NamespaceSelect";
import { useRepositoryMutations } from "../../hooks/repositories";

export function CreateRepositoryModal({
  isOpen,
  defaultNamespace,
  onClose,
  onCreated,
}: {
  isOpen: boolean;
  defaultNamespace?: string;
  onClose: () => void;
  onCreated: (namespace: string, name: string) => void;
}) {
  const { create } = useRepositoryMutations();
  const namespaces = useMyNamespaces();
  const [namespace, setNamespace] = useState(defaultNamespace ?? "");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [visibility, setVisibility] = useState<"public" | "private">("private");
  useEffect(() => {
    if (isOpen) setNamespace(defaultNamespace || namespaces[0] || "");
    // Only when the dialog opens: later namespace changes are the person's.
  }, [isOpen]);
  const first = defaultNamespace || namespaces[0];
  useEffect(() => {
    // The namespaces may arrive after the dialog opened: then the first one is the default.
    if (isOpen && !namespace && first) setNamespace(first);
  }, [isOpen, namespace, first]);
  return (
    <FormModal
      title="Create repository"
      submitLabel="Create"
      variant="medium"
      isOpen={isOpen}
      onClose={() => {
        setName("");
        setDescription("");
        setVisibility("private");
        onClose();
      }}
      canSubmit={!!namespace && name.trim().length > 0}
      onSubmit={async () => {
        const repo = await create({ namespace, name: name.trim(), description, visibility });
        onCreated(repo.namespace, repo.name);
      }}
    >
      <FormGroup label="Namespace" isRequired fieldId="create-repo-namespace">
        <NamespaceSelect id="create-repo-namespace" value={namespace} onChange={setNamespace} />
      </FormGroup>
      <FormGroup label="Repository name" isRequired fieldId="create-repo-name">
        <TextInput
          id="create-repo-name"
          isRequired
          value={name}
          onChange={(_e, v) => setName(v)}
          autoComplete="off"
        />
      </FormGroup>
      <FormGroup label="Description" fieldId="create-repo-description">
        <TextArea
          id="create-repo-description"
          value={description}
          onChange={(_e, v) => setDescription(v)}
          resizeOrientation="vertical"
        />
      </FormGroup>
      <FormGroup role="radiogroup" label="Visibility" fieldId="create-repo-visibility" isInline>
        <Radio
          id="create-repo-public"
          name="visibility"
          label="Public"
          description="Anyone can pull"
          isChecked={visibility === "public"}
          onChange={() => setVisibility("public")}
        />
        <Radio
          id="create-repo-private"
          name="visibility"
          label="Private"
          description="Only people and robots you grant access"
          isChecked={visibility === "private"}
          onChange={() => setVisibility("private")}
        />
      </FormGroup>
    </FormModal>
  );
}
