// "Run trigger now" (seed 001 §7.3.2): builds one commit of the trigger's source, optionally naming the
// branch or tag it is on (which the tagging options use). A custom git trigger cannot look commits up, so
// the commit SHA is always asked for.
import { useState } from "react";
import {
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
  TextInput,
} from "@patternfly/react-core";
import { FormModal } from "../../../components/FormModal";
import { useBuildTriggerMutations, type Build, type BuildTrigger } from "../../../hooks/builds";
import { triggerName } from "./phases";

const HEX = /^[0-9a-f]{7,64}$/i;

export function RunTriggerModal({
  repository,
  trigger,
  onClose,
  onStarted,
}: {
  repository: string;
  trigger: BuildTrigger | null;
  onClose: () => void;
  onStarted: (build: Build) => void;
}) {
  const m = useBuildTriggerMutations(repository);
  const [kind, setKind] = useState<"branch" | "tag">("branch");
  const [ref, setRef] = useState("");
  const [commit, setCommit] = useState("");
  const close = () => {
    setKind("branch");
    setRef("");
    setCommit("");
    onClose();
  };
  const sha = commit.trim();
  return (
    <FormModal
      title="Run trigger now"
      submitLabel="Start build"
      variant="medium"
      isOpen={!!trigger}
      onClose={close}
      canSubmit={HEX.test(sha)}
      description={trigger ? triggerName(trigger) : undefined}
      onSubmit={async () => {
        const name = ref.trim();
        const build = await m.run(trigger!.id, {
          commitSha: sha,
          ...(name ? (kind === "branch" ? { branchName: name } : { tagName: name }) : {}),
        });
        close();
        onStarted(build);
      }}
    >
      <FormGroup label="Commit SHA" isRequired fieldId="run-trigger-commit">
        <TextInput
          id="run-trigger-commit"
          aria-label="Commit SHA"
          value={commit}
          onChange={(_e, v) => setCommit(v)}
          autoComplete="off"
        />
        <FormHelperText>
          <HelperText>
            <HelperTextItem variant={sha && !HEX.test(sha) ? "error" : "default"}>
              The commit to build: 7 to 64 hexadecimal characters.
            </HelperTextItem>
          </HelperText>
        </FormHelperText>
      </FormGroup>
      <FormGroup label="Branch or tag" fieldId="run-trigger-kind">
        <FormSelect
          id="run-trigger-kind"
          aria-label="Branch or tag"
          value={kind}
          onChange={(_e, v) => setKind(v === "tag" ? "tag" : "branch")}
        >
          <FormSelectOption value="branch" label="Branch" />
          <FormSelectOption value="tag" label="Tag" />
        </FormSelect>
      </FormGroup>
      <FormGroup label={kind === "branch" ? "Branch name" : "Tag name"} fieldId="run-trigger-ref">
        <TextInput
          id="run-trigger-ref"
          aria-label={kind === "branch" ? "Branch name" : "Tag name"}
          value={ref}
          onChange={(_e, v) => setRef(v)}
          autoComplete="off"
        />
        <FormHelperText>
          <HelperText>
            <HelperTextItem>
              Optional: the {kind} the commit is on, for the trigger&apos;s tagging options (its name, and
              latest on the default branch).
            </HelperTextItem>
          </HelperText>
        </FormHelperText>
      </FormGroup>
    </FormModal>
  );
}
