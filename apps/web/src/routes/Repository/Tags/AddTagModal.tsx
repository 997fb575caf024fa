// Adds a tag to the manifest of an existing tag; an existing tag name is moved there (history records it).
import { useState } from "react";
import { FormGroup, FormHelperText, HelperText, HelperTextItem, TextInput } from "@patternfly/react-core";
import { FormModal } from "../../../components/FormModal";
import { shortDigest, useTagMutations } from "../../../hooks/tags";

export function AddTagModal({
  namespace,
  repository,
  source,
  existing,
  onClose,
  onDone,
}: {
  namespace: string;
  repository: string;
  /** The tag whose manifest gets the new tag. */
  source: { name: string; manifestDigest: string } | null;
  existing: string[];
  onClose: () => void;
  onDone: () => void;
}) {
  const { add, move } = useTagMutations(namespace, repository);
  const [tag, setTag] = useState("");
  const moving = existing.includes(tag.trim());
  return (
    <FormModal
      title={`Add tag to ${source?.name ?? ""}`}
      submitLabel={moving ? "Move tag" : "Add tag"}
      isOpen={source !== null}
      onClose={() => {
        setTag("");
        onClose();
      }}
      canSubmit={tag.trim().length > 0 && tag.trim() !== source?.name}
      onSubmit={async () => {
        await (moving ? move : add)(tag.trim(), source!.manifestDigest);
        onDone();
      }}
    >
      <FormGroup label="New tag" isRequired fieldId="add-tag-name">
        <TextInput id="add-tag-name" value={tag} onChange={(_e, v) => setTag(v)} autoComplete="off" />
        <FormHelperText>
          <HelperText>
            <HelperTextItem variant={moving ? "warning" : "default"}>
              {moving
                ? `${tag.trim()} already exists: it will be moved to manifest ${shortDigest(source?.manifestDigest ?? "")}.`
                : `Points at manifest ${shortDigest(source?.manifestDigest ?? "")}.`}
            </HelperTextItem>
          </HelperText>
        </FormHelperText>
      </FormGroup>
    </FormModal>
  );
}
