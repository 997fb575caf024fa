// The tag page's Packages tab (Quay's): every package the scanner found in the image, with its kind, version,
// its vulnerabilities (the highest severity's count, then the rest) and the layer that added it.
import { useState } from "react";
import { Pagination, SearchInput, Toolbar, ToolbarContent, ToolbarItem } from "@patternfly/react-core";
import { CheckCircleIcon } from "@patternfly/react-icons";
import { Table, Tbody, Td, Th, Thead, Tr } from "@patternfly/react-table";
import { SeverityLabel } from "../../components/SeverityLabel";
import { ErrorAlert } from "../../components/States";
import { packageSeverities, useManifestSecurity, type SecurityPackage } from "../../hooks/security";
import { shortDigest } from "../../hooks/tags";
import { ScanState } from "./ScanState";

const PER_PAGE = 50;

function Vulnerabilities({ pkg }: { pkg: SecurityPackage }) {
  const [highest, ...rest] = packageSeverities(pkg.vulnerabilities);
  if (!highest)
    return (
      <>
        <CheckCircleIcon
          color="var(--pf-t--global--icon--color--status--success--default)"
          style={{ marginRight: 4, verticalAlign: "-0.125em" }}
        />
        None detected
      </>
    );
  const more = rest.reduce((n, c) => n + c.count, 0);
  return (
    <>
      <SeverityLabel severity={highest.severity} count={highest.count} />
      {more > 0 && ` + ${more} additional`}
    </>
  );
}

export function PackagesTab({
  namespace,
  name,
  digest,
}: {
  namespace: string;
  name: string;
  digest: string;
}) {
  const [text, setText] = useState("");
  const [page, setPage] = useState(1);
  const [perPage, setPerPage] = useState(PER_PAGE);
  const { result, report } = useManifestSecurity({ namespace, name, digest });
  if (result.error && !report) return <ErrorAlert error={result.error} title="Could not load the packages" />;
  if (!report || report.status !== "scanned") return <ScanState report={report} />;
  const needle = text.trim().toLowerCase();
  const packages = report.packages.filter(
    (p) =>
      !needle ||
      [p.name, p.version, p.kind, p.sourceName ?? ""].some((x) => x.toLowerCase().includes(needle)),
  );
  const shown = packages.slice((page - 1) * perPage, page * perPage);
  const search = (v: string) => {
    setText(v);
    setPage(1);
  };
  return (
    <>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput
              aria-label="Filter packages"
              placeholder="Filter packages…"
              value={text}
              onChange={(_e, v) => search(v)}
              onClear={() => search("")}
            />
          </ToolbarItem>
          <ToolbarItem variant="pagination" align={{ default: "alignEnd" }}>
            <Pagination
              itemCount={packages.length}
              page={page}
              perPage={perPage}
              onSetPage={(_e, p) => setPage(p)}
              onPerPageSelect={(_e, n) => {
                setPerPage(n);
                setPage(1);
              }}
              isCompact
              titles={{ paginationAriaLabel: "Package pages" }}
            />
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <Table aria-label="Packages" variant="compact">
        <Thead>
          <Tr>
            <Th>Package name</Th>
            <Th>Kind</Th>
            <Th>Package version</Th>
            <Th>Vulnerabilities</Th>
            <Th>Added by</Th>
          </Tr>
        </Thead>
        <Tbody>
          {shown.length === 0 && (
            <Tr>
              <Td colSpan={5}>{needle ? "No package matches the filter." : "No packages found."}</Td>
            </Tr>
          )}
          {shown.map((p) => (
            <Tr key={p.index}>
              <Td dataLabel="Package name">
                {p.name}
                {p.sourceName && p.sourceName !== p.name && (
                  <span style={{ color: "var(--pf-t--global--text--color--subtle)" }}>
                    {" "}
                    (source {p.sourceName})
                  </span>
                )}
              </Td>
              <Td dataLabel="Kind">{p.kind}</Td>
              <Td dataLabel="Package version">{p.version}</Td>
              <Td dataLabel="Vulnerabilities">
                <Vulnerabilities pkg={p} />
              </Td>
              <Td dataLabel="Added by">
                <code title={`${p.addedBy} (${p.path})`}>{shortDigest(p.addedBy)}</code>
              </Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    </>
  );
}
