// Storage quotas: a namespace's usage and quota, every namespace's (superusers), and their changes.
import { useMutation, useQuery } from "urql";
import {
  AddQuotaLimitDocument,
  DeleteQuotaDocument,
  DeleteQuotaLimitDocument,
  NamespaceQuotaDocument,
  QuotaOverviewDocument,
  SetQuotaDocument,
  SetSystemQuotaDefaultDocument,
  UpdateQuotaLimitDocument,
  type ResultOf,
} from "@hm/schema";
import { unwrap } from "../api/errors";

export type NamespaceQuota = ResultOf<typeof NamespaceQuotaDocument>["namespaceQuota"];

/** Binary units, as Quay shows sizes ("100.0 MiB"). */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

export const UNITS = { MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 } as const;
export type Unit = keyof typeof UNITS;

export function useNamespaceQuota(namespace: string, pause = false) {
  const [result, refetch] = useQuery({ query: NamespaceQuotaDocument, variables: { namespace }, pause });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useQuotaOverview() {
  const [result, refetch] = useQuery({ query: QuotaOverviewDocument });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useQuotaMutations(namespace: string) {
  const [, set] = useMutation(SetQuotaDocument);
  const [, remove] = useMutation(DeleteQuotaDocument);
  const [, addLimit] = useMutation(AddQuotaLimitDocument);
  const [, updateLimit] = useMutation(UpdateQuotaLimitDocument);
  const [, removeLimit] = useMutation(DeleteQuotaLimitDocument);
  return {
    set: async (limitBytes: number) => void unwrap(await set({ namespace, limitBytes })),
    remove: async (id: string) => void unwrap(await remove({ namespace, id })),
    addLimit: async (quotaId: string, type: "Warning" | "Reject", thresholdPercent: number) =>
      void unwrap(await addLimit({ namespace, quotaId, type, thresholdPercent })),
    updateLimit: async (quotaId: string, id: string, thresholdPercent: number) =>
      void unwrap(await updateLimit({ namespace, quotaId, id, thresholdPercent })),
    removeLimit: async (quotaId: string, id: string) =>
      void unwrap(await removeLimit({ namespace, quotaId, id })),
  };
}

export function useSystemQuotaDefault() {
  const [, set] = useMutation(SetSystemQuotaDefaultDocument);
  return async (bytes: number | null) => unwrap(await set({ bytes })).setSystemQuotaDefault;
}
