// An organization as a proxy cache of a remote registry (seed 001 §15.3; FEATURE_PROXY_CACHE, in the settings
// of its admins): the Remote Registry (a registry, or one of its namespaces), optional credentials, the
// Expiration of cached tags and Insecure; "Validate" checks the upstream before the seed's Save (named "Create
// proxy cache": the settings' own form above has the page's "Save"). Once configured, the
// configuration shows read-only with "Delete": it cannot be changed, only deleted and created again.
import { useState, type FormEvent } from "react";
import {
  ActionGroup,
  Alert,
  Button,
  Checkbox,
  Content,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  TextInput,
  Title,
} from "@patternfly/react-core";
import { FormModal } from "../../components/FormModal";
import { ErrorAlert, QueryState } from "../../components/States";
import { Time } from "../../components/Time";
import {
  DEFAULT_PROXY_EXPIRATION_S,
  useOrganizationProxyCache,
  useProxyCacheFeature,
  useProxyCacheMutations,
  type ProxyCache,
  type ProxyCacheInput,
  type ProxyCacheValidation,
} from "../../hooks/proxyCache";
import { useSystem } from "../../hooks/useSystem";

const CREDENTIALS_NOTE =
  "If you do not set a Remote Registry Username and Remote Registry Password, you cannot add one without removing the proxy cache and creating a new registry.";

function Help({ children }: { children: string }) {
  return (
    <FormHelperText>
      <HelperText>
        <HelperTextItem>{children}</HelperTextItem>
      </HelperText>
    </FormHelperText>
  );
}

function ValidationResult({ result }: { result: ProxyCacheValidation }) {
  if (!result.valid)
    return (
      <Alert variant="danger" isInline title="The remote registry is not valid" role="alert">
        {result.message}
      </Alert>
    );
  return result.status === "Anonymous" ? (
    <Alert variant="warning" isInline title="Valid for anonymous pulls">
      The remote registry answers, but asks for credentials for some content; only public images will be
      cached.
    </Alert>
  ) : (
    <Alert variant="success" isInline title="The remote registry is valid" />
  );
}

function ProxyCacheForm({ organization, onSaved }: { organization: string; onSaved: () => void }) {
  const m = useProxyCacheMutations(organization);
  const [upstream, setUpstream] = useState("");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [expiration, setExpiration] = useState(String(DEFAULT_PROXY_EXPIRATION_S));
  const [insecure, setInsecure] = useState(false);
  const [validation, setValidation] = useState<ProxyCacheValidation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"validate" | "save" | null>(null);
  const expirationS = Number(expiration);
  const credentialsOk = !username.trim() === !password;
  const canSend =
    !!upstream.trim() && Number.isInteger(expirationS) && expirationS >= 1 && credentialsOk && !busy;
  const input = (): ProxyCacheInput => ({
    upstreamRegistry: upstream.trim(),
    expirationS,
    insecure,
    username: username.trim() || null,
    password: password || null,
  });
  const act = async (what: "validate" | "save") => {
    if (!canSend) return;
    setBusy(what);
    setError(null);
    try {
      if (what === "validate") setValidation(await m.validate(input()));
      else {
        await m.create(input());
        onSaved();
      }
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const changed =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      setValidation(null);
      set(v);
    };
  return (
    <Form
      maxWidth="40rem"
      aria-label="Proxy cache configuration"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void act("save");
      }}
    >
      <ErrorAlert error={error} title="The proxy cache was not saved" />
      {validation && <ValidationResult result={validation} />}
      <FormGroup label="Remote registry" fieldId="proxy-upstream" isRequired>
        <TextInput
          id="proxy-upstream"
          value={upstream}
          onChange={(_e, v) => changed(setUpstream)(v)}
          placeholder="quay.io"
          isRequired
        />
        <Help>
          The registry to cache, for example quay.io; with a namespace (quay.io/library), only that namespace
          can be pulled through this organization.
        </Help>
      </FormGroup>
      <FormGroup label="Remote registry username" fieldId="proxy-username">
        <TextInput
          id="proxy-username"
          value={username}
          onChange={(_e, v) => changed(setUsername)(v)}
          autoComplete="off"
        />
      </FormGroup>
      <FormGroup label="Remote registry password" fieldId="proxy-password">
        <TextInput
          id="proxy-password"
          type="password"
          value={password}
          onChange={(_e, v) => changed(setPassword)(v)}
          autoComplete="new-password"
        />
        <Help>
          {credentialsOk ? CREDENTIALS_NOTE : "Give both the username and the password, or neither."}
        </Help>
      </FormGroup>
      <FormGroup label="Expiration" fieldId="proxy-expiration">
        <TextInput
          id="proxy-expiration"
          type="number"
          min={1}
          value={expiration}
          onChange={(_e, v) => setExpiration(v)}
        />
        <Help>
          Seconds a cached tag lives after its last pull (default 86400); every pull of the tag sets it again.
        </Help>
      </FormGroup>
      <FormGroup fieldId="proxy-insecure">
        <Checkbox
          id="proxy-insecure"
          label="Insecure"
          description="Reach the remote registry over plain HTTP, or HTTPS without verifying its certificate."
          isChecked={insecure}
          onChange={(_e, on) => changed(setInsecure)(on)}
        />
      </FormGroup>
      <ActionGroup>
        <Button type="submit" variant="primary" isDisabled={!canSend} isLoading={busy === "save"}>
          Create proxy cache
        </Button>
        <Button
          variant="secondary"
          isDisabled={!canSend}
          isLoading={busy === "validate"}
          onClick={() => void act("validate")}
        >
          Validate
        </Button>
      </ActionGroup>
    </Form>
  );
}

