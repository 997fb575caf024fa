// The superuser's view of storage: every namespace's usage against its quota, the system default Reject
// limit for namespaces without one, and each namespace's quota to manage.
import { useState } from "react";
import { Alert, Button, Content, Modal, ModalBody, ModalHeader, Title } from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { ErrorAlert, QueryState } from "../../components/States";
import { formatBytes, UNITS, useQuotaOverview, useSystemQuotaDefault } from "../../hooks/quota";
import { useAction } from "../../hooks/useAction";
import { useSystem } from "../../hooks/useSystem";
import { QuotaSection } from "../Quota/QuotaSection";

export function SuperuserQuotas() {
  const { system } = useSystem();
  const { result, refetch } = useQuotaOverview();
  const setDefault = useSystemQuotaDefault();
  const { error, run } = useAction(refetch);
  const [gib, setGib] = useState("");
  const [managing, setManaging] = useState<string | null>(null);
  if (!system?.features.quotaManagement)
    return <Alert variant="info" isInline title="Quota management is off (FEATURE_QUOTA_MANAGEMENT)" />;
  return (
    <>
      <ErrorAlert error={error} title="Not saved" />
      <QueryState result={result} errorTitle="Could not load the quotas">
        {({ quotaOverview: o }) => (
          <>
            <Title headingLevel="h2" size="lg">
              System default
            </Title>
            <Content component="p">
              {o.defaultBytes
                ? `Namespaces without a quota are refused pushes past ${formatBytes(o.defaultBytes)}.`
                : "No default: namespaces without a quota have no limit."}
            </Content>
            <form
              style={{ display: "flex", gap: "0.5rem", alignItems: "center", margin: "0.5rem 0 2rem" }}
              onSubmit={(e) => {
                e.preventDefault();
                void run(() => setDefault(gib ? Math.round(Number(gib) * UNITS.GiB) : null));
              }}
            >
              <label htmlFor="quota-default">Default Reject limit (GiB, empty for none)</label>
              <input
                id="quota-default"
                className="pf-v6-c-form-control"
                style={{ width: "8rem" }}
                type="number"
                min={0}
                step="any"
                value={gib}
                onChange={(e) => setGib(e.target.value)}
              />
              <Button type="submit" variant="secondary">
                Set default
              </Button>
            </form>
            <Table aria-label="Storage by namespace" variant="compact">
              <Thead>
                <Tr>
                  <Th>Namespace</Th>
                  <Th>Kind</Th>
                  <Th>Used</Th>
                  <Th>Quota</Th>
                  <Th screenReaderText="Actions" />
                </Tr>
              </Thead>
              <Tbody>
                {o.namespaces.map((n) => (
                  <Tr key={n.namespace}>
                    <Td dataLabel="Namespace">{n.namespace}</Td>
                    <Td dataLabel="Kind">{n.kind}</Td>
                    <Td dataLabel="Used">{formatBytes(n.usageBytes)}</Td>
                    <Td dataLabel="Quota">
                      {n.limitBytes ? formatBytes(n.limitBytes) : o.defaultBytes ? "system default" : "none"}
                    </Td>
                    <Td isActionCell>
                      <Button
                        variant="link"
                        onClick={() => setManaging(n.namespace)}
                        aria-label={`Manage the quota of ${n.namespace}`}
                      >
                        Manage
                      </Button>
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          </>
        )}
      </QueryState>
      <Modal
        variant="medium"
        isOpen={!!managing}
        onClose={() => {
          setManaging(null);
          refetch();
        }}
        aria-labelledby="manage-quota-title"
      >
        <ModalHeader title={`Quota of ${managing ?? ""}`} labelId="manage-quota-title" />
        <ModalBody>{managing && <QuotaSection namespace={managing} />}</ModalBody>
      </Modal>
    </>
  );
}
