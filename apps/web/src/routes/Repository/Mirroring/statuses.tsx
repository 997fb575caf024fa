// A mirror's sync status (Quay's RepoMirrorStatus) and one sync's outcome in words, colour and icon.
import type { ComponentType } from "react";
import { Label } from "@patternfly/react-core";
import {
  BanIcon,
  CheckCircleIcon,
  ExclamationCircleIcon,
  HourglassHalfIcon,
  InProgressIcon,
  OutlinedClockIcon,
} from "@patternfly/react-icons";

type Color = "grey" | "blue" | "green" | "red" | "orange";

interface StatusInfo {
  label: string;
  color: Color;
  icon: ComponentType;
}

const MIRROR_STATUSES: Record<string, StatusInfo> = {
  NEVER_RUN: { label: "Never run", color: "grey", icon: OutlinedClockIcon },
  SYNC_NOW: { label: "Sync queued", color: "blue", icon: HourglassHalfIcon },
  SYNCING: { label: "Syncing", color: "blue", icon: InProgressIcon },
  SUCCESS: { label: "Synced", color: "green", icon: CheckCircleIcon },
  FAIL: { label: "Sync failed", color: "red", icon: ExclamationCircleIcon },
  CANCEL: { label: "Sync cancelled", color: "orange", icon: BanIcon },
};

const SYNC_OUTCOMES: Record<string, StatusInfo> = {
  running: { label: "Running", color: "blue", icon: InProgressIcon },
  success: { label: "Success", color: "green", icon: CheckCircleIcon },
  failed: { label: "Failed", color: "red", icon: ExclamationCircleIcon },
  cancelled: { label: "Cancelled", color: "orange", icon: BanIcon },
};

const unknown = (s: string): StatusInfo => ({ label: s, color: "grey", icon: InProgressIcon });

function StatusLabel({ info, value }: { info: StatusInfo; value: string }) {
  const { label, color, icon: Icon } = info;
  return (
    <Label isCompact color={color} icon={<Icon />} data-status={value}>
      {label}
    </Label>
  );
}

/** The mirror's status: Never run, Sync queued, Syncing, Synced, Sync failed, Sync cancelled. */
export function MirrorStatusLabel({ status }: { status: string }) {
  return <StatusLabel info={MIRROR_STATUSES[status] ?? unknown(status)} value={status} />;
}

/** One sync's outcome: Running, Success, Failed, Cancelled. */
export function SyncOutcomeLabel({ status }: { status: string }) {
  return <StatusLabel info={SYNC_OUTCOMES[status] ?? unknown(status)} value={status} />;
}
