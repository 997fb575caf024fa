// Sets or clears the expiration of one or many tags.
import { useEffect, useState } from "react";
import { Checkbox, DatePicker, FormGroup, TimePicker, isValidDate } from "@patternfly/react-core";
import { FormModal } from "../../../components/FormModal";
import { useTagMutations } from "../../../hooks/tags";

const pad = (n: number) => String(n).padStart(2, "0");

export function ExpirationModal({
  namespace,
  repository,
  tags,
  current,
  onClose,
  onDone,
}: {
  namespace: string;
  repository: string;
  tags: string[] | null;
  current: string | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { setExpiration } = useTagMutations(namespace, repository);
  const [never, setNever] = useState(true);
  const [date, setDate] = useState("");
  const [time, setTime] = useState("12:00");
  useEffect(() => {
    const start = current ? new Date(current) : new Date(Date.now() + 7 * 86400_000);
    setNever(!current);
    setDate(`${start.getFullYear()}-${pad(start.getMonth() + 1)}-${pad(start.getDate())}`);
    setTime(`${pad(start.getHours())}:${pad(start.getMinutes())}`);
  }, [tags, current]);
  const when = new Date(`${date}T${time}`);
  const valid = never || (isValidDate(when) && when.getTime() > Date.now());
  return (
    <FormModal
      title={
        tags && tags.length === 1
          ? `Change expiration of ${tags[0]}`
          : `Change expiration of ${tags?.length ?? 0} tags`
      }
      submitLabel="Change expiration"
      isOpen={tags !== null}
      onClose={onClose}
      canSubmit={valid}
      onSubmit={async () => {
        await setExpiration(tags!, never ? null : when);
        onDone();
      }}
    >
      <Checkbox
        id="expiration-never"
        label="Never expires"
        isChecked={never}
        onChange={(_e, v) => setNever(v)}
      />
      {!never && (
        <FormGroup label="Expires at" fieldId="expiration-date">
          <DatePicker
            value={date}
            onChange={(_e, v) => setDate(v)}
            inputProps={{ id: "expiration-date", "aria-label": "Expiration date" }}
            validators={[(d) => (d.getTime() < new Date().setHours(0, 0, 0, 0) ? "Pick a future date" : "")]}
          />{" "}
          <TimePicker
            is24Hour
            time={time}
            onChange={(_e, t) => setTime(t)}
            inputProps={{ "aria-label": "Expiration time" }}
          />
        </FormGroup>
      )}
    </FormModal>
  );
}
