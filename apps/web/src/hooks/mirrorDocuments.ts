// The GraphQL documents of repository mirroring (hooks/mirroring.ts uses them): a repository's mirror with
// its status and recent syncs (each with its log), and the mutations: create, update, sync now, cancel, and
// the repository's state (Quay's changestate).
import { graphql, type ResultOf, type VariablesOf } from "@hm/schema";

const MirrorFields = graphql(`
  fragment MirrorFields on RepositoryMirror {
    isEnabled
    externalReference
    username
    verifyTls
    unsignedImages
    proxy {
      httpProxy
      httpsProxy
      noProxy
    }
    syncInterval
    syncStartDate
    syncExpirationDate
    syncRetriesRemaining
    syncStatus
    tagGlobs
    robot
    lastSyncAt
    lastError
    nextSyncAt
  }
`);

const SyncFields = graphql(`
  fragment MirrorSyncFields on MirrorSync {
    id
    status
    startedAt
    finishedAt
    tagsCopied
    tagsSkipped
    tagsDeleted
    error
    log {
      at
      level
      message
    }
  }
`);

export const RepositoryMirrorDocument = graphql(
  `
    query RepositoryMirror($namespace: String!, $name: String!, $limit: Int! = 10) {
      repository(namespace: $namespace, name: $name) {
        fullName
        state
        mirror {
          ...MirrorFields
          syncs(limit: $limit) {
            ...MirrorSyncFields
          }
        }
      }
    }
  `,
  [MirrorFields, SyncFields],
);

export const CreateRepositoryMirrorDocument = graphql(
  `
    mutation CreateRepositoryMirror($repository: String!, $input: RepositoryMirrorInput!) {
      createRepositoryMirror(repository: $repository, input: $input) {
        ...MirrorFields
      }
    }
  `,
  [MirrorFields],
);

export const UpdateRepositoryMirrorDocument = graphql(
  `
    mutation UpdateRepositoryMirror($repository: String!, $input: RepositoryMirrorInput!) {
      updateRepositoryMirror(repository: $repository, input: $input) {
        ...MirrorFields
      }
    }
  `,
  [MirrorFields],
);

export const SyncMirrorNowDocument = graphql(
  `
    mutation SyncMirrorNow($repository: String!) {
      syncMirrorNow(repository: $repository) {
        ...MirrorFields
      }
    }
  `,
  [MirrorFields],
);

export const CancelMirrorSyncDocument = graphql(
  `
    mutation CancelMirrorSync($repository: String!) {
      cancelMirrorSync(repository: $repository) {
        ...MirrorFields
      }
    }
  `,
  [MirrorFields],
);

export const SetRepositoryStateDocument = graphql(`
  mutation SetRepositoryState($repository: String!, $state: RepositoryState!) {
    setRepositoryState(repository: $repository, state: $state) {
      namespace
      name
      fullName
      state
    }
  }
`);

export type RepositoryMirror = ResultOf<typeof MirrorFields>;
export type MirrorSync = ResultOf<typeof SyncFields>;
export type MirrorInput = VariablesOf<typeof CreateRepositoryMirrorDocument>["input"];
export type RepositoryStateName = VariablesOf<typeof SetRepositoryStateDocument>["state"];
