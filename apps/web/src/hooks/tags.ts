// Tags of a repository: the list, one tag's details, history, and every tag operation.
import { useMutation, useQuery } from "urql";
import {
  AddLabelDocument,
  AddTagDocument,
  DeleteTagsDocument,
  EditLabelDocument,
  MoveTagDocument,
  RemoveLabelDocument,
  RestoreTagDocument,
  SetTagExpirationDocument,
  TagDetailsDocument,
  TagHistoryDocument,
  TagsDocument,
  type ResultOf,
  type VariablesOf,
} from "@hm/schema";
import { unwrap } from "../api/errors";

export type TagRow = ResultOf<typeof TagsDocument>["repository"]["tags"]["edges"][number]["node"];
export type TagLabel = TagRow["labels"][number];
export type TagDetails = ResultOf<typeof TagDetailsDocument>["repository"]["tag"];
export type TagHistoryEntry = ResultOf<
  typeof TagHistoryDocument
>["repository"]["tagHistory"]["edges"][number]["node"];

export function useTags(variables: VariablesOf<typeof TagsDocument>) {
  const [result, refetch] = useQuery({ query: TagsDocument, variables });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useTagDetails(namespace: string, name: string, tag: string) {
  const [result, refetch] = useQuery({ query: TagDetailsDocument, variables: { namespace, name, tag } });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useTagHistory(variables: VariablesOf<typeof TagHistoryDocument>) {
  const [result, refetch] = useQuery({ query: TagHistoryDocument, variables });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

/** Tag operations on one repository. */
export function useTagMutations(namespace: string, repository: string) {
  const [, add] = useMutation(AddTagDocument);
  const [, move] = useMutation(MoveTagDocument);
  const [, remove] = useMutation(DeleteTagsDocument);
  const [, restore] = useMutation(RestoreTagDocument);
  const [, expire] = useMutation(SetTagExpirationDocument);
  const [, addLabel] = useMutation(AddLabelDocument);
  const [, editLabel] = useMutation(EditLabelDocument);
  const [, removeLabel] = useMutation(RemoveLabelDocument);
  const repo = { namespace, repository };
  return {
    add: async (tag: string, digest: string) => void unwrap(await add({ ...repo, tag, digest })),
    move: async (tag: string, digest: string) => void unwrap(await move({ ...repo, tag, digest })),
    remove: async (tags: string[]) => unwrap(await remove({ ...repo, tags })).deleteTags,
    restore: async (entryId: string) => unwrap(await restore({ ...repo, entryId })).restoreTag,
    setExpiration: async (tags: string[], expiration: Date | null) =>
      void unwrap(await expire({ ...repo, tags, expiration: expiration ? expiration.toISOString() : null })),
    addLabel: async (digest: string, label: string) =>
      void unwrap(await addLabel({ ...repo, digest, label })),
    editLabel: async (digest: string, id: string, label: string) =>
      void unwrap(await editLabel({ ...repo, digest, id, label })),
    removeLabel: async (digest: string, id: string) =>
      void unwrap(await removeLabel({ ...repo, digest, id })),
  };
}

export const shortDigest = (d: string) => d.replace(/^sha256:/, "").slice(0, 12);

export function formatSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
