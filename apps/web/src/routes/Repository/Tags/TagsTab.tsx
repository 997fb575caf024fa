// A repository's tags: filter, sort, paging, expandable child manifests of an index, per-row actions
// (add tag, labels, expiration, delete) and bulk actions on the selected tags. With security scanning on, a
// Security column (each child of an index has its own), asked again every few seconds while one is queued.
import { useState } from "react";
import {
  Button,
  Label,
  LabelGroup,
  ToggleGroup,
  ToggleGroupItem,
  ToolbarItem,
  Truncate,
} from "@patternfly/react-core";
import { ExpandableRowContent, Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { Link } from "react-router-dom";
import { ConfirmByTypingModal } from "../../../components/ConfirmByTypingModal";
import { ListSearch, ListToolbar } from "../../../components/ListToolbar";
import { RowActions } from "../../../components/RowActions";
import { EmptyView, ErrorAlert, QueryState } from "../../../components/States";
import { Time } from "../../../components/Time";
import { viewerCanWrite } from "../../../hooks/repositories";
import { usePolling, useSecurityScanner } from "../../../hooks/security";
import { useListFilter } from "../../../hooks/useListFilter";
import { formatSize, shortDigest, useTagMutations, useTags, type TagRow } from "../../../hooks/tags";
import { links } from "../../paths";
import { AddTagModal } from "./AddTagModal";
import { ChildManifests } from "./ChildManifests";
import { ExpirationModal } from "./ExpirationModal";
import { LabelsModal } from "./LabelsModal";
import { SecurityCell } from "./SecurityCell";

export function TagsTab({ namespace, name }: { namespace: string; name: string }) {
  const filter = useListFilter(20);
  const { debounced, paging } = filter;
  const [sort, setSort] = useState<"LAST_MODIFIED" | "NAME">("LAST_MODIFIED");
  const { result, refetch } = useTags({
    namespace,
    name,
    filter: debounced || null,
    sort,
    ...paging.variables,
  });
  const { remove } = useTagMutations(namespace, name);
  const [selected, setSelected] = useState(new Set<string>());
  const [expanded, setExpanded] = useState(new Set<string>());
  const [adding, setAdding] = useState<TagRow | null>(null);
  const [labelling, setLabelling] = useState<string | null>(null);
  const [expiring, setExpiring] = useState<{ tags: string[]; current: string | null } | null>(null);
  const [deleting, setDeleting] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const repo = result.data?.repository;
  const tags = repo?.tags.edges.map((e) => e.node) ?? [];
  const canWrite = viewerCanWrite(repo);
  const scanning = useSecurityScanner();
  // "Queued" turns into the scan's result without a reload: the page is asked again until none is queued.
  const queued =
    scanning &&
    tags.some(
      (t) => t.security?.status === "queued" || t.children.some((c) => c.security?.status === "queued"),
    );
  usePolling(queued, refetch);
  const columns = 7 + (canWrite ? 2 : 0) + (scanning ? 1 : 0);
  const toggle = (set: Set<string>, key: string, on: boolean) => {
    const n = new Set(set);
    if (on) n.add(key);
    else n.delete(key);
    return n;
  };
  const labelTag = tags.find((t) => t.name === labelling) ?? null;
  return (
    <>
      <ListToolbar paging={paging} connection={repo?.tags} label="Tag pages">
        <ListSearch filter={filter} label="Filter tags" placeholder="Filter by tag name" />
        <ToolbarItem>
          <ToggleGroup aria-label="Sort tags">
            <ToggleGroupItem
              text="Last modified"
              isSelected={sort === "LAST_MODIFIED"}
              onChange={() => setSort("LAST_MODIFIED")}
            />
            <ToggleGroupItem text="Name" isSelected={sort === "NAME"} onChange={() => setSort("NAME")} />
          </ToggleGroup>
        </ToolbarItem>
        {canWrite && (
          <>
            <ToolbarItem>
              <Button
                variant="secondary"
                isDisabled={selected.size === 0}
                onClick={() => setExpiring({ tags: [...selected], current: null })}
              >
                Set expiration
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button
                variant="danger"
                isDisabled={selected.size === 0}
                onClick={() => setDeleting([...selected])}
              >
                Delete{selected.size ? ` (${selected.size})` : ""}
              </Button>
            </ToolbarItem>
          </>
        )}
      </ListToolbar>
      <ErrorAlert error={error} />
      <QueryState result={result} errorTitle="Could not load tags">
        {() =>
          tags.length === 0 ? (
            <EmptyView title={debounced ? "No tag matches" : "No tags yet"}>
              Push an image to {repo?.fullName} and its tags appear here.
            </EmptyView>
          ) : (
            <Table aria-label="Tags" variant="compact">
              <Thead>
                <Tr>
                  <Th screenReaderText="Child manifests" />
                  {canWrite && (
                    <Th
                      select={{
                        onSelect: (_e, on) => setSelected(on ? new Set(tags.map((t) => t.name)) : new Set()),
                        isSelected: tags.length > 0 && tags.every((t) => selected.has(t.name)),
                      }}
                      aria-label="Select all tags"
                    />
                  )}
                  <Th>Tag</Th>
                  {scanning && <Th>Security</Th>}
                  <Th>Size</Th>
                  <Th>Last modified</Th>
                  <Th>Expires</Th>
                  <Th>Manifest</Th>
                  <Th>Labels</Th>
                  {canWrite && <Th screenReaderText="Actions" />}
                </Tr>
              </Thead>
              {tags.map((t, i) => (
                <Tbody key={t.name} isExpanded={expanded.has(t.name)}>
                  <Tr>
                    <Td
                      expand={
                        t.isManifestList
                          ? {
                              rowIndex: i,
                              isExpanded: expanded.has(t.name),
                              onToggle: () => setExpanded(toggle(expanded, t.name, !expanded.has(t.name))),
                            }
                          : undefined
                      }
                    />
                    {canWrite && (
                      <Td
                        select={{
                          rowIndex: i,
                          onSelect: (_e, on) => setSelected(toggle(selected, t.name, on)),
                          isSelected: selected.has(t.name),
                        }}
                      />
                    )}
                    <Td dataLabel="Tag">
                      <Link to={links.tag(namespace, name, t.name)}>{t.name}</Link>
                    </Td>
                    {scanning && (
                      <Td dataLabel="Security">
                        <SecurityCell
                          summary={t.security}
                          to={links.tag(namespace, name, t.name, { tab: "securityreport" })}
                          onShowChildren={
                            t.isManifestList ? () => setExpanded(toggle(expanded, t.name, true)) : undefined
                          }
                        />
                      </Td>
                    )}
                    <Td dataLabel="Size">{formatSize(t.size)}</Td>
                    <Td dataLabel="Last modified">
                      <Time value={t.lastModified} />
                    </Td>
                    <Td dataLabel="Expires">
                      <Time value={t.expiration} empty="Never" />
                    </Td>
                    <Td dataLabel="Manifest">
                      <code title={t.manifestDigest}>{shortDigest(t.manifestDigest)}</code>
                      {t.isManifestList && (
                        <Label isCompact color="purple" style={{ marginLeft: 4 }}>
                          index · {t.children.length}
                        </Label>
                      )}
                    </Td>
                    <Td dataLabel="Labels">
                      <LabelGroup numLabels={3}>
                        {t.labels.map((l) => (
                          <Label key={l.id} isCompact color={l.source === "api" ? "blue" : "grey"}>
                            <Truncate content={`${l.key}=${l.value}`} maxCharsDisplayed={30} />
                          </Label>
                        ))}
                      </LabelGroup>
                    </Td>
                    {canWrite && (
                      <Td isActionCell>
                        <RowActions
                          label={`Actions for tag ${t.name}`}
                          items={[
                            { title: "Add new tag", onClick: () => setAdding(t) },
                            { title: "Edit labels", onClick: () => setLabelling(t.name) },
                            {
                              title: "Change expiration",
                              onClick: () => setExpiring({ tags: [t.name], current: t.expiration ?? null }),
                            },
                            { title: "Delete", onClick: () => setDeleting([t.name]) },
                          ]}
                        />
                      </Td>
                    )}
                  </Tr>
                  {t.isManifestList && (
                    <Tr isExpanded={expanded.has(t.name)}>
                      <Td colSpan={columns}>
                        <ExpandableRowContent>
                          <ChildManifests namespace={namespace} name={name} tag={t} scanning={scanning} />
                        </ExpandableRowContent>
                      </Td>
                    </Tr>
                  )}
                </Tbody>
              ))}
            </Table>
          )
        }
      </QueryState>
      <AddTagModal
        namespace={namespace}
        repository={name}
        source={adding}
        existing={tags.map((t) => t.name)}
        onClose={() => setAdding(null)}
        onDone={refetch}
      />
      <LabelsModal
        namespace={namespace}
        repository={name}
        tag={labelTag}
        onClose={() => setLabelling(null)}
        onChanged={refetch}
      />
      <ExpirationModal
        namespace={namespace}
        repository={name}
        tags={expiring?.tags ?? null}
        current={expiring?.current ?? null}
        onClose={() => setExpiring(null)}
        onDone={refetch}
      />
      <ConfirmByTypingModal
        title={`Delete ${deleting?.length === 1 ? `tag ${deleting[0]}` : `${deleting?.length ?? 0} tags`}?`}
        isOpen={deleting !== null}
        expected="confirm"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          try {
            await remove(deleting!);
          } catch (e) {
            setError((e as Error).message);
            throw e;
          }
          setSelected(new Set());
          refetch();
        }}
      >
        <p>
          {deleting?.join(", ")} can be restored from the tag history until the namespace's time-machine
          window has passed.
        </p>
      </ConfirmByTypingModal>
    </>
  );
}
