// Repositories: lists (by namespace, starred, public), one repository, create, edit, delete, star,
// permissions, and the entity search that permission pickers use.
import { useMemo } from "react";
import { useMutation, useQuery } from "urql";
import {
  CreateRepositoryDocument,
  DeleteRepositoryDocument,
  RemoveRepositoryPermissionDocument,
  RepositoriesDocument,
  RepositoryDocument,
  RepositoryPermissionsDocument,
  SearchEntitiesDocument,
  SetRepositoryPermissionDocument,
  SetRepositoryStarDocument,
  UpdateRepositoryDocument,
  type ResultOf,
  type VariablesOf,
} from "@hm/schema";
import { unwrap } from "../api/errors";

export type RepositoryListItem = ResultOf<
  typeof RepositoriesDocument
>["repositories"]["edges"][number]["node"];
export type RepositoryDetails = ResultOf<typeof RepositoryDocument>["repository"];
export type Role = VariablesOf<typeof SetRepositoryPermissionDocument>["role"];
export type EntityKind = VariablesOf<typeof SetRepositoryPermissionDocument>["kind"];
export const ROLES: Role[] = ["read", "write", "admin"];

/** Whether the signed-in viewer may push, tag and edit: their role on the repository is write or admin. */
export const viewerCanWrite = (repository: { viewerRole?: Role | null } | null | undefined) =>
  repository?.viewerRole === "write" || repository?.viewerRole === "admin";

export function useRepositories(variables: VariablesOf<typeof RepositoriesDocument>) {
  const [result, refetch] = useQuery({ query: RepositoriesDocument, variables });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useRepository(namespace: string, name: string) {
  const [result, refetch] = useQuery({ query: RepositoryDocument, variables: { namespace, name } });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useRepositoryPermissions(namespace: string, name: string) {
  const [result, refetch] = useQuery({
    query: RepositoryPermissionsDocument,
    variables: { namespace, name },
  });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useEntitySearch(prefix: string, namespace: string | null) {
  const [result] = useQuery({
    query: SearchEntitiesDocument,
    variables: { prefix, namespace },
    pause: prefix.trim().length === 0,
  });
  return useMemo(() => result.data?.searchEntities ?? [], [result.data]);
}

export function useRepositoryMutations() {
  const [, create] = useMutation(CreateRepositoryDocument);
  const [, update] = useMutation(UpdateRepositoryDocument);
  const [, remove] = useMutation(DeleteRepositoryDocument);
  const [, star] = useMutation(SetRepositoryStarDocument);
  const [, setPermission] = useMutation(SetRepositoryPermissionDocument);
  const [, removePermission] = useMutation(RemoveRepositoryPermissionDocument);
  return {
    create: async (v: VariablesOf<typeof CreateRepositoryDocument>) =>
      unwrap(await create(v)).createRepository,
    update: async (v: VariablesOf<typeof UpdateRepositoryDocument>) =>
      unwrap(await update(v)).updateRepository,
    remove: async (namespace: string, name: string) =>
      void unwrap(await remove({ namespace, name, confirm: name })),
    setStar: async (namespace: string, name: string, starred: boolean) =>
      unwrap(await star({ namespace, name, starred })).setRepositoryStar,
    setPermission: async (v: VariablesOf<typeof SetRepositoryPermissionDocument>) =>
      void unwrap(await setPermission(v)),
    removePermission: async (v: VariablesOf<typeof RemoveRepositoryPermissionDocument>) =>
      void unwrap(await removePermission(v)),
  };
}
