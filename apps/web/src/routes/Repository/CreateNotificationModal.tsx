// The form that creates a repository notification: an event (with its filter for image expiry and
// vulnerabilities), a method and the method's settings, and an optional title. E-mail addresses must be
// confirmed for the repository first; the form offers to send the confirmation.
import { useState, type ReactNode } from "react";
import {
  Alert,
  Button,
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
  TextArea,
  TextInput,
} from "@patternfly/react-core";
import { FormModal } from "../../components/FormModal";
import { ErrorAlert } from "../../components/States";
import {
  SEVERITIES,
  useNotificationEmail,
  useRepositoryNotificationMutations,
  type Severity,
} from "../../hooks/notifications";
import { useAction } from "../../hooks/useAction";
import { useDebounced } from "../../hooks/useDebounced";

type NamedItem = { name: string; title: string };
export interface Catalogue {
  events: NamedItem[];
  methods: NamedItem[];
  mailing: boolean;
}
type TargetKind = "user" | "team" | "org";

interface Fields {
  title: string;
  event: string;
  days: string;
  level: Severity;
  method: string;
  targetKind: TargetKind;
  targetName: string;
  email: string;
  url: string;
  template: string;
  flowToken: string;
  roomId: string;
  roomToken: string;
}

const blank = (targetName: string): Fields => ({
  title: "",
  event: "",
  days: "7",
  level: "High",
  method: "",
  targetKind: "user",
  targetName,
  email: "",
  url: "",
  template: "",
  flowToken: "",
  roomId: "",
  roomToken: "",
});

type TextFieldName = "days" | "targetName" | "email" | "url" | "flowToken" | "roomId" | "roomToken" | "title";

/** A labelled text input bound to one of the form's fields (help text, if any, as children). */
function TextField({
  label,
  name,
  f,
  set,
  type,
  required = false,
  placeholder,
  children,
}: {
  label: string;
  name: TextFieldName;
  f: Fields;
  set: (k: TextFieldName, v: string) => void;
  type?: "text" | "number" | "email" | "url" | "password";
  required?: boolean;
  placeholder?: string;
  children?: ReactNode;
}) {
  const id = `notification-${name}`;
  return (
    <FormGroup label={label} isRequired={required} fieldId={id}>
      <TextInput
        id={id}
        type={type}
        value={f[name]}
        onChange={(_e, v) => set(name, v)}
        placeholder={placeholder}
        autoComplete="off"
        {...(type === "number" ? { min: 1 } : {})}
      />
      {children}
    </FormGroup>
  );
}

/** The method's settings as the API takes them, or null while a required one is missing. */
function methodConfig(f: Fields): Record<string, unknown> | null {
  const t = (s: string) => s.trim();
  switch (f.method) {
    case "quay_notification":
      return t(f.targetName) ? { target: { kind: f.targetKind, name: t(f.targetName) } } : null;
    case "email":
      return t(f.email) ? { email: t(f.email) } : null;
    case "webhook":
      return t(f.url) ? { url: t(f.url), ...(t(f.template) ? { template: t(f.template) } : {}) } : null;
    case "slack":
    case "msteams":
      return t(f.url) ? { url: t(f.url) } : null;
    case "flowdock":
      return t(f.flowToken) ? { flow_api_token: t(f.flowToken) } : null;
    case "hipchat":
      return t(f.roomId) && t(f.roomToken)
        ? { room_id: t(f.roomId), notification_token: t(f.roomToken) }
        : null;
    default:
      return null;
  }
}

function eventConfig(f: Fields): Record<string, unknown> {
  if (f.event === "repo_image_expiry") return { days: Number(f.days) };
  if (f.event === "vulnerability_found") return { level: f.level };
  return {};
}

const URL_LABELS: Record<string, string> = {
  webhook: "Webhook URL",
  slack: "Slack Webhook URL",
  msteams: "Microsoft Teams Webhook URL",
};

