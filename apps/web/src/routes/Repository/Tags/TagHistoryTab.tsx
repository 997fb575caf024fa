// Tag history: what happened to every tag (created, moved, deleted, expired, restored), filtered by tag
// name and date range, with restore for entries still inside the time-machine window.
import { useState } from "react";
import { Button, DatePicker, Label, ToolbarItem, isValidDate } from "@patternfly/react-core";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { ListSearch, ListToolbar } from "../../../components/ListToolbar";
import { EmptyView, ErrorAlert, QueryState } from "../../../components/States";
import { Time } from "../../../components/Time";
import { viewerCanWrite } from "../../../hooks/repositories";
import { useListFilter } from "../../../hooks/useListFilter";
import { shortDigest, useTagHistory, useTagMutations, type TagHistoryEntry } from "../../../hooks/tags";

function describe(e: TagHistoryEntry): string {
  const began = { created: "created", moved: "moved to", restored: "restored to" }[e.action] ?? e.action;
  const ended = e.endAction ? `; ${e.endAction}` : "";
  return `${e.tag} ${began} ${shortDigest(e.manifestDigest)}${ended}`;
}

export function TagHistoryTab({ namespace, name }: { namespace: string; name: string }) {
  const tag = useListFilter(50);
  const { debounced, paging } = tag;
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const sinceDate = new Date(`${since}T00:00:00`);
  const untilDate = new Date(`${until}T23:59:59.999`);
  const { result, refetch } = useTagHistory({
    namespace,
    name,
    tag: debounced || null,
    since: since && isValidDate(sinceDate) ? sinceDate.toISOString() : null,
    until: until && isValidDate(untilDate) ? untilDate.toISOString() : null,
    ...paging.variables,
  });
  const { restore } = useTagMutations(namespace, name);
  const [error, setError] = useState<string | null>(null);
  const canWrite = viewerCanWrite(result.data?.repository);
  return (
    <>
      <ListToolbar paging={paging} connection={result.data?.repository.tagHistory} label="History pages">
        <ListSearch filter={tag} label="Search tag history" placeholder="Tag name" />
        <ToolbarItem>
          <DatePicker
            value={since}
            onChange={(_e, v) => setSince(v)}
            inputProps={{ "aria-label": "Since" }}
            placeholder="Since (YYYY-MM-DD)"
          />
        </ToolbarItem>
        <ToolbarItem>
          <DatePicker
            value={until}
            onChange={(_e, v) => setUntil(v)}
            inputProps={{ "aria-label": "Until" }}
            placeholder="Until (YYYY-MM-DD)"
          />
        </ToolbarItem>
      </ListToolbar>
      <ErrorAlert error={error} title="Could not restore" />
      <QueryState result={result} errorTitle="Could not load the tag history">
        {({ repository: r }) =>
          r.tagHistory.edges.length === 0 ? (
            <EmptyView title="No tag history in this range" />
          ) : (
            <Table aria-label="Tag history" variant="compact">
              <Thead>
                <Tr>
                  <Th>Change</Th>
                  <Th>Tag</Th>
                  <Th>Manifest</Th>
                  <Th>From</Th>
                  <Th>Until</Th>
                  <Th screenReaderText="Restore" />
                </Tr>
              </Thead>
              <Tbody>
                {r.tagHistory.edges.map(({ node: e }) => (
                  <Tr key={e.id}>
                    <Td dataLabel="Change">
                      {describe(e)}{" "}
                      {!e.end && (
                        <Label isCompact color="green">
                          current
                        </Label>
                      )}
                    </Td>
                    <Td dataLabel="Tag">{e.tag}</Td>
                    <Td dataLabel="Manifest">
                      <code title={e.manifestDigest}>{shortDigest(e.manifestDigest)}</code>
                    </Td>
                    <Td dataLabel="From">
                      <Time value={e.start} />
                    </Td>
                    <Td dataLabel="Until">
                      <Time value={e.end} empty="—" />
                    </Td>
                    <Td isActionCell>
                      {canWrite && e.restorable && (
                        <Button
                          variant="secondary"
                          size="sm"
                          aria-label={`Restore ${e.tag} to ${shortDigest(e.manifestDigest)}`}
                          onClick={async () => {
                            setError(null);
                            try {
                              await restore(e.id);
                              refetch();
                            } catch (err) {
                              setError((err as Error).message);
                            }
                          }}
                        >
                          Restore
                        </Button>
                      )}
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          )
        }
      </QueryState>
    </>
  );
}
