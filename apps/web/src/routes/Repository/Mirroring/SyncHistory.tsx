// The mirror's recent syncs, newest first: each with its outcome, start and end, the tags copied, skipped
// and deleted, and its log lines in an expandable row.
import { useState } from "react";
import { Content, Title } from "@patternfly/react-core";
import { ExpandableRowContent, Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { EmptyView } from "../../../components/States";
import { Time } from "../../../components/Time";
import type { MirrorSync } from "../../../hooks/mirroring";
import { SyncOutcomeLabel } from "./statuses";

const LEVEL_COLORS: Record<string, string> = {
  warn: "var(--pf-t--global--text--color--status--warning--default)",
  error: "var(--pf-t--global--text--color--status--danger--default)",
};

function SyncLog({ sync }: { sync: MirrorSync }) {
  if (!sync.log.length) return <Content component="p">This sync logged nothing.</Content>;
  return (
    <div
      role="log"
      aria-label={`Log of sync ${sync.id}`}
      style={{
        fontFamily: "var(--pf-t--global--font--family--mono)",
        fontSize: "var(--pf-t--global--font--size--sm)",
        whiteSpace: "pre-wrap",
        wordBreak: "break-word",
      }}
    >
      {sync.log.map((l, i) => (
        <div key={i} data-level={l.level} style={{ color: LEVEL_COLORS[l.level] }}>
          <span style={{ opacity: 0.7 }}>{new Date(l.at).toLocaleTimeString()}</span>{" "}
          <strong>{l.level.toUpperCase()}</strong> {l.message}
        </div>
      ))}
    </div>
  );
}

export function SyncHistory({ syncs }: { syncs: MirrorSync[] }) {
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setExpanded((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <section aria-label="Sync history" style={{ marginTop: "2rem" }}>
      <Title headingLevel="h3" size="md">
        Sync history
      </Title>
      {syncs.length === 0 ? (
        <EmptyView title="No syncs yet">
          The first sync runs at the start date, or now with Sync now.
        </EmptyView>
      ) : (
        <Table aria-label="Sync history" variant="compact">
          <Thead>
            <Tr>
              <Th screenReaderText="Log" />
              <Th>Status</Th>
              <Th>Started</Th>
              <Th>Finished</Th>
              <Th>Tags copied</Th>
              <Th>Tags skipped</Th>
              <Th>Tags deleted</Th>
            </Tr>
          </Thead>
          {syncs.map((s, i) => {
            const open = expanded.has(s.id);
            return (
              <Tbody key={s.id} isExpanded={open}>
                <Tr>
                  <Td expand={{ rowIndex: i, isExpanded: open, onToggle: () => toggle(s.id) }} />
                  <Td dataLabel="Status">
                    <SyncOutcomeLabel status={s.status} />
                    {s.error && (
                      <Content
                        component="small"
                        style={{
                          display: "block",
                          color: "var(--pf-t--global--text--color--status--danger--default)",
                        }}
                      >
                        {s.error}
                      </Content>
                    )}
                  </Td>
                  <Td dataLabel="Started">
                    <Time value={s.startedAt} />
                  </Td>
                  <Td dataLabel="Finished">
                    <Time value={s.finishedAt} />
                  </Td>
                  <Td dataLabel="Tags copied">{s.tagsCopied}</Td>
                  <Td dataLabel="Tags skipped">{s.tagsSkipped}</Td>
                  <Td dataLabel="Tags deleted">{s.tagsDeleted}</Td>
                </Tr>
                <Tr isExpanded={open}>
                  <Td colSpan={7}>
                    <ExpandableRowContent>
                      <SyncLog sync={s} />
                    </ExpandableRowContent>
                  </Td>
                </Tr>
              </Tbody>
            );
          })}
        </Table>
      )}
    </section>
  );
}
