import { Timestamp, TimestampTooltipVariant } from "@patternfly/react-core";

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["week", 7 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];

export function fromNow(date: Date): string {
  const seconds = (date.getTime() - Date.now()) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.round(seconds), "second");
}

/** A date shown relative to now ("3 hours ago"), the exact time in a tooltip; a dash when absent. */
export function Time({ value, empty = "—" }: { value: string | null | undefined; empty?: string }) {
  if (!value) return <>{empty}</>;
  const date = new Date(value);
  return (
    <Timestamp date={date} tooltip={{ variant: TimestampTooltipVariant.default }}>
      {fromNow(date)}
    </Timestamp>
  );
}
