// The repository list used by the Repositories page, an organization's Repositories tab and Explore.
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { Link } from "react-router-dom";
import { StarButton } from "../../components/StarButton";
import { Time } from "../../components/Time";
import { VisibilityLabel } from "../../components/VisibilityLabel";
import { formatBytes } from "../../hooks/quota";
import type { RepositoryListItem } from "../../hooks/repositories";
import { links } from "../paths";

export function RepositoryTable({
  repositories,
  selected,
  onSelect,
  showStar = true,
  onError,
}: {
  repositories: RepositoryListItem[];
  /** With selection: checkboxes for bulk actions. */
  selected?: Set<string>;
  onSelect?: (fullName: string, isSelected: boolean) => void;
  showStar?: boolean;
  onError?: (message: string) => void;
}) {
  const selectable = selected && onSelect;
  const allSelected =
    selectable && repositories.length > 0 && repositories.every((r) => selected.has(r.fullName));
  return (
    <Table aria-label="Repositories" variant="compact">
      <Thead>
        <Tr>
          {selectable && (
            <Th
              select={{
                onSelect: (_e, isSelecting) => repositories.forEach((r) => onSelect(r.fullName, isSelecting)),
                isSelected: !!allSelected,
              }}
              aria-label="Select all"
            />
          )}
          <Th>Name</Th>
          <Th>Visibility</Th>
          <Th>Stars</Th>
          <Th>Size</Th>
          <Th>Last modified</Th>
          {showStar && <Th screenReaderText="Star" />}
        </Tr>
      </Thead>
      <Tbody>
        {repositories.map((r, i) => (
          <Tr key={r.fullName}>
            {selectable && (
              <Td
                select={{
                  rowIndex: i,
                  onSelect: (_e, isSelecting) => onSelect(r.fullName, isSelecting),
                  isSelected: selected.has(r.fullName),
                }}
              />
            )}
            <Td dataLabel="Name">
              <Link to={links.repository(r.namespace, r.name)}>{r.fullName}</Link>
              {r.description && (
                <div className="pf-v6-u-font-size-sm pf-v6-u-color-200">{r.description.split("\n")[0]}</div>
              )}
            </Td>
            <Td dataLabel="Visibility">
              <VisibilityLabel visibility={r.visibility} />
            </Td>
            <Td dataLabel="Stars">{r.starCount}</Td>
            <Td dataLabel="Size">{formatBytes(r.sizeBytes)}</Td>
            <Td dataLabel="Last modified">
              <Time value={r.lastModified} empty="never pushed" />
            </Td>
            {showStar && (
              <Td isActionCell>
                <StarButton namespace={r.namespace} name={r.name} isStarred={r.isStarred} onError={onError} />
              </Td>
            )}
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}
