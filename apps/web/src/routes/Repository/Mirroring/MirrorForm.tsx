// The mirror's configuration form (seed 001 §17.4.9, Quay's Mirroring tab): Enabled, the external registry
// location, the tags to mirror (glob patterns), start date and sync interval, the robot user that writes, the
// external registry's credentials, and the advanced settings (Verify TLS, Accept unsigned images, proxies).
// The same form sets up a mirror and changes one.
import { useState, type FormEvent } from "react";
import {
  ActionGroup,
  Alert,
  Button,
  Checkbox,
  ExpandableSection,
  Form,
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
  InputGroup,
  InputGroupItem,
  TextInput,
} from "@patternfly/react-core";
import { ErrorAlert } from "../../../components/States";
import { useRobots } from "../../../hooks/robots";
import { INTERVAL_UNITS, problemOf, type IntervalUnit, type MirrorValues } from "./mirrorValues";

function Help({ children }: { children: string }) {
  return (
    <FormHelperText>
      <HelperText>
        <HelperTextItem>{children}</HelperTextItem>
      </HelperText>
    </FormHelperText>
  );
}

function Field({
  id,
  label,
  value,
  onChange,
  help,
  type = "text",
  placeholder,
  isRequired,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  help?: string;
  type?: "text" | "password" | "datetime-local";
  placeholder?: string;
  isRequired?: boolean;
}) {
  return (
    <FormGroup label={label} fieldId={id} isRequired={isRequired}>
      <TextInput
        id={id}
        type={type}
        value={value}
        onChange={(_e, v) => onChange(v)}
        placeholder={placeholder}
        isRequired={isRequired}
        autoComplete={type === "password" ? "new-password" : "off"}
      />
      {help && <Help>{help}</Help>}
    </FormGroup>
  );
}

