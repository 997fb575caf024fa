// What the Security Report and Packages tabs show before (or instead of) a report: loading, scanning off,
// queued, unsupported or failed with the scanner's reason; and the summary of a finished scan.
import {
  Alert,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Flex,
  Label,
} from "@patternfly/react-core";
import { BanIcon, CheckCircleIcon, PauseCircleIcon } from "@patternfly/react-icons";
import { SeverityLabel } from "../../components/SeverityLabel";
import { EmptyView, Loading } from "../../components/States";
import { Time } from "../../components/Time";
import { severityCounts, type SecurityReport } from "../../hooks/security";
import { shortDigest } from "../../hooks/tags";

/** The state to show instead of the report, or null once the manifest is scanned. */
export function ScanState({ report }: { report: SecurityReport | null | undefined }) {
  if (report === undefined) return <Loading label="Loading the security report" />;
  if (report === null)
    return <EmptyView title="Security scanning is off">This registry does not scan images.</EmptyView>;
  switch (report.status) {
    case "scanned":
      return null;
    case "queued":
      return (
        <EmptyView title="This image has not been scanned yet" icon={PauseCircleIcon}>
          <Label isCompact color="blue">
            Queued
          </Label>{" "}
          The scanner has not reached this image yet; this page shows its report as soon as it has.
        </EmptyView>
      );
    case "unsupported":
      return (
        <EmptyView title="Security scan is not supported" icon={BanIcon}>
          {report.reason ?? "The image does not have content the scanner recognizes."}
        </EmptyView>
      );
    default:
      return (
        <EmptyView title="Security scan has failed" status="danger">
          {report.reason ?? "The scan could not be completed."}
        </EmptyView>
      );
  }
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "y" : "ies"}`;

/** The whole image's counts (filters do not change them), what was scanned, and what could not be read. */
export function ScanSummary({ report }: { report: SecurityReport }) {
  const s = report.summary;
  const counts = severityCounts(s);
  return (
    <Card isPlain aria-label="Security summary" component="section">
      <CardTitle>
        {s.total === 0 ? (
          <>
            <CheckCircleIcon
              color="var(--pf-t--global--icon--color--status--success--default)"
              style={{ marginRight: 6, verticalAlign: "-0.125em" }}
            />
            Passed: no vulnerabilities detected
          </>
        ) : (
          <>
            The scanner detected {plural(s.total, "vulnerabilit")}
            {s.fixable > 0 && <>; patches are available for {plural(s.fixable, "vulnerabilit")}</>}
          </>
        )}
      </CardTitle>
      <CardBody>
        {counts.length > 0 && (
          <Flex spaceItems={{ default: "spaceItemsSm" }} style={{ marginBottom: 16 }}>
            {counts.map((c) => (
              <SeverityLabel key={c.severity} severity={c.severity} count={c.count} />
            ))}
          </Flex>
        )}
        <DescriptionList isHorizontal isCompact columnModifier={{ lg: "3Col" }}>
          <DescriptionListGroup>
            <DescriptionListTerm>Manifest</DescriptionListTerm>
            <DescriptionListDescription>
              <code title={report.digest}>{shortDigest(report.digest)}</code>
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Distribution</DescriptionListTerm>
            <DescriptionListDescription>
              {report.distribution
                ? (report.distribution.prettyName ??
                  `${report.distribution.id} ${report.distribution.versionId}`)
                : "none found"}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Scanned</DescriptionListTerm>
            <DescriptionListDescription>
              <Time value={report.scannedAt} />
            </DescriptionListDescription>
          </DescriptionListGroup>
        </DescriptionList>
        {report.warnings.length > 0 && (
          <Alert
            variant="warning"
            isInline
            isPlain
            title="Some of the image could not be read"
            style={{ marginTop: 16 }}
          >
            <ul>
              {report.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </Alert>
        )}
      </CardBody>
    </Card>
  );
}
