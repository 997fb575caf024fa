// The manifests of an index, shown under its row in the Tags view: platform, size, digest and, with security
// scanning on, each one's own security summary (an index is scanned child by child).
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { formatSize, shortDigest, type TagRow } from "../../../hooks/tags";
import { links } from "../../paths";
import { SecurityCell } from "./SecurityCell";

export const platformOf = (
  p: { os?: string | null; architecture?: string | null; variant?: string | null } | null,
) => (p ? [p.os, p.architecture, p.variant].filter(Boolean).join("/") : "unknown");

export function ChildManifests({
  namespace,
  name,
  tag,
  scanning,
}: {
  namespace: string;
  name: string;
  tag: TagRow;
  scanning: boolean;
}) {
  return (
    <Table aria-label={`Manifests of ${tag.name}`} variant="compact" borders={false}>
      <Thead>
        <Tr>
          <Th>Platform</Th>
          {scanning && <Th>Security</Th>}
          <Th>Size</Th>
          <Th>Digest</Th>
        </Tr>
      </Thead>
      <Tbody>
        {tag.children.map((c) => (
          <Tr key={c.digest}>
            <Td dataLabel="Platform">{platformOf(c.platform)}</Td>
            {scanning && (
              <Td dataLabel="Security">
                <SecurityCell
                  summary={c.security}
                  to={links.tag(namespace, name, tag.name, { tab: "securityreport", digest: c.digest })}
                />
              </Td>
            )}
            <Td dataLabel="Size">{formatSize(c.size)}</Td>
            <Td dataLabel="Digest">
              <code title={c.digest}>{shortDigest(c.digest)}</code>
            </Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}
