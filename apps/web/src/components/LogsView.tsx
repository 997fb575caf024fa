// Audit logs of a repository, a namespace, or the whole system: date range, text filter, expandable
// entries with their metadata, cursor paging.
import { Fragment, useState } from "react";
import { CodeBlock, CodeBlockCode, DatePicker, ToolbarItem, isValidDate } from "@patternfly/react-core";
import { ExpandableRowContent, Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { ListSearch, ListToolbar } from "./ListToolbar";
import { EmptyView, QueryState } from "./States";
import { Time } from "./Time";
import { useListFilter } from "../hooks/useListFilter";
import { useLogs, type LogEntry } from "../hooks/logs";

const day = (d: Date) => d.toISOString().slice(0, 10);

/** One line a person can read: the kind in words plus the most telling metadata. */
export function describeLog(e: LogEntry): string {
  const m = (e.metadata ?? {}) as Record<string, unknown>;
  const bits = ["tag", "repo", "team", "robot", "member", "username", "role", "visibility", "namespace"]
    .filter((k) => m[k] !== undefined && m[k] !== null && typeof m[k] !== "object")
    .map((k) => `${k} ${String(m[k])}`);
  return [e.kind.replace(/_/g, " "), ...bits].join(" · ");
}

export function LogsView({ namespace, repository }: { namespace?: string; repository?: string }) {
  const [from, setFrom] = useState(day(new Date(Date.now() - 7 * 86400_000)));
  const [to, setTo] = useState(day(new Date()));
  const filter = useListFilter(50);
  const { debounced, paging } = filter;
  const [expanded, setExpanded] = useState(new Set<string>());
  const fromDate = new Date(`${from}T00:00:00`);
  const toDate = new Date(`${to}T23:59:59.999`);
  const { result } = useLogs({
    namespace: namespace ?? null,
    repository: repository ?? null,
    from: isValidDate(fromDate) ? fromDate.toISOString() : null,
    to: isValidDate(toDate) ? toDate.toISOString() : null,
    filter: debounced || null,
    ...paging.variables,
  });
  const toggle = (id: string) =>
    setExpanded((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <>
      <ListToolbar paging={paging} connection={result.data?.logs} label="Log pages">
        <ToolbarItem>
          <DatePicker
            value={from}
            onChange={(_e, v) => {
              setFrom(v);
              paging.reset();
            }}
            aria-label="From date"
            inputProps={{ "aria-label": "From" }}
          />
        </ToolbarItem>
        <ToolbarItem>
          <DatePicker
            value={to}
            onChange={(_e, v) => {
              setTo(v);
              paging.reset();
            }}
            aria-label="To date"
            inputProps={{ "aria-label": "To" }}
          />
        </ToolbarItem>
        <ListSearch filter={filter} label="Filter logs" placeholder="Filter by kind, performer, tag…" />
      </ListToolbar>
      <QueryState result={result} errorTitle="Could not load logs">
        {(data) =>
          data.logs.edges.length === 0 ? (
            <EmptyView title="No log entries in this range" />
          ) : (
            <Table aria-label="Logs" variant="compact">
              <Thead>
                <Tr>
                  <Th screenReaderText="Details" />
                  <Th>Description</Th>
                  <Th>Performed by</Th>
                  <Th>IP address</Th>
                  <Th>Date and time</Th>
                </Tr>
              </Thead>
              {data.logs.edges.map(({ node: e }, i) => (
                <Tbody key={e.id} isExpanded={expanded.has(e.id)}>
                  <Tr>
                    <Td
                      expand={{ rowIndex: i, isExpanded: expanded.has(e.id), onToggle: () => toggle(e.id) }}
                    />
                    <Td dataLabel="Description">{describeLog(e)}</Td>
                    <Td dataLabel="Performed by">{e.performer ?? "anonymous"}</Td>
                    <Td dataLabel="IP address">{e.ip ?? "—"}</Td>
                    <Td dataLabel="Date and time">
                      <Time value={e.createdAt} />
                    </Td>
                  </Tr>
                  <Tr isExpanded={expanded.has(e.id)}>
                    <Td colSpan={5}>
                      <ExpandableRowContent>
                        <Fragment>
                          <CodeBlock>
                            <CodeBlockCode>
                              {JSON.stringify(
                                {
                                  kind: e.kind,
                                  namespace: e.namespace,
                                  repository: e.repository,
                                  ...(e.metadata as object),
                                },
                                null,
                                2,
                              )}
                            </CodeBlockCode>
                          </CodeBlock>
                        </Fragment>
                      </ExpandableRowContent>
                    </Td>
                  </Tr>
                </Tbody>
              ))}
            </Table>
          )
        }
      </QueryState>
    </>
  );
}
