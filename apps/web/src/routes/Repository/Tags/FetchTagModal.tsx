// Fetch commands for a tag: podman or docker, by tag or by digest, each with a copy button.
import { useState } from "react";
import {
  Button,
  FormGroup,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  ToggleGroup,
  ToggleGroupItem,
} from "@patternfly/react-core";
import { CopyField } from "../../../components/CopyField";
import type { TagDetails } from "../../../hooks/tags";

export function FetchTagModal({ tag, onClose }: { tag: TagDetails | null; onClose: () => void }) {
  const [client, setClient] = useState<"podman" | "docker">("podman");
  const [by, setBy] = useState<"tag" | "digest">("tag");
  const command = tag ? tag.fetch[by][client] : "";
  return (
    <Modal variant="medium" isOpen={tag !== null} onClose={onClose} aria-labelledby="fetch-title">
      <ModalHeader title={`Fetch ${tag?.name ?? ""}`} labelId="fetch-title" />
      <ModalBody>
        <FormGroup label="Client" fieldId="fetch-client" role="group">
          <ToggleGroup aria-label="Client">
            {(["podman", "docker"] as const).map((c) => (
              <ToggleGroupItem key={c} text={c} isSelected={client === c} onChange={() => setClient(c)} />
            ))}
          </ToggleGroup>
        </FormGroup>
        <FormGroup label="Pull by" fieldId="fetch-by" role="group" style={{ marginTop: "1rem" }}>
          <ToggleGroup aria-label="Pull by">
            <ToggleGroupItem text="Tag" isSelected={by === "tag"} onChange={() => setBy("tag")} />
            <ToggleGroupItem text="Digest" isSelected={by === "digest"} onChange={() => setBy("digest")} />
          </ToggleGroup>
        </FormGroup>
        <div style={{ marginTop: "1rem" }}>
          <CopyField value={command} label="Pull command" />
        </div>
        {tag?.fetch.tag.squashed && (
          <div style={{ marginTop: "1rem" }}>
            <FormGroup label="Squashed image (docker load)" fieldId="fetch-squashed">
              <CopyField value={tag.fetch.tag.squashed} label="Squashed image command" />
            </FormGroup>
          </div>
        )}
      </ModalBody>
      <ModalFooter>
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      </ModalFooter>
    </Modal>
  );
}
