// A namespace's storage: the usage bar against its quota, the Warning and Reject limits, and (for superusers)
// the forms that set the quota and its limits. Shown with FEATURE_QUOTA_MANAGEMENT only.
import { useState } from "react";
import {
  Button,
  Content,
  Flex,
  Form,
  FormGroup,
  FormSelect,
  FormSelectOption,
  InputGroup,
  InputGroupItem,
  Progress,
  ProgressMeasureLocation,
  TextInput,
  Title,
} from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { ErrorAlert, QueryState } from "../../components/States";
import { formatBytes, UNITS, useNamespaceQuota, useQuotaMutations, type Unit } from "../../hooks/quota";
import { useAction } from "../../hooks/useAction";
import { useViewer } from "../../hooks/session";
import { useSystem } from "../../hooks/useSystem";

function SizeInput({
  id,
  label,
  onSubmit,
}: {
  id: string;
  label: string;
  onSubmit: (bytes: number) => Promise<void>;
}) {
  const [value, setValue] = useState("");
  const [unit, setUnit] = useState<Unit>("GiB");
  const n = Number(value);
  return (
    <Form
      isHorizontal
      onSubmit={(e) => {
        e.preventDefault();
        if (n > 0) void onSubmit(Math.round(n * UNITS[unit])).then(() => setValue(""));
      }}
    >
      <FormGroup label={label} fieldId={id}>
        <InputGroup>
          <InputGroupItem isFill>
            <TextInput
              id={id}
              type="number"
              min={0}
              step="any"
              value={value}
              onChange={(_e, v) => setValue(v)}
            />
          </InputGroupItem>
          <InputGroupItem>
            <FormSelect value={unit} onChange={(_e, v) => setUnit(v as Unit)} aria-label={`${label} unit`}>
              {Object.keys(UNITS).map((u) => (
                <FormSelectOption key={u} value={u} label={u} />
              ))}
            </FormSelect>
          </InputGroupItem>
          <InputGroupItem>
            <Button type="submit" variant="secondary" isDisabled={!(n > 0)}>
              Apply
            </Button>
          </InputGroupItem>
        </InputGroup>
      </FormGroup>
    </Form>
  );
}

export function QuotaSection({ namespace, timeMachine }: { namespace: string; timeMachine?: string }) {
  const { system } = useSystem();
  const { viewer } = useViewer();
  const enabled = !!system?.features.quotaManagement;
  const { result, refetch } = useNamespaceQuota(namespace, !enabled);
  const m = useQuotaMutations(namespace);
  const { error, run } = useAction(refetch);
  const [limitType, setLimitType] = useState<"Warning" | "Reject">("Warning");
  const [percent, setPercent] = useState("80");
  if (!enabled) return null;
  const canEdit = !!viewer?.superuser;
  return (
    <section aria-label="Quota" style={{ marginBottom: "2rem" }}>
      <Title headingLevel="h2" size="lg">
        Quota
      </Title>
      <ErrorAlert error={error} title="The quota was not changed" />
      <QueryState result={result} errorTitle="Could not load the quota">
        {({ namespaceQuota: q }) => {
          const limit = q.quota?.limitBytes ?? null;
          const used = q.usageBytes;
          const percentUsed = limit ? Math.min(100, (used / limit) * 100) : 0;
          const reject = q.quota?.limits.find((l) => l.type === "Reject");
          return (
            <>
              {limit ? (
                <Progress
                  value={percentUsed}
                  title={`${formatBytes(used)} of ${formatBytes(limit)} used${q.quota?.isDefault ? " (system default)" : ""}`}
                  measureLocation={ProgressMeasureLocation.outside}
                  variant={
                    reject && used >= reject.bytes ? "danger" : percentUsed >= 80 ? "warning" : undefined
                  }
                  aria-label="Quota used"
                />
              ) : (
                <Content component="p">
                  {formatBytes(used)} used; no quota applies
                  {q.defaultExists ? "" : " (no system default either)"}.
                </Content>
              )}
              <Content component="small">
                Usage counts each layer once per repository. A deleted tag keeps its space while the time
                machine
                {timeMachine ? ` (${timeMachine})` : ""} can restore it, until garbage collection removes it;
                with a time machine of 0s the space is freed at once.
              </Content>
              {q.quota && q.quota.limits.length > 0 && (
                <Table
                  aria-label="Quota limits"
                  variant="compact"
                  style={{ marginTop: "1rem", maxWidth: "40rem" }}
                >
                  <Thead>
                    <Tr>
                      <Th>Action</Th>
                      <Th>Quota threshold</Th>
                      <Th>Bytes</Th>
                      {canEdit && !q.quota.isDefault && <Th screenReaderText="Actions" />}
                    </Tr>
                  </Thead>
                  <Tbody>
                    {q.quota.limits.map((l) => (
                      <Tr key={l.id}>
                        <Td dataLabel="Action">{l.type}</Td>
                        <Td dataLabel="Quota threshold">{l.thresholdPercent} %</Td>
                        <Td dataLabel="Bytes">{formatBytes(l.bytes)}</Td>
                        {canEdit && !q.quota!.isDefault && (
                          <Td isActionCell>
                            <Button
                              variant="link"
                              isDanger
                              aria-label={`Delete the ${l.type} limit`}
                              onClick={() => run(() => m.removeLimit(q.quota!.id, l.id))}
                            >
                              Delete
                            </Button>
                          </Td>
                        )}
                      </Tr>
                    ))}
                  </Tbody>
                </Table>
              )}
              {canEdit && (
                <div style={{ marginTop: "1rem", maxWidth: "40rem" }}>
                  <SizeInput
                    id={`quota-limit-${namespace}`}
                    label="Storage quota"
                    onSubmit={(bytes) => run(() => m.set(bytes))}
                  />
                  {q.quota && !q.quota.isDefault && (
                    <>
                      <Form
                        isHorizontal
                        style={{ marginTop: "1rem" }}
                        onSubmit={(e) => {
                          e.preventDefault();
                          void run(() => m.addLimit(q.quota!.id, limitType, Number(percent)));
                        }}
                      >
                        <FormGroup label="Add a limit" fieldId={`quota-limit-type-${namespace}`}>
                          <Flex>
                            <FormSelect
                              id={`quota-limit-type-${namespace}`}
                              value={limitType}
                              onChange={(_e, v) => setLimitType(v as "Warning" | "Reject")}
                              aria-label="Limit action"
                              style={{ width: "10rem" }}
                            >
                              <FormSelectOption value="Warning" label="Warning" />
                              <FormSelectOption value="Reject" label="Reject" />
                            </FormSelect>
                            <TextInput
                              type="number"
                              min={1}
                              max={100}
                              value={percent}
                              onChange={(_e, v) => setPercent(v)}
                              aria-label="Threshold percent"
                              style={{ width: "6rem" }}
                            />
                            <Button type="submit" variant="secondary">
                              Add limit
                            </Button>
                          </Flex>
                        </FormGroup>
                      </Form>
                      <Button
                        variant="link"
                        isDanger
                        style={{ marginTop: "0.5rem" }}
                        onClick={() => run(() => m.remove(q.quota!.id))}
                      >
                        Remove the quota
                      </Button>
                    </>
                  )}
                </div>
              )}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
