// Repository mirroring: whether it is on, a repository's mirror with its status and recent syncs (asked
// again every few seconds while a sync is queued or running, and now and then otherwise so that scheduled
// syncs show up), the mirror's mutations and the repository's state.
import { useCallback } from "react";
import { useMutation, useQuery } from "urql";
import { unwrap } from "../api/errors";
import {
  CancelMirrorSyncDocument,
  CreateRepositoryMirrorDocument,
  RepositoryMirrorDocument,
  SetRepositoryStateDocument,
  SyncMirrorNowDocument,
  UpdateRepositoryMirrorDocument,
  type MirrorInput,
  type RepositoryStateName,
} from "./mirrorDocuments";
import { usePolling } from "./security";
import { useSystem } from "./useSystem";

export type { MirrorInput, MirrorSync, RepositoryMirror, RepositoryStateName } from "./mirrorDocuments";

/** How often the mirror is asked again while a sync is queued or running. */
export const MIRROR_POLL_MS = 2000;
/** How often otherwise (a scheduled sync or a retry starts on the server's own time). */
export const MIRROR_IDLE_POLL_MS = 15_000;

/** The mirror's statuses during which a sync is queued or running (Cancel applies, Sync now does not). */
export const ACTIVE_SYNC_STATUSES = ["SYNC_NOW", "SYNCING"];

/** FEATURE_REPO_MIRROR: the Mirroring tab exists only with it. */
export function useMirrorFeature(): boolean {
  return !!useSystem().system?.features.repoMirror;
}

/** The repository's state in GraphQL's enum from the repository's `state` (normal, read_only, mirror). */
export const stateName = (state: string): RepositoryStateName =>
  state === "mirror" ? "MIRROR" : state === "read_only" ? "READ_ONLY" : "NORMAL";

/** A repository's mirror (null when it mirrors nothing) with its recent syncs; for repository admins. */
export function useRepositoryMirror(namespace: string, name: string, pause = false) {
  const [result, reexecute] = useQuery({
    query: RepositoryMirrorDocument,
    variables: { namespace, name },
    pause,
  });
  const refetch = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  const repo = result.data?.repository;
  const mirror = repo?.mirror;
  const active =
    !!mirror &&
    (ACTIVE_SYNC_STATUSES.includes(mirror.syncStatus) || mirror.syncs.some((s) => s.status === "running"));
  usePolling(!pause && active, refetch, MIRROR_POLL_MS);
  usePolling(
    !pause && !active && !!mirror?.isEnabled && repo?.state === "mirror",
    refetch,
    MIRROR_IDLE_POLL_MS,
  );
  return { result, refetch, active };
}

/** The mirror of one repository (`namespace/name`): create, update, sync now, cancel the sync. */
export function useMirrorMutations(repository: string) {
  const [, create] = useMutation(CreateRepositoryMirrorDocument);
  const [, update] = useMutation(UpdateRepositoryMirrorDocument);
  const [, syncNow] = useMutation(SyncMirrorNowDocument);
  const [, cancel] = useMutation(CancelMirrorSyncDocument);
  return {
    create: async (input: MirrorInput) => unwrap(await create({ repository, input })).createRepositoryMirror,
    update: async (input: MirrorInput) => unwrap(await update({ repository, input })).updateRepositoryMirror,
    syncNow: async () => unwrap(await syncNow({ repository })).syncMirrorNow,
    cancel: async () => unwrap(await cancel({ repository })).cancelMirrorSync,
  };
}

/** Quay's changestate: Normal, Read-only or Mirror. */
export function useSetRepositoryState(repository: string) {
  const [, set] = useMutation(SetRepositoryStateDocument);
  return async (state: RepositoryStateName) => unwrap(await set({ repository, state })).setRepositoryState;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A time as a datetime-local input shows it (local time, to the minute). */
export function toLocalInput(value: string | Date): string {
  const d = new Date(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local input's value as an ISO time; null when it is not a time. */
export function fromLocalInput(value: string): string | null {
  const d = new Date(value);
  return value && Number.isFinite(d.getTime()) ? d.toISOString() : null;
}

/** "1 day", "6 hours", "30 minutes", "45 seconds": the largest whole unit of a number of seconds. */
export function formatInterval(seconds: number): string {
  const units: [string, number][] = [
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  for (const [unit, size] of units)
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? "" : "s"}`;
    }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

/** Tag patterns typed as Quay's comma-separated list ("latest, 1.*"). */
export const parseGlobs = (csv: string) =>
  csv
    .split(",")
    .map((g) => g.trim())
    .filter(Boolean);
