// The tag page's Security Report (Quay's): the image's counts by severity, a filter and "Only show fixable"
// (applied by the server), and the vulnerabilities, highest severity first, each row opening its description
// and links.
import { useState } from "react";
import {
  Checkbox,
  Content,
  Pagination,
  SearchInput,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from "@patternfly/react-core";
import { ArrowRightIcon, ExternalLinkAltIcon } from "@patternfly/react-icons";
import { ExpandableRowContent, Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { SeverityLabel } from "../../components/SeverityLabel";
import { ErrorAlert } from "../../components/States";
import { useManifestSecurity, type SecurityVulnerability } from "../../hooks/security";
import { useDebounced } from "../../hooks/useDebounced";
import { ScanState, ScanSummary } from "./ScanState";

const PER_PAGE = 20;

export function SecurityReport({
  namespace,
  name,
  digest,
}: {
  namespace: string;
  name: string;
  digest: string;
}) {
  const [text, setText] = useState("");
  const [onlyFixable, setOnlyFixable] = useState(false);
  const [page, setPage] = useState(1);
  const [perPage, setPerPage] = useState(PER_PAGE);
  const filter = useDebounced(text.trim());
  const { result, report } = useManifestSecurity({
    namespace,
    name,
    digest,
    filter: filter || null,
    onlyFixable,
  });
  if (result.error && !report)
    return <ErrorAlert error={result.error} title="Could not load the security report" />;
  if (!report || report.status !== "scanned") return <ScanState report={report} />;
  const vulns = report.vulnerabilities;
  const shown = vulns.slice((page - 1) * perPage, page * perPage);
  const pagination = (bottom?: boolean) => (
    <Pagination
      itemCount={vulns.length}
      page={page}
      perPage={perPage}
      onSetPage={(_e, p) => setPage(p)}
      onPerPageSelect={(_e, n) => {
        setPerPage(n);
        setPage(1);
      }}
      variant={bottom ? "bottom" : "top"}
      isCompact={!bottom}
      titles={{ paginationAriaLabel: bottom ? "Vulnerability pages, bottom" : "Vulnerability pages" }}
    />
  );
  return (
    <>
      <ScanSummary report={report} />
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput
              aria-label="Filter vulnerabilities"
              placeholder="Filter vulnerabilities…"
              value={text}
              onChange={(_e, v) => {
                setText(v);
                setPage(1);
              }}
              onClear={() => {
                setText("");
                setPage(1);
              }}
            />
          </ToolbarItem>
          <ToolbarItem alignItems="center">
            <Checkbox
              id="only-fixable"
              label="Only show fixable"
              isChecked={onlyFixable}
              onChange={(_e, on) => {
                setOnlyFixable(on);
                setPage(1);
              }}
            />
          </ToolbarItem>
          <ToolbarItem variant="pagination" align={{ default: "alignEnd" }}>
            {pagination()}
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <VulnerabilityTable vulnerabilities={shown} filtered={!!filter || onlyFixable} />
      {vulns.length > perPage && pagination(true)}
    </>
  );
}

function VulnerabilityTable({
  vulnerabilities,
  filtered,
}: {
  vulnerabilities: SecurityVulnerability[];
  filtered: boolean;
}) {
  const [expanded, setExpanded] = useState(new Set<string>());
  const keyOf = (v: SecurityVulnerability) => `${v.id} ${v.packageIndex}`;
  const toggle = (key: string) => {
    const n = new Set(expanded);
    if (!n.delete(key)) n.add(key);
    setExpanded(n);
  };
  return (
    <Table aria-label="Vulnerabilities" variant="compact">
      <Thead>
        <Tr>
          <Th screenReaderText="Details" />
          <Th>Advisory</Th>
          <Th>Severity</Th>
          <Th>Package</Th>
          <Th>Current version</Th>
          <Th>Fixed in version</Th>
        </Tr>
      </Thead>
      {vulnerabilities.length === 0 && (
        <Tbody>
          <Tr>
            <Td colSpan={6}>
              {filtered ? "No vulnerabilities match the filter." : "No vulnerabilities found."}
            </Td>
          </Tr>
        </Tbody>
      )}
      {vulnerabilities.map((v, i) => {
        const key = keyOf(v);
        const open = expanded.has(key);
        return (
          <Tbody key={key} isExpanded={open}>
            <Tr>
              <Td expand={{ rowIndex: i, isExpanded: open, onToggle: () => toggle(key) }} />
              <Td dataLabel="Advisory">
                {v.link ? (
                  <a href={v.link} target="_blank" rel="noreferrer">
                    {v.id} <ExternalLinkAltIcon />
                  </a>
                ) : (
                  v.id
                )}
              </Td>
              <Td dataLabel="Severity">
                <SeverityLabel severity={v.severity} />
              </Td>
              <Td dataLabel="Package">{v.packageName}</Td>
              <Td dataLabel="Current version">{v.packageVersion}</Td>
              <Td dataLabel="Fixed in version">
                {v.fixedBy ? (
                  <>
                    <ArrowRightIcon
                      color="var(--pf-t--global--icon--color--status--success--default)"
                      style={{ marginRight: 4 }}
                    />
                    {v.fixedBy}
                  </>
                ) : (
                  "(none)"
                )}
              </Td>
            </Tr>
            <Tr isExpanded={open}>
              <Td colSpan={6}>
                <ExpandableRowContent>
                  <VulnerabilityDetails v={v} />
                </ExpandableRowContent>
              </Td>
            </Tr>
          </Tbody>
        );
      })}
    </Table>
  );
}

function VulnerabilityDetails({ v }: { v: SecurityVulnerability }) {
  return (
    <Content>
      {v.summary && v.summary !== v.description && <p>{v.summary}</p>}
      <p>{v.description || "No description."}</p>
      {v.aliases.length > 0 && <p>Also known as {v.aliases.join(", ")}</p>}
      {v.links.length > 0 && (
        <ul aria-label={`Links of ${v.id}`}>
          {v.links.map((l) => (
            <li key={l}>
              <a href={l} target="_blank" rel="noreferrer">
                {l}
              </a>
            </li>
          ))}
        </ul>
      )}
    </Content>
  );
}
