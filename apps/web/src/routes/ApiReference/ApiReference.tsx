// The REST API's reference, rendered from the discovery document the server generates from its route table
// (/api/v1/discovery, Swagger 2.0): every operation by section with its scope, parameters and body.
import { useEffect, useMemo, useState } from "react";
import {
  CodeBlock,
  CodeBlockCode,
  Content,
  ExpandableSection,
  Flex,
  Label,
  PageSection,
  SearchInput,
  Title,
} from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { ErrorAlert, Loading } from "../../components/States";

interface Parameter {
  name: string;
  in: string;
  type?: string;
  required?: boolean;
  description?: string;
  schema?: { $ref: string };
}
interface Operation {
  operationId: string;
  description: string;
  tags: string[];
  parameters: Parameter[];
  security?: { oauth2_implicit: string[] }[];
  responses: Record<string, { schema?: { $ref: string } }>;
}
interface Doc {
  paths: Record<string, Record<string, unknown> & { parameters: Parameter[] }>;
  definitions: Record<string, unknown>;
}

const METHOD_COLORS = { get: "blue", post: "green", put: "orange", delete: "red" } as const;
type Method = keyof typeof METHOD_COLORS;

function OperationView({
  method,
  path,
  op,
  pathParams,
  doc,
}: {
  method: Method;
  path: string;
  op: Operation;
  pathParams: Parameter[];
  doc: Doc;
}) {
  const [open, setOpen] = useState(false);
  const params = [...pathParams, ...op.parameters.filter((p) => p.in !== "body")];
  const body = op.parameters.find((p) => p.in === "body");
  const def = (ref?: string) => (ref ? doc.definitions[ref.replace("#/definitions/", "")] : undefined);
  const success = Object.entries(op.responses).find(([c]) => c.startsWith("2"));
  const scope = op.security?.[0]?.oauth2_implicit[0];
  return (
    <ExpandableSection
      isExpanded={open}
      onToggle={(_e, v) => setOpen(v)}
      toggleContent={
        <Flex gap={{ default: "gapSm" }} alignItems={{ default: "alignItemsCenter" }}>
          <Label color={METHOD_COLORS[method]} isCompact>
            {method.toUpperCase()}
          </Label>
          <code>{path}</code>
          {scope && (
            <Label isCompact variant="outline">
              {scope}
            </Label>
          )}
        </Flex>
      }
    >
      <Content component="p">
        {op.description} <small>({op.operationId})</small>
      </Content>
      {params.length > 0 && (
        <Table aria-label={`Parameters of ${op.operationId}`} variant="compact">
          <Thead>
            <Tr>
              <Th>Parameter</Th>
              <Th>In</Th>
              <Th>Type</Th>
              <Th>Description</Th>
            </Tr>
          </Thead>
          <Tbody>
            {params.map((p) => (
              <Tr key={`${p.in}-${p.name}`}>
                <Td dataLabel="Parameter">
                  <code>{p.name}</code>
                  {p.required ? " *" : ""}
                </Td>
                <Td dataLabel="In">{p.in}</Td>
                <Td dataLabel="Type">{p.type}</Td>
                <Td dataLabel="Description">{p.description}</Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
      {body && (
        <>
          <Title headingLevel="h4">Request body</Title>
          <CodeBlock>
            <CodeBlockCode>{JSON.stringify(def(body.schema?.$ref), null, 2)}</CodeBlockCode>
          </CodeBlock>
        </>
      )}
      {success && (
        <>
          <Title headingLevel="h4">Answer {success[0]}</Title>
          {success[1].schema && (
            <CodeBlock>
              <CodeBlockCode>{JSON.stringify(def(success[1].schema.$ref), null, 2)}</CodeBlockCode>
            </CodeBlock>
          )}
        </>
      )}
    </ExpandableSection>
  );
}

export function ApiReference() {
  const [doc, setDoc] = useState<Doc | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  useEffect(() => {
    fetch("/api/v1/discovery", { headers: { accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`The server answered ${r.status}`))))
      .then(setDoc, (e: Error) => setError(e.message));
  }, []);
  const sections = useMemo(() => {
    const out = new Map<string, { method: Method; path: string; op: Operation; pathParams: Parameter[] }[]>();
    if (!doc) return out;
    const f = filter.trim().toLowerCase();
    for (const [path, item] of Object.entries(doc.paths))
      for (const method of Object.keys(METHOD_COLORS) as Method[]) {
        const op = item[method] as Operation | undefined;
        if (!op) continue;
        const text = `${method} ${path} ${op.operationId} ${op.description}`.toLowerCase();
        if (f && !text.includes(f)) continue;
        const tag = op.tags[0] ?? "other";
        out.set(tag, [...(out.get(tag) ?? []), { method, path, op, pathParams: item.parameters }]);
      }
    return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }, [doc, filter]);
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">API reference</Title>
        <Content component="p">
          Quay's REST API at <code>/api/v1</code>. Send an OAuth access token as{" "}
          <code>Authorization: Bearer</code> (an organization's OAuth application generates one). The
          machine-readable document, for Swagger UI and client generators, is{" "}
          <a href="/api/v1/discovery">/api/v1/discovery</a>.
        </Content>
        <SearchInput
          aria-label="Search the API"
          placeholder="Search paths and operations"
          value={filter}
          onChange={(_e, v) => setFilter(v)}
          onClear={() => setFilter("")}
          style={{ maxWidth: "30rem", marginTop: "1rem" }}
        />
      </PageSection>
      <PageSection>
        <ErrorAlert error={error} title="Could not load the API document" />
        {!doc && !error && <Loading />}
        {[...sections.entries()].map(([tag, ops]) => (
          <section key={tag} style={{ marginBottom: "1.5rem" }}>
            <Title headingLevel="h2">{tag}</Title>
            {ops.map((o) => (
              <OperationView key={`${o.method} ${o.path}`} {...o} doc={doc!} />
            ))}
          </section>
        ))}
      </PageSection>
    </>
  );
}
