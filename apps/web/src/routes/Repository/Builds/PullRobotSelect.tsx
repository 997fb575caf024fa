// The optional robot a build pulls private base images with: one of the namespace's robots (Quay's rule),
// or none. Listing robots is for the namespace's admins; others can only build without one.
import {
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
} from "@patternfly/react-core";
import { useRobots } from "../../../hooks/robots";

export function PullRobotSelect({
  namespace,
  value,
  onChange,
  id,
}: {
  namespace: string;
  value: string;
  onChange: (robot: string) => void;
  id: string;
}) {
  const { result } = useRobots(namespace);
  const robots = result.data?.robots ?? [];
  return (
    <FormGroup label="Pull robot" fieldId={id}>
      <FormSelect id={id} aria-label="Pull robot" value={value} onChange={(_e, v) => onChange(v)}>
        <FormSelectOption value="" label="(None)" />
        {robots.map((r) => (
          <FormSelectOption key={r.name} value={r.name} label={r.name} />
        ))}
      </FormSelect>
      <FormHelperText>
        <HelperText>
          <HelperTextItem>
            {result.error
              ? "Only administrators of the namespace can choose a robot account."
              : `The robot account of ${namespace} whose credentials pull private base images during the build. It needs read access to them.`}
          </HelperTextItem>
        </HelperText>
      </FormHelperText>
    </FormGroup>
  );
}
