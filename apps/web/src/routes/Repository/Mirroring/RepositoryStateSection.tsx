// The repository's state in its settings (Quay's changestate, repository admins): Normal, Read-only (no
// writes at all) or Mirror (only the mirror's robot user writes; with FEATURE_REPO_MIRROR).
import { useState } from "react";
import {
  Alert,
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
  Title,
} from "@patternfly/react-core";
import { ErrorAlert } from "../../../components/States";
import {
  stateName,
  useMirrorFeature,
  useSetRepositoryState,
  type RepositoryStateName,
} from "../../../hooks/mirroring";
import type { RepositoryDetails } from "../../../hooks/repositories";
import { useAction } from "../../../hooks/useAction";

/** The repository's `state` (normal, read_only, mirror) in words. */
export const STATE_LABELS: Record<string, string> = {
  normal: "Normal",
  read_only: "Read-only",
  mirror: "Mirror",
};

const OPTIONS: { value: RepositoryStateName; label: string; help: string }[] = [
  { value: "NORMAL", label: "Normal", help: "Users with write permission push and change tags." },
  {
    value: "READ_ONLY",
    label: "Read-only",
    help: "Nobody may push, tag or delete; pulls work as before.",
  },
  {
    value: "MIRROR",
    label: "Mirror",
    help: "Only the mirror's robot user writes: the tags follow the external repository set up in the Mirroring tab.",
  },
];

export function RepositoryStateSection({ repository: repo }: { repository: RepositoryDetails }) {
  const mirroring = useMirrorFeature();
  const setState = useSetRepositoryState(`${repo.namespace}/${repo.name}`);
  const [changed, setChanged] = useState<string | null>(null);
  const { error, run } = useAction();
  const current = stateName(repo.state);
  const options = OPTIONS.filter((o) => o.value !== "MIRROR" || mirroring || current === "MIRROR");
  return (
    <section aria-label="Repository state">
      <Title headingLevel="h2" size="lg">
        Repository state
      </Title>
      <ErrorAlert error={error} title="The state was not changed" />
      {changed && <Alert variant="success" isInline title={`The repository's state is now ${changed}`} />}
      <FormGroup label="State" fieldId="repo-state" style={{ margin: "1rem 0", maxWidth: "40rem" }}>
        <FormSelect
          id="repo-state"
          aria-label="Repository state"
          value={current}
          onChange={(_e, v) => {
            const next = OPTIONS.find((o) => o.value === v)!;
            setChanged(null);
            void run(async () => {
              await setState(next.value);
              setChanged(next.label);
            });
          }}
        >
          {options.map((o) => (
            <FormSelectOption key={o.value} value={o.value} label={o.label} />
          ))}
        </FormSelect>
        <FormHelperText>
          <HelperText>
            <HelperTextItem>{OPTIONS.find((o) => o.value === current)?.help}</HelperTextItem>
          </HelperText>
        </FormHelperText>
      </FormGroup>
    </section>
  );
}
