// Labels of a tag's manifest: those from the image are read-only; API labels can be added and removed.
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
  const { addLabel, removeLabel } = useTagMutations(namespace, repository);
  const [label, setLabel] = useState("");
  const { error, run } = useAction(onChanged);
  const fromImage = tag?.labels.filter((l) => l.source !== "api") ?? [];
  const fromApi = tag?.labels.filter((l) => l.source === "api") ?? [];
  return (
    <Modal variant="medium" isOpen={tag !== null} onClose={onClose} aria-labelledby="labels-title">
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
          <LabelGroup categoryName="Added here" numLabels={20}>
            {fromApi.map((l) => (
              <Label
                key={l.id}
                color="blue"
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
              await addLabel(tag!.manifestDigest, label.trim());
              setLabel("");
            });
          }}
        >
          <Split hasGutter>
            <SplitItem isFilled>
              <FormGroup label="New label (key=value)" fieldId="new-label">
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
                Add label
              </Button>
            </SplitItem>
          </Split>
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      </ModalFooter>
    </Modal>
  );
}
