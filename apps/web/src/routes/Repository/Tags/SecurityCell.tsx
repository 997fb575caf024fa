// What the scanner says about one manifest, in one table cell (Quay's Tags view): Queued, Failed,
// Unsupported, Passed, or the vulnerability counts by severity, highest first, linking to the tag page's
// Security Report. An index has no report of its own: its cell opens the child manifests instead.
import type { ReactNode } from "react";
import { Button, Flex, Tooltip } from "@patternfly/react-core";
import { BanIcon, CheckCircleIcon, ExclamationCircleIcon, PauseCircleIcon } from "@patternfly/react-icons";
import { Link } from "react-router-dom";
import { SeverityLabel } from "../../../components/SeverityLabel";
import { severityCounts, type SecuritySummary } from "../../../hooks/security";

const iconStyle = { marginRight: 4, verticalAlign: "-0.125em" };

export function SecurityCell({
  summary,
  to,
  onShowChildren,
}: {
  summary: SecuritySummary | null | undefined;
  /** The Security Report of this manifest. */
  to: string;
  /** Set for an index: the cell offers its child manifests, which are scanned one by one. */
  onShowChildren?: () => void;
}) {
  if (onShowChildren)
    return (
      <Button variant="link" isInline onClick={onShowChildren}>
        See Child Manifests
      </Button>
    );
  if (!summary) return null;
  const withReason = (text: string, icon: ReactNode) => {
    // Focusable when it has a reason to show, so the tooltip opens from the keyboard too.
    const content = (
      <span tabIndex={summary.reason ? 0 : undefined}>
        {icon}
        {text}
      </span>
    );
    return summary.reason ? <Tooltip content={summary.reason}>{content}</Tooltip> : content;
  };
  switch (summary.status) {
    case "queued":
      return withReason(
        "Queued",
        <PauseCircleIcon style={iconStyle} color="var(--pf-t--global--icon--color--subtle)" />,
      );
    case "failed":
      return withReason(
        "Failed",
        <ExclamationCircleIcon
          style={iconStyle}
          color="var(--pf-t--global--icon--color--status--danger--default)"
        />,
      );
    case "unsupported":
      return withReason("Unsupported", <BanIcon style={iconStyle} />);
  }
  const counts = severityCounts(summary);
  if (counts.length === 0)
    return (
      <Link to={to} style={{ textDecoration: "none" }}>
        <CheckCircleIcon
          style={iconStyle}
          color="var(--pf-t--global--icon--color--status--success--default)"
        />
        Passed
      </Link>
    );
  return (
    <Link
      to={to}
      style={{ textDecoration: "none" }}
      aria-label={counts.map((c) => `${c.count} ${c.severity}`).join(", ")}
    >
      <Flex spaceItems={{ default: "spaceItemsXs" }} flexWrap={{ default: "wrap" }}>
        {counts.map((c) => (
          <SeverityLabel key={c.severity} severity={c.severity} count={c.count} />
        ))}
      </Flex>
    </Link>
  );
}
