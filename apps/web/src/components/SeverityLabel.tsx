// A vulnerability severity as a coloured label (Quay's colours: Critical and High red, Medium orange, Low
// yellow, Negligible and Unknown grey), with an optional count ("3 Critical").
import { Label } from "@patternfly/react-core";
import { ExclamationTriangleIcon } from "@patternfly/react-icons";
import { type Severity } from "../hooks/security";

const COLORS: Record<Severity, "red" | "orangered" | "orange" | "yellow" | "grey"> = {
  Critical: "red",
  High: "orangered",
  Medium: "orange",
  Low: "yellow",
  Negligible: "grey",
  Unknown: "grey",
};

export function SeverityLabel({ severity, count }: { severity: string; count?: number }) {
  const color = COLORS[severity as Severity] ?? "grey";
  return (
    <Label isCompact color={color} icon={<ExclamationTriangleIcon />}>
      {count === undefined ? severity : `${count} ${severity}`}
    </Label>
  );
}
