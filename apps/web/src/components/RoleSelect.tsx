import { FormSelect, FormSelectOption } from "@patternfly/react-core";

/** A role dropdown (repository roles or team roles), labelled for assistive technology and tests. */
export function RoleSelect<R extends string>({
  value,
  roles,
  onChange,
  ariaLabel,
  isDisabled,
  id,
}: {
  value: R;
  roles: readonly R[];
  onChange: (role: R) => void;
  ariaLabel: string;
  isDisabled?: boolean;
  id?: string;
}) {
  return (
    <FormSelect
      id={id}
      value={value}
      onChange={(_e, v) => onChange(v as R)}
      aria-label={ariaLabel}
      isDisabled={isDisabled}
      style={{ minWidth: "8rem" }}
    >
      {roles.map((r) => (
        <FormSelectOption key={r} value={r} label={r.charAt(0).toUpperCase() + r.slice(1)} />
      ))}
    </FormSelect>
  );
}
