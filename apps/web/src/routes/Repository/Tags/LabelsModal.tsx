// Labels of a tag's manifest: those from the image are read-only; API labels can be added, edited and
// removed.
import { useState } from "react";
import {
  Button,
  Form,
  FormGroup,
  Label,
  LabelGroup,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  Split,
  SplitItem,
  TextInput,
} from "@patternfly/react-core";
import { ErrorAlert } from "../../../components/States";
import { useTagMutations, type TagLabel } from "../../../hooks/tags";
import { useAction } from "../../../hooks/useAction";

export function LabelsModal({
  namespace,
  repository,
  tag,
  onClose,
  onChanged,
}: {
  namespace: string;
  repository: string;
  tag: { name: string; manifestDigest: string; labels: readonly TagLabel[] } | null;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { addLabel, editLabel, removeLabel } = useTagMutations(namespace, repository);
  const [label, setLabel] = useState("");
  // The API label being edited: the form below then replaces it instead of adding one.
  const [editing, setEditing] = useState<TagLabel | null>(null);
  const { error, run } = useAction(onChanged);
  const startEdit = (l: TagLabel) => {
    setEditing(l);
    setLabel(`${l.key}=${l.value}`);
  };
  const stopEdit = () => {
    setEditing(null);
    setLabel("");
  };
  const close = () => {
    stopEdit();
    onClose();
  };
  const fromImage = tag?.labels.filter((l) => l.source !== "api") ?? [];
  const fromApi = tag?.labels.filter((l) => l.source === "api") ?? [];
  return (
    <Modal variant="medium" isOpen={tag !== null} onClose={close} aria-labelledby="labels-title">
      <ModalHeader title={`Labels of ${tag?.name ?? ""}`} labelId="labels-title" />
      <ModalBody>
        <ErrorAlert error={error} title="Could not change the labels" />
        <LabelGroup categoryName="From the image (read-only)" numLabels={20}>
          {fromImage.map((l) => (
            <Label key={l.id} isCompact>
              {l.key}={l.value}
            </Label>
          ))}
        </LabelGroup>
        <div style={{ margin: "1rem 0" }}>
          <LabelGroup categoryName="Added here (select one to edit it)" numLabels={20}>
            {fromApi.map((l) => (
              <Label
                key={l.id}
                color="blue"
                variant={editing?.id === l.id ? "outline" : "filled"}
                onClick={() => startEdit(l)}
                onClose={() => run(() => removeLabel(tag!.manifestDigest, l.id))}
                closeBtnAriaLabel={`Remove label ${l.key}`}
              >
                {l.key}={l.value}
              </Label>
            ))}
          </LabelGroup>
        </div>
        <Form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              if (editing) await editLabel(tag!.manifestDigest, editing.id, label.trim());
              else await addLabel(tag!.manifestDigest, label.trim());
              stopEdit();
            });
          }}
        >
          <Split hasGutter isWrappable>
            <SplitItem isFilled>
              <FormGroup
                label={editing ? `Edit label ${editing.key} (key=value)` : "New label (key=value)"}
                fieldId="new-label"
              >
                <TextInput
                  id="new-label"
                  value={label}
                  onChange={(_e, v) => setLabel(v)}
                  autoComplete="off"
                />
              </FormGroup>
            </SplitItem>
            <SplitItem style={{ alignSelf: "flex-end" }}>
              <Button type="submit" variant="secondary" isDisabled={!label.trim()}>
                {editing ? "Save label" : "Add label"}
              </Button>
            </SplitItem>
            {editing && (
              <SplitItem style={{ alignSelf: "flex-end" }}>
                <Button variant="link" onClick={stopEdit}>
                  Cancel edit
                </Button>
              </SplitItem>
            )}
          </Split>
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button variant="primary" onClick={close}>
          Done
        </Button>
      </ModalFooter>
    </Modal>
  );
}
