// Picks who gets a permission or joins a team: the kind (user, team, robot) and a name, with suggestions
// from the server's entity search as the person types.
import { useId } from "react";
import { FormGroup, FormSelect, FormSelectOption, Split, SplitItem, TextInput } from "@patternfly/react-core";
import { useEntitySearch, type EntityKind } from "../hooks/repositories";
import { useDebounced } from "../hooks/useDebounced";

export interface PickedEntity {
  kind: EntityKind;
  name: string;
}

export function EntityPicker({
  value,
  onChange,
  namespace,
  kinds = ["user", "team", "robot"],
  label = "Grant to",
}: {
  value: PickedEntity;
  onChange: (v: PickedEntity) => void;
  /** Robots and teams are searched in this namespace. */
  namespace: string | null;
  kinds?: EntityKind[];
  label?: string;
}) {
  const id = useId();
  const prefix = useDebounced(value.name.trim(), 200);
  const results = useEntitySearch(prefix, namespace).filter((e) => e.kind === value.kind);
  return (
    <FormGroup label={label} fieldId={`${id}-name`} isRequired>
      <Split hasGutter isWrappable>
        {kinds.length > 1 && (
          <SplitItem>
            <FormSelect
              id={`${id}-kind`}
              aria-label="Kind"
              value={value.kind}
              onChange={(_e, kind) => onChange({ kind: kind as EntityKind, name: "" })}
            >
              {kinds.map((k) => (
                <FormSelectOption key={k} value={k} label={k.charAt(0).toUpperCase() + k.slice(1)} />
              ))}
            </FormSelect>
          </SplitItem>
        )}
        <SplitItem isFilled>
          <TextInput
            id={`${id}-name`}
            aria-label={`${value.kind} name`}
            placeholder={
              value.kind === "robot" ? "namespace+robot" : value.kind === "user" ? "username" : "team"
            }
            value={value.name}
            list={`${id}-suggestions`}
            autoComplete="off"
            onChange={(_e, name) => onChange({ ...value, name })}
          />
          <datalist id={`${id}-suggestions`}>
            {results.map((e) => (
              <option key={`${e.kind}:${e.name}`} value={e.name} />
            ))}
          </datalist>
        </SplitItem>
      </Split>
    </FormGroup>
  );
}
