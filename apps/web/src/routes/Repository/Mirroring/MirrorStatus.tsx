// The mirror's status (Quay's Mirroring tab): the sync status, last and next sync, the retries left, the
// last error, and the "Sync now" and "Cancel sync" buttons.
import {
  Button,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Flex,
  Title,
} from "@patternfly/react-core";
import { ErrorAlert } from "../../../components/States";
import { Time } from "../../../components/Time";
import {
  ACTIVE_SYNC_STATUSES,
  formatInterval,
  useMirrorMutations,
  type RepositoryMirror,
} from "../../../hooks/mirroring";
import { useAction } from "../../../hooks/useAction";
import { MirrorStatusLabel } from "./statuses";

function Item({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <DescriptionListGroup>
      <DescriptionListTerm>{term}</DescriptionListTerm>
      <DescriptionListDescription>{children}</DescriptionListDescription>
    </DescriptionListGroup>
  );
}

export function MirrorStatus({
  repository,
  mirror: m,
  isMirrorState,
  onChanged,
}: {
  /** namespace/name */
  repository: string;
  mirror: RepositoryMirror;
  /** Whether the repository is in the MIRROR state (syncs run only then). */
  isMirrorState: boolean;
  onChanged: () => void;
}) {
  const mutations = useMirrorMutations(repository);
  const { error, run } = useAction(onChanged);
  const active = ACTIVE_SYNC_STATUSES.includes(m.syncStatus);
  return (
    <section aria-label="Mirror status" style={{ marginBottom: "2rem" }}>
      <Title headingLevel="h3" size="md" style={{ marginBottom: "1rem" }}>
        Status
      </Title>
      <ErrorAlert error={error} title="The sync could not be changed" />
      <DescriptionList isHorizontal isCompact columnModifier={{ default: "2Col" }}>
        <Item term="Sync status">
          <span role="status" aria-label="Sync status">
            <MirrorStatusLabel status={m.syncStatus} />
          </span>
        </Item>
        <Item term="External registry">
          <code>{m.externalReference}</code>
        </Item>
        <Item term="Last sync">
          <Time value={m.lastSyncAt} empty="Never" />
        </Item>
        <Item term="Next sync">
          {m.nextSyncAt ? (
            <Time value={m.nextSyncAt} />
          ) : active ? (
            "After the current sync"
          ) : m.isEnabled ? (
            "Not scheduled"
          ) : (
            "Scheduled syncs are disabled"
          )}
        </Item>
        <Item term="Sync interval">{formatInterval(m.syncInterval)}</Item>
        <Item term="Retries remaining">{m.syncRetriesRemaining}</Item>
        <Item term="Robot user">{m.robot ?? "None (the robot was deleted)"}</Item>
        <Item term="Tags">{m.tagGlobs.join(", ")}</Item>
        {m.lastError && (
          <Item term="Last error">
            <span style={{ color: "var(--pf-t--global--text--color--status--danger--default)" }}>
              {m.lastError}
            </span>
          </Item>
        )}
      </DescriptionList>
      <Flex style={{ marginTop: "1rem" }}>
        <Button
          variant="secondary"
          isDisabled={active || !isMirrorState}
          onClick={() => run(mutations.syncNow)}
        >
          Sync now
        </Button>
        <Button variant="secondary" isDanger isDisabled={!active} onClick={() => run(mutations.cancel)}>
          Cancel sync
        </Button>
      </Flex>
    </section>
  );
}