export function CreateNotificationModal({
  repository,
  catalogue,
  isOrganization,
  viewerName,
  isOpen,
  onClose,
  onCreated,
}: {
  /** namespace/name */
  repository: string;
  catalogue: Catalogue;
  isOrganization: boolean;
  viewerName: string;
  isOpen: boolean;
  onClose: () => void;
  /** After a creation; a webhook's signing secret comes along, shown only now. */
  onCreated: (signingSecret: string | null) => void;
}) {
  const m = useRepositoryNotificationMutations(repository);
  const [f, setF] = useState<Fields>(() => blank(viewerName));
  const set = <K extends keyof Fields>(k: K, v: Fields[K]) => setF((old) => ({ ...old, [k]: v }));
  const bind = { f, set: (k: TextFieldName, v: string) => set(k, v) };
  const email = useDebounced(f.method === "email" ? f.email.trim() : "", 400);
  const authorized = useNotificationEmail(repository, /^[^\s@]+@[^\s@]+$/.test(email) ? email : null);
  const { error: emailError, run } = useAction(authorized.refetch);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const config = methodConfig(f);
  const daysOk = f.event !== "repo_image_expiry" || (Number.isInteger(Number(f.days)) && Number(f.days) >= 1);
  const close = () => {
    setF(blank(viewerName));
    setSentTo(null);
    onClose();
  };
  const emailState = authorized.result.data?.notificationEmail;
  return (
    <FormModal
      title="Create notification"
      submitLabel="Create notification"
      variant="medium"
      isOpen={isOpen}
      onClose={close}
      canSubmit={!!f.event && !!config && daysOk}
      onSubmit={async () => {
        const created = await m.create({
          event: f.event,
          method: f.method,
          config: config!,
          eventConfig: eventConfig(f),
          title: f.title.trim() || null,
        });
        setF(blank(viewerName));
        setSentTo(null);
        onCreated(created.signingSecret ?? null);
      }}
    >
      <FormGroup label="When this event occurs" isRequired fieldId="notification-event">
        <FormSelect id="notification-event" value={f.event} onChange={(_e, v) => set("event", v)}>
          <FormSelectOption value="" label="Select an event" isPlaceholder isDisabled />
          {catalogue.events.map((e) => (
            <FormSelectOption key={e.name} value={e.name} label={e.title} />
          ))}
        </FormSelect>
      </FormGroup>
      {f.event === "repo_image_expiry" && (
        <TextField
          label="When the image is due to expire in days"
          name="days"
          type="number"
          required
          {...bind}
        />
      )}
      {f.event === "vulnerability_found" && (
        <FormGroup label="With a severity of at least" fieldId="notification-level">
          <FormSelect
            id="notification-level"
            value={f.level}
            onChange={(_e, v) => set("level", v as Severity)}
          >
            {SEVERITIES.map((s) => (
              <FormSelectOption key={s} value={s} label={s} />
            ))}
          </FormSelect>
        </FormGroup>
      )}
      <FormGroup label="Then issue a notification" isRequired fieldId="notification-method">
        <FormSelect id="notification-method" value={f.method} onChange={(_e, v) => set("method", v)}>
          <FormSelectOption value="" label="Select a method" isPlaceholder isDisabled />
          {catalogue.methods.map((x) => (
            <FormSelectOption
              key={x.name}
              value={x.name}
              label={x.name === "email" && !catalogue.mailing ? `${x.title} (mailing is off)` : x.title}
              isDisabled={x.name === "email" && !catalogue.mailing}
            />
          ))}
        </FormSelect>
      </FormGroup>
      {f.method === "quay_notification" && (
        <>
          <FormGroup label="Recipient kind" fieldId="notification-target-kind">
            <FormSelect
              id="notification-target-kind"
              value={f.targetKind}
              onChange={(_e, v) => set("targetKind", v as TargetKind)}
            >
              <FormSelectOption value="user" label="User" />
              {isOrganization && <FormSelectOption value="team" label="Team" />}
              {isOrganization && <FormSelectOption value="org" label="Organization" />}
            </FormSelect>
          </FormGroup>
          <TextField label="Recipient" name="targetName" required {...bind}>
            <FormHelperText>
              <HelperText>
                <HelperTextItem>
                  The {f.targetKind === "user" ? "user" : f.targetKind === "team" ? "team" : "organization"}{" "}
                  whose bell gets the notification
                  {f.targetKind === "user" ? "" : " (each of its members)"}.
                </HelperTextItem>
              </HelperText>
            </FormHelperText>
          </TextField>
        </>
      )}
      {f.method === "email" && (
        <>
          <TextField label="E-mail address" name="email" type="email" required {...bind} />
          <ErrorAlert error={emailError} title="The confirmation e-mail was not sent" />
          {email && authorized.result.data && !emailState?.confirmed && (
            <Alert
              variant="info"
              isInline
              title={
                sentTo === email
                  ? `A confirmation e-mail was sent to ${email}`
                  : `${email} is not confirmed for this repository`
              }
              actionLinks={
                <Button
                  variant="link"
                  isInline
                  onClick={() =>
                    run(async () => {
                      await m.requestEmail(email);
                      setSentTo(email);
                    })
                  }
                >
                  {sentTo === email || emailState
                    ? "Send the confirmation e-mail again"
                    : "Send confirmation e-mail"}
                </Button>
              }
            >
              The address must follow the link it is sent before notifications can go to it; creating the
              notification fails until then.
            </Alert>
          )}
        </>
      )}
      {URL_LABELS[f.method] && (
        <TextField
          label={URL_LABELS[f.method]!}
          name="url"
          type="url"
          required
          placeholder="https://"
          {...bind}
        />
      )}
      {f.method === "webhook" && (
        <FormGroup label="POST JSON body template" fieldId="notification-template">
          <TextArea
            id="notification-template"
            value={f.template}
            onChange={(_e, v) => set("template", v)}
            resizeOrientation="vertical"
            placeholder='{"repository": "${repository}", "tags": ${updated_tags}}'
          />
          <FormHelperText>
            <HelperText>
              <HelperTextItem>
                Optional. {"${field}"} is replaced with that field of the event data; empty sends the event
                data itself.
              </HelperTextItem>
            </HelperText>
          </FormHelperText>
        </FormGroup>
      )}
      {f.method === "flowdock" && (
        <TextField label="Flow API token" name="flowToken" type="password" required {...bind} />
      )}
      {f.method === "hipchat" && (
        <>
          <TextField label="Room ID" name="roomId" required {...bind} />
          <TextField label="Room notification token" name="roomToken" type="password" required {...bind} />
        </>
      )}
      <TextField label="Title" name="title" placeholder="Optional" {...bind} />
    </FormModal>
  );
}
