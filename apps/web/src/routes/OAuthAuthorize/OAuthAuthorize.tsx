// The consent page of /oauth/authorize: an external tool asks for access to the signed-in user's account
// with some scopes. Approving or denying posts the form back to the server, which redirects to the tool.
import { useEffect, useState } from "react";
import { ActionGroup, Alert, Button, Content, Flex, List, ListItem, LoginPage } from "@patternfly/react-core";
import { Navigate, useLocation } from "react-router-dom";
import { EntityAvatar } from "../../components/EntityAvatar";
import { ErrorAlert, Loading } from "../../components/States";
import { useViewer } from "../../hooks/session";
import { RoutePath } from "../paths";

interface Consent {
  application: {
    name: string;
    description: string;
    url: string;
    avatar: { name: string; hash: string; color: string; kind: string };
    organization: { name: string };
  };
  scopes: { scope: string; description: string; dangerous: boolean }[];
  has_dangerous_scopes: boolean;
  response_type: string;
  client_id: string;
  redirect_uri: string;
  scope: string;
  state: string | null;
  csrf_token_val: string;
}

type Loaded = { consent: Consent } | { error: string } | { signIn: true };

/** The form the server takes at /oauth/authorizeapp and /oauth/denyapp. */
function ConsentForm({
  action,
  consent,
  children,
}: {
  action: string;
  consent: Consent;
  children: React.ReactNode;
}) {
  const fields = {
    response_type: consent.response_type,
    client_id: consent.client_id,
    redirect_uri: consent.redirect_uri,
    scope: consent.scope,
    state: consent.state ?? "",
    _csrf_token: consent.csrf_token_val,
  };
  return (
    <form method="post" action={action} style={{ display: "inline" }}>
      {Object.entries(fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {children}
    </form>
  );
}

export function OAuthAuthorize() {
  const { search, pathname } = useLocation();
  const { viewer } = useViewer();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const signedIn = !!viewer;
  useEffect(() => {
    // Anonymous visitors sign in first (below); asking the server for them would only be refused.
    if (!signedIn) return;
    const q = new URLSearchParams(search);
    q.set("format", "json");
    fetch(`/oauth/authorize?${q}`, { headers: { accept: "application/json" }, credentials: "same-origin" })
      .then(async (r) => {
        if (r.status === 401) return setLoaded({ signIn: true });
        const body = (await r.json()) as Consent & { error_description?: string };
        setLoaded(r.ok ? { consent: body } : { error: body.error_description ?? "The request is not valid" });
      })
      .catch(() => setLoaded({ error: "The server could not be reached" }));
  }, [search, signedIn]);

  if (viewer === null || (loaded && "signIn" in loaded))
    return <Navigate to={`${RoutePath.SignIn}?next=${encodeURIComponent(pathname + search)}`} replace />;
  if (!loaded) return <Loading />;
  if ("error" in loaded)
    return (
      <LoginPage loginTitle="Authorize application">
        <ErrorAlert title="This authorization request cannot be granted" error={loaded.error} />
      </LoginPage>
    );
  const { consent } = loaded;
  const app = consent.application;
  return (
    <LoginPage loginTitle="Authorize application">
      <Flex alignItems={{ default: "alignItemsCenter" }} style={{ marginBottom: "1rem" }}>
        <EntityAvatar avatar={app.avatar} size={36} />
        <Content>
          <h2>{app.name}</h2>
          <p>
            by the organization <strong>{app.organization.name}</strong>
            {app.url && (
              <>
                {" "}
                · <a href={app.url}>{app.url}</a>
              </>
            )}
          </p>
        </Content>
      </Flex>
      {app.description && <Content component="p">{app.description}</Content>}
      <Content component="p">This application would like permission to:</Content>
      <List aria-label="Requested scopes">
        {consent.scopes.map((s) => (
          <ListItem key={s.scope}>
            <strong>{s.scope}</strong>: {s.description}
          </ListItem>
        ))}
      </List>
      {consent.has_dangerous_scopes && (
        <Alert
          variant="warning"
          isInline
          title="Some of these permissions administer your account or organizations: approve only applications you trust fully."
          style={{ marginTop: "1rem" }}
        />
      )}
      <ActionGroup style={{ marginTop: "1.5rem" }}>
        <ConsentForm action="/oauth/authorizeapp" consent={consent}>
          <Button type="submit" variant="primary">
            Authorize application
          </Button>
        </ConsentForm>
        <ConsentForm action="/oauth/denyapp" consent={consent}>
          <Button type="submit" variant="link">
            Deny
          </Button>
        </ConsentForm>
      </ActionGroup>
    </LoginPage>
  );
}