export function MirrorForm({
  namespace,
  initial,
  submitLabel,
  isUpdate,
  onSubmit,
}: {
  namespace: string;
  initial: MirrorValues;
  submitLabel: string;
  /** Changing a saved mirror: an empty password keeps the saved one. */
  isUpdate?: boolean;
  /** Throws with a readable message on failure. */
  onSubmit: (values: MirrorValues) => Promise<void>;
}) {
  const [v, setValues] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [advanced, setAdvanced] = useState(false);
  const { result } = useRobots(namespace);
  const robots = result.data?.robots ?? [];
  const set =
    <K extends keyof MirrorValues>(key: K) =>
    (value: MirrorValues[K]) => {
      setSaved(false);
      setValues((s) => ({ ...s, [key]: value }));
    };
  const problem = problemOf(v);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (problem || busy) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await onSubmit(v);
      setValues((s) => ({ ...s, password: "" }));
      setSaved(true);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const id = (name: string) => `mirror-${name}`;
  return (
    <Form onSubmit={submit} maxWidth="48rem" aria-label="Mirror configuration">
      <ErrorAlert error={error} title="The mirror configuration was not saved" />
      {saved && isUpdate && <Alert variant="success" isInline title="Mirror configuration saved" />}
      <FormGroup fieldId={id("enabled")}>
        <Checkbox
          id={id("enabled")}
          label="Enabled"
          description="Scheduled syncs run; Sync now works either way."
          isChecked={v.isEnabled}
          onChange={(_e, on) => set("isEnabled")(on)}
        />
      </FormGroup>
      <Field
        id={id("external-reference")}
        label="External registry"
        value={v.externalReference}
        onChange={set("externalReference")}
        placeholder="quay.io/minio/mc"
        help="The repository to mirror: host[:port]/namespace/repository."
        isRequired
      />
      <Field
        id={id("tags")}
        label="Tags"
        value={v.tags}
        onChange={set("tags")}
        placeholder="latest, 1.*"
        help="Comma-separated tag patterns (globs such as * and ?); only matching tags are mirrored."
        isRequired
      />
      <Field
        id={id("start-date")}
        label="Start date"
        type="datetime-local"
        value={v.startDate}
        onChange={set("startDate")}
        help="The first scheduled sync runs at this time (your local time)."
        isRequired
      />
      <FormGroup label="Sync interval" fieldId={id("interval")} isRequired>
        <InputGroup>
          <InputGroupItem isFill>
            <TextInput
              id={id("interval")}
              type="number"
              min={1}
              value={v.interval}
              onChange={(_e, x) => set("interval")(x)}
              isRequired
            />
          </InputGroupItem>
          <InputGroupItem>
            <FormSelect
              value={v.intervalUnit}
              onChange={(_e, x) => set("intervalUnit")(x as IntervalUnit)}
              aria-label="Sync interval unit"
            >
              {Object.keys(INTERVAL_UNITS).map((u) => (
                <FormSelectOption key={u} value={u} label={u} />
              ))}
            </FormSelect>
          </InputGroupItem>
        </InputGroup>
        <Help>How long after each sync starts the next one is due.</Help>
      </FormGroup>
      <FormGroup label="Robot user" fieldId={id("robot")} isRequired>
        <FormSelect id={id("robot")} value={v.robot} onChange={(_e, x) => set("robot")(x)}>
          <FormSelectOption value="" label="Choose a robot account" isDisabled />
          {v.robot && !robots.some((r) => r.name === v.robot) && (
            <FormSelectOption value={v.robot} label={v.robot} />
          )}
          {robots.map((r) => (
            <FormSelectOption key={r.name} value={r.name} label={r.name} />
          ))}
        </FormSelect>
        <Help>
          {`The robot account of ${namespace} that writes the mirrored tags; it is given write access to this repository.`}
        </Help>
      </FormGroup>
      <Field
        id={id("username")}
        label="Username"
        value={v.username}
        onChange={set("username")}
        help="The external registry's credentials; leave empty to pull anonymously."
      />
      <Field
        id={id("password")}
        label="Password"
        type="password"
        value={v.password}
        onChange={set("password")}
        help={isUpdate ? "Leave empty to keep the saved password." : undefined}
      />
      <ExpandableSection
        toggleText="Advanced settings"
        isExpanded={advanced}
        onToggle={(_e, on) => setAdvanced(on)}
      >
        <FormGroup fieldId={id("verify-tls")}>
          <Checkbox
            id={id("verify-tls")}
            label="Verify TLS"
            description="Require a valid certificate from the external registry; without it, plain HTTP is tried too."
            isChecked={v.verifyTls}
            onChange={(_e, on) => set("verifyTls")(on)}
          />
        </FormGroup>
        <FormGroup fieldId={id("unsigned-images")}>
          <Checkbox
            id={id("unsigned-images")}
            label="Accept unsigned images"
            isChecked={v.unsignedImages}
            onChange={(_e, on) => set("unsignedImages")(on)}
          />
        </FormGroup>
        <Field
          id={id("http-proxy")}
          label="HTTP proxy"
          value={v.httpProxy}
          onChange={set("httpProxy")}
          placeholder="http://proxy.tld:3128"
        />
        <Field
          id={id("https-proxy")}
          label="HTTPS proxy"
          value={v.httpsProxy}
          onChange={set("httpsProxy")}
          placeholder="http://proxy.tld:3128"
        />
        <Field
          id={id("no-proxy")}
          label="No proxy"
          value={v.noProxy}
          onChange={set("noProxy")}
          placeholder="internal.example.com"
          help="Hosts reached without the proxy, comma-separated."
        />
      </ExpandableSection>
      <ActionGroup>
        <Button type="submit" variant="primary" isDisabled={!!problem || busy} isLoading={busy}>
          {submitLabel}
        </Button>
      </ActionGroup>
      {problem && (
        <HelperText>
          <HelperTextItem>{problem}</HelperTextItem>
        </HelperText>
      )}
    </Form>
  );
}
