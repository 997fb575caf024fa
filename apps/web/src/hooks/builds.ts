// Dockerfile builds and build triggers: whether builds are on, a repository's builds (asked again while one
// is unfinished), one build, its log (what is stored, then followed live over graphql-ws), the triggers and
// every mutation, including the filedrop upload a manual build starts from.
import { useCallback, useEffect, useRef, useState } from "react";
import { useClient, useMutation, useQuery } from "urql";
import { errorMessage, unwrap } from "../api/errors";
import {
  BuildDocument,
  BuildEventsDocument,
  BuildLogsDocument,
  BuildTriggersDocument,
  CancelBuildDocument,
  CreateBuildTriggerDocument,
  CreateFileDropDocument,
  DeleteBuildTriggerDocument,
  RepositoryBuildsDocument,
  RunBuildTriggerDocument,
  SetBuildTriggerEnabledDocument,
  StartBuildDocument,
  type BuildLogLine,
  type StartBuildInput,
  type TriggerConfigInput,
} from "./buildDocuments";
import { usePolling } from "./security";
import { useSystem } from "./useSystem";

export type {
  Build,
  BuildLogLine,
  BuildTrigger,
  StartBuildInput,
  TriggerConfigInput,
} from "./buildDocuments";

/** Phases a build never leaves (the server's TERMINAL_PHASES). */
export const TERMINAL_PHASES = ["complete", "error", "cancelled", "expired", "internalerror"];
export const isTerminal = (phase: string) => TERMINAL_PHASES.includes(phase);

/** How often the builds list asks again while a build is unfinished. */
export const BUILDS_POLL_MS = 3000;

/** FEATURE_BUILD_SUPPORT: the Builds tab exists only with it. */
export function useBuildsFeature(): boolean {
  return !!useSystem().system?.features.builds;
}

/** A repository's builds, newest first, asked again while any of them is unfinished. */
export function useRepositoryBuilds(repository: string, limit = 25) {
  const [result, reexecute] = useQuery({ query: RepositoryBuildsDocument, variables: { repository, limit } });
  const refetch = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  const running = !!result.data?.repositoryBuilds.some((b) => !isTerminal(b.phase));
  usePolling(running, refetch, BUILDS_POLL_MS);
  return { result, refetch };
}

export function useBuild(repository: string, id: string) {
  const [result, reexecute] = useQuery({ query: BuildDocument, variables: { repository, id } });
  return { result, refetch: useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]) };
}

/** The triggers of a repository (admins only: pause it for others). */
export function useBuildTriggers(repository: string, pause = false) {
  const [result, reexecute] = useQuery({ query: BuildTriggersDocument, variables: { repository }, pause });
  return { result, refetch: useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]) };
}

