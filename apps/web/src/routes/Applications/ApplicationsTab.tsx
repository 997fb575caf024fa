// An organization's OAuth applications (its admins): create one (its client secret shown once), edit its
// URIs, reset the secret, delete it, and generate a token for yourself with chosen scopes (seed 001 §17.2).
import { useState } from "react";
import {
  Button,
  FormGroup,
  TextArea,
  TextInput,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { ConfirmByTypingModal } from "../../components/ConfirmByTypingModal";
import { FormModal } from "../../components/FormModal";
import { RowActions } from "../../components/RowActions";
import { EmptyView, ErrorAlert, QueryState } from "../../components/States";
import { type Application, useApplicationMutations, useApplications } from "../../hooks/applications";
import { useAction } from "../../hooks/useAction";
import { GenerateTokenModal } from "./GenerateTokenModal";
import { SecretModal } from "../../components/SecretModal";

interface Fields {
  name: string;
  redirectUri: string;
  applicationUri: string;
  description: string;
}
const BLANK: Fields = { name: "", redirectUri: "", applicationUri: "", description: "" };

function ApplicationFields({ value, onChange }: { value: Fields; onChange: (v: Fields) => void }) {
  const field = (key: keyof Fields, label: string, help?: string) => (
    <FormGroup label={label} fieldId={`app-${key}`} isRequired={key === "name"}>
      {key === "description" ? (
        <TextArea
          id={`app-${key}`}
          value={value[key]}
          onChange={(_e, v) => onChange({ ...value, [key]: v })}
        />
      ) : (
        <TextInput
          id={`app-${key}`}
          value={value[key]}
          placeholder={help}
          onChange={(_e, v) => onChange({ ...value, [key]: v })}
        />
      )}
    </FormGroup>
  );
  return (
    <>
      {field("name", "Application name")}
      {field("redirectUri", "Redirect/Callback URL prefix", "https://tool.example.com/oauth")}
      {field("applicationUri", "Homepage URL", "https://tool.example.com")}
      {field("description", "Description")}
    </>
  );
}

export function ApplicationsTab({ organization }: { organization: string }) {
  const { result, refetch } = useApplications(organization);
  const m = useApplicationMutations(organization);
  const { error, run } = useAction(refetch);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Application | null>(null);
  const [fields, setFields] = useState<Fields>(BLANK);
  const [secret, setSecret] = useState<{ app: string; secret: string } | null>(null);
  const [deleting, setDeleting] = useState<Application | null>(null);
  const [tokenFor, setTokenFor] = useState<Application | null>(null);

  const edit = (a: Application) => {
    setFields({
      name: a.name,
      redirectUri: a.redirectUri,
      applicationUri: a.applicationUri,
      description: a.description,
    });
    setEditing(a);
  };
  return (
    <>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <Button
              variant="primary"
              onClick={() => {
                setFields(BLANK);
                setCreating(true);
              }}
            >
              Create new application
            </Button>
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <ErrorAlert error={error} />
      <QueryState result={result} errorTitle="Could not load the applications">
        {({ organization: org }) =>
          org.applications.length === 0 ? (
            <EmptyView title="No OAuth applications">
              An application lets scripts and tools call the API with tokens of the scopes a user grants it.
            </EmptyView>
          ) : (
            <Table aria-label="OAuth applications" variant="compact">
              <Thead>
                <Tr>
                  <Th>Application name</Th>
                  <Th>Client ID</Th>
                  <Th>Redirect URL prefix</Th>
                  <Th screenReaderText="Actions" />
                </Tr>
              </Thead>
              <Tbody>
                {org.applications.map((a) => (
                  <Tr key={a.clientId}>
                    <Td dataLabel="Application name">
                      <Button variant="link" isInline onClick={() => edit(a)}>
                        {a.name}
                      </Button>
                    </Td>
                    <Td dataLabel="Client ID">
                      <code>{a.clientId}</code>
                    </Td>
                    <Td dataLabel="Redirect URL prefix">{a.redirectUri || "—"}</Td>
                    <Td isActionCell>
                      <RowActions
                        label={`Actions for ${a.name}`}
                        items={[
                          { title: "Generate token", onClick: () => setTokenFor(a) },
                          { title: "Edit", onClick: () => edit(a) },
                          {
                            title: "Reset client secret",
                            onClick: () =>
                              run(async () =>
                                setSecret({ app: a.name, secret: await m.resetSecret(a.clientId) }),
                              ),
                          },
                          { title: "Delete", isDanger: true, onClick: () => setDeleting(a) },
                        ]}
                      />
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          )
        }
      </QueryState>
      <FormModal
        title="Create new application"
        submitLabel="Create"
        variant="medium"
        isOpen={creating}
        onClose={() => setCreating(false)}
        canSubmit={!!fields.name.trim()}
        onSubmit={async () => {
          const clientSecret = await m.create(fields);
          refetch();
          setSecret({ app: fields.name, secret: clientSecret });
        }}
      >
        <ApplicationFields value={fields} onChange={setFields} />
      </FormModal>
      <FormModal
        title={`Edit ${editing?.name ?? ""}`}
        submitLabel="Save"
        variant="medium"
        isOpen={!!editing}
        onClose={() => setEditing(null)}
        canSubmit={!!fields.name.trim()}
        description={editing ? `Client ID ${editing.clientId}` : undefined}
        onSubmit={async () => {
          await m.update(editing!.clientId, fields);
          refetch();
        }}
      >
        <ApplicationFields value={fields} onChange={setFields} />
      </FormModal>
      <SecretModal shown={secret} onClose={() => setSecret(null)} />
      <GenerateTokenModal
        application={tokenFor}
        onClose={() => setTokenFor(null)}
        generate={m.generateToken}
      />
      <ConfirmByTypingModal
        title={`Delete application ${deleting?.name ?? ""}?`}
        isOpen={!!deleting}
        onClose={() => setDeleting(null)}
        expected={deleting?.name ?? ""}
        onConfirm={async () => {
          await m.remove(deleting!.clientId);
          refetch();
        }}
      >
        The tokens it issued stop working.
      </ConfirmByTypingModal>
    </>
  );
}
