// "Generate token" (seed 001 §17.2): the viewer authorizes the application for themselves with the scopes
// checked; the access token is shown once.
import { useState } from "react";
import { Checkbox, FormGroup } from "@patternfly/react-core";
import { FormModal } from "../../components/FormModal";
import { type Application, SCOPES } from "../../hooks/applications";
import { useViewer } from "../../hooks/session";
import { SecretModal } from "../../components/SecretModal";

export function GenerateTokenModal({
  application,
  onClose,
  generate,
}: {
  application: Application | null;
  onClose: () => void;
  generate: (clientId: string, scopes: string[]) => Promise<string>;
}) {
  const { viewer } = useViewer();
  const [scopes, setScopes] = useState<string[]>([]);
  const [token, setToken] = useState<{ app: string; secret: string } | null>(null);
  const offered = SCOPES.filter((s) => s.scope !== "super:user" || viewer?.superuser);
  const close = () => {
    setScopes([]);
    onClose();
  };
  return (
    <>
      <FormModal
        title={`Generate a token for ${application?.name ?? ""}`}
        submitLabel="Generate access token"
        variant="medium"
        isOpen={!!application}
        onClose={close}
        canSubmit={scopes.length > 0}
        description="The token acts as you, within the scopes checked here."
        onSubmit={async () => {
          setToken({ app: application!.name, secret: await generate(application!.clientId, scopes) });
        }}
      >
        <FormGroup role="group" label="Scopes" fieldId="token-scopes" isStack>
          {offered.map((s) => (
            <Checkbox
              key={s.scope}
              id={`scope-${s.scope}`}
              label={`${s.title} (${s.scope})`}
              description={
                s.dangerous ? "Grants administration: give it only to tools you trust fully" : undefined
              }
              isChecked={scopes.includes(s.scope)}
              onChange={(_e, checked) =>
                setScopes((cur) => (checked ? [...cur, s.scope] : cur.filter((x) => x !== s.scope)))
              }
            />
          ))}
        </FormGroup>
      </FormModal>
      <SecretModal what="access token" shown={token} onClose={() => setToken(null)} />
    </>
  );
}