function ProxyCacheDetails({
  organization,
  config: c,
  onDeleted,
}: {
  organization: string;
  config: ProxyCache;
  onDeleted: () => void;
}) {
  const m = useProxyCacheMutations(organization);
  const { system } = useSystem();
  const [deleting, setDeleting] = useState(false);
  const host = system?.serverHostname ?? location.host;
  const single = c.upstreamRegistry.includes("/");
  return (
    <>
      <DescriptionList isHorizontal isCompact aria-label="Proxy cache configuration">
        <DescriptionListGroup>
          <DescriptionListTerm>Remote registry</DescriptionListTerm>
          <DescriptionListDescription>
            <code>{c.upstreamRegistry}</code>
          </DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>Credentials</DescriptionListTerm>
          <DescriptionListDescription>
            {c.hasCredentials ? "Username and password set" : "None (anonymous pulls)"}
          </DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>Expiration</DescriptionListTerm>
          <DescriptionListDescription>{c.expirationS} seconds</DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>Insecure</DescriptionListTerm>
          <DescriptionListDescription>{c.insecure ? "Yes" : "No"}</DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>Created</DescriptionListTerm>
          <DescriptionListDescription>
            <Time value={c.createdAt} />
          </DescriptionListDescription>
        </DescriptionListGroup>
      </DescriptionList>
      <Content component="p" style={{ marginTop: "1rem" }}>
        Pull through this organization with{" "}
        <code>
          podman pull {host}/{organization}/{single ? "" : "<namespace>/"}&lt;image&gt;:&lt;tag&gt;
        </code>
        . The configuration cannot be changed: to change the remote registry or its credentials, delete it and
        create it again.
      </Content>
      <Button variant="danger" onClick={() => setDeleting(true)} style={{ marginTop: "1rem" }}>
        Delete proxy cache
      </Button>
      <FormModal
        title="Delete the proxy cache configuration?"
        submitLabel="Delete"
        danger
        isOpen={deleting}
        onClose={() => setDeleting(false)}
        onSubmit={async () => {
          await m.remove();
          onDeleted();
        }}
      >
        <p>
          {organization} stops caching {c.upstreamRegistry}. Images cached so far stay in the organization as
          ordinary repositories.
        </p>
      </FormModal>
    </>
  );
}

export function ProxyCacheSection({ organization }: { organization: string }) {
  const enabled = useProxyCacheFeature();
  const { result, refetch } = useOrganizationProxyCache(organization, !enabled);
  if (!enabled) return null;
  return (
    <section aria-label="Proxy cache" style={{ marginBottom: "2rem" }}>
      <Title headingLevel="h2" size="lg" style={{ marginBottom: "1rem" }}>
        Proxy cache
      </Title>
      <QueryState result={result} errorTitle="Could not load the proxy cache configuration">
        {({ organization: o }) =>
          o.proxyCache ? (
            <ProxyCacheDetails organization={organization} config={o.proxyCache} onDeleted={refetch} />
          ) : (
            <>
              <Content component="p" style={{ marginBottom: "1rem" }}>
                Make {organization} a cache of a remote registry: pulls through it fetch images from the
                remote registry once and serve them from here afterwards.
              </Content>
              <ProxyCacheForm organization={organization} onSaved={refetch} />
            </>
          )
        }
      </QueryState>
    </section>
  );
}
