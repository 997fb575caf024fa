// Picks one of the viewer's namespaces: their own user namespace or an organization they belong to.
import { FormSelect, FormSelectOption } from "@patternfly/react-core";
import { useMyOrganizations } from "../hooks/organizations";

export function useMyNamespaces(): string[] {
  const { result } = useMyOrganizations();
  const viewer = result.data?.viewer;
  return viewer ? [viewer.username, ...viewer.organizations.map((o) => o.name)] : [];
}

export function NamespaceSelect({
  id,
  value,
  onChange,
  allLabel,
  ariaLabel = "Namespace",
}: {
  id: string;
  value: string;
  onChange: (namespace: string) => void;
  /** Offer an "all" choice (value "") with this label. */
  allLabel?: string;
  ariaLabel?: string;
}) {
  const namespaces = useMyNamespaces();
  return (
    <FormSelect id={id} value={value} onChange={(_e, v) => onChange(v)} aria-label={ariaLabel}>
      {allLabel !== undefined && <FormSelectOption value="" label={allLabel} />}
      {namespaces.map((n) => (
        <FormSelectOption key={n} value={n} label={n} />
      ))}
    </FormSelect>
  );
}