/** Adds lines to a seq-ordered list, leaving out seqs it already holds. */
export function mergeLines(current: BuildLogLine[], incoming: BuildLogLine[]): BuildLogLine[] {
  if (!incoming.length) return current;
  const last = current.length ? current[current.length - 1]!.seq : -1;
  // The usual case: everything new comes after what is shown.
  if (incoming.every((l, i) => l.seq > (i ? incoming[i - 1]!.seq : last))) return [...current, ...incoming];
  const bySeq = new Map(current.map((l) => [l.seq, l]));
  for (const l of incoming) if (!bySeq.has(l.seq)) bySeq.set(l.seq, l);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export interface BuildLog {
  lines: BuildLogLine[];
  /** The newest phase the log told of (null until the first answer). */
  phase: string | null;
  /** Whether the stored lines are loaded. */
  loaded: boolean;
  /** Whether lines arrive live (the subscription is open). */
  live: boolean;
  error: string | null;
}

/**
 * A build's log: every stored line (page by page), then `buildEvents` from the next seq on, appending each
 * line once and updating the phase; the subscription ends after the build's last phase. Without a socket
 * (the subscription fails) the stored log is asked for again every few seconds until the build ends.
 */
export function useBuildLog(repository: string, id: string): BuildLog {
  const client = useClient();
  const [state, setState] = useState<BuildLog>({
    lines: [],
    phase: null,
    loaded: false,
    live: false,
    error: null,
  });
  const [polling, setPolling] = useState(false);
  const next = useRef(0);
  const add = useCallback((lines: BuildLogLine[], phase: string | null) => {
    if (lines.length) next.current = Math.max(next.current, lines[lines.length - 1]!.seq + 1);
    setState((s) => ({ ...s, lines: mergeLines(s.lines, lines), phase: phase ?? s.phase }));
  }, []);

  const readStored = useCallback(async (): Promise<boolean> => {
    for (;;) {
      const r = await client
        .query(BuildLogsDocument, { repository, id, start: next.current }, { requestPolicy: "network-only" })
        .toPromise();
      if (r.error || !r.data) {
        setState((s) => ({ ...s, error: errorMessage(r.error) || "The log could not be loaded." }));
        return false;
      }
      const lines = r.data.buildLogs.lines;
      add(lines, null);
      if (!lines.length || next.current >= r.data.buildLogs.total) return true;
    }
  }, [client, repository, id, add]);

  useEffect(() => {
    let stopped = false;
    let unsubscribe: (() => void) | null = null;
    next.current = 0;
    setState({ lines: [], phase: null, loaded: false, live: false, error: null });
    setPolling(false);
    void (async () => {
      if (!(await readStored()) || stopped) return;
      setState((s) => ({ ...s, loaded: true, live: true }));
      const sub = client
        .subscription(BuildEventsDocument, { repository, id, since: next.current })
        .subscribe((r) => {
          if (r.error) {
            setState((s) => ({ ...s, live: false }));
            setPolling(true);
            return;
          }
          const ev = r.data?.buildEvents;
          if (!ev) return;
          add(ev.lines, ev.phase ?? null);
          if (ev.phase && isTerminal(ev.phase)) setState((s) => ({ ...s, live: false }));
        });
      unsubscribe = () => sub.unsubscribe();
      if (stopped) unsubscribe();
    })();
    return () => {
      stopped = true;
      unsubscribe?.();
    };
  }, [client, repository, id, add, readStored]);

  usePolling(polling && !(state.phase && isTerminal(state.phase)), () => void readStored(), BUILDS_POLL_MS);
  return state;
}

/** The builds of one repository: start (an upload or a URL) and cancel. */
export function useBuildMutations(repository: string) {
  const [, createFileDrop] = useMutation(CreateFileDropDocument);
  const [, start] = useMutation(StartBuildDocument);
  const [, cancel] = useMutation(CancelBuildDocument);
  return {
    /** Quay's filedrop: an upload slot, the file PUT to it, then the build naming the file. */
    startFromFile: async (file: File, options: StartBuildInput) => {
      const mimeType = file.type || "application/octet-stream";
      const drop = unwrap(await createFileDrop({ mimeType })).createFileDrop;
      const res = await fetch(drop.url, {
        method: "PUT",
        body: file,
        credentials: "same-origin",
        headers: { "content-type": mimeType },
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: string } | null;
        throw new Error(body?.error ?? `The upload failed (HTTP ${res.status}).`);
      }
      return unwrap(await start({ repository, fileId: drop.fileId, ...options })).startBuild;
    },
    startFromUrl: async (archiveUrl: string, options: StartBuildInput) =>
      unwrap(await start({ repository, ...options, archiveUrl })).startBuild,
    cancel: async (id: string) => unwrap(await cancel({ repository, id })).cancelBuild,
  };
}

/** The triggers of one repository: create (with its configuration), enable/disable, delete, run now. */
export function useBuildTriggerMutations(repository: string) {
  const [, create] = useMutation(CreateBuildTriggerDocument);
  const [, setEnabled] = useMutation(SetBuildTriggerEnabledDocument);
  const [, remove] = useMutation(DeleteBuildTriggerDocument);
  const [, run] = useMutation(RunBuildTriggerDocument);
  return {
    create: async (service: string, config: TriggerConfigInput, pullRobot: string | null) =>
      unwrap(await create({ repository, service, config, pullRobot })).createBuildTrigger,
    setEnabled: async (id: string, enabled: boolean) =>
      unwrap(await setEnabled({ repository, id, enabled })).setBuildTriggerEnabled,
    remove: async (id: string) => void unwrap(await remove({ repository, id })),
    run: async (id: string, ref: { branchName?: string; tagName?: string; commitSha?: string }) =>
      unwrap(await run({ repository, id, ...ref })).runBuildTrigger,
  };
}
