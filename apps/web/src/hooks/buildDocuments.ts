// The GraphQL documents of Dockerfile builds and build triggers (hooks/builds.ts uses them): builds, one
// build, its stored log and live events, triggers, the filedrop and every mutation.
import { graphql, type ResultOf, type VariablesOf } from "@hm/schema";

const BuildFields = graphql(`
  fragment BuildFields on Build {
    id
    phase
    displayName
    tags
    context
    dockerfilePath
    createdAt
    startedAt
    completedAt
    error
    manualUser
    trigger {
      id
      service
      buildSource
    }
    triggerMetadata
    commit
    archiveUrl
    pullRobot
    manifestDigest
    phases {
      phase
      at
    }
    logCount
    logsTruncated
  }
`);

const TriggerFields = graphql(`
  fragment TriggerFields on BuildTrigger {
    id
    service
    active
    enabled
    disabledReason
    buildSource
    dockerfilePath
    context
    branchtagRegex
    defaultTagFromRef
    latestForDefaultBranch
    tagTemplates
    pullRobot
    connectedUser
    publicKey
    webhookUrl
    credentials {
      name
      value
    }
    createdAt
  }
`);

const LineFields = graphql(`
  fragment BuildLogLineFields on BuildLogLine {
    seq
    phase
    type
    message
    at
  }
`);

export const RepositoryBuildsDocument = graphql(
  `
    query RepositoryBuilds($repository: String!, $limit: Int! = 25) {
      repositoryBuilds(repository: $repository, limit: $limit) {
        ...BuildFields
      }
    }
  `,
  [BuildFields],
);

export const BuildDocument = graphql(
  `
    query Build($repository: String!, $id: ID!) {
      build(repository: $repository, id: $id) {
        ...BuildFields
      }
    }
  `,
  [BuildFields],
);

export const BuildLogsDocument = graphql(
  `
    query BuildLogs($repository: String!, $id: ID!, $start: Int! = 0) {
      buildLogs(repository: $repository, id: $id, start: $start) {
        total
        lines {
          ...BuildLogLineFields
        }
      }
    }
  `,
  [LineFields],
);

export const BuildEventsDocument = graphql(
  `
    subscription BuildEvents($repository: String!, $id: ID!, $since: Int! = 0) {
      buildEvents(repository: $repository, id: $id, since: $since) {
        phase
        lines {
          ...BuildLogLineFields
        }
      }
    }
  `,
  [LineFields],
);

export const BuildTriggersDocument = graphql(
  `
    query BuildTriggers($repository: String!) {
      buildTriggers(repository: $repository) {
        ...TriggerFields
      }
    }
  `,
  [TriggerFields],
);

export const CreateFileDropDocument = graphql(`
  mutation CreateFileDrop($mimeType: String!) {
    createFileDrop(mimeType: $mimeType) {
      fileId
      url
    }
  }
`);

export const StartBuildDocument = graphql(
  `
    mutation StartBuild(
      $repository: String!
      $fileId: String
      $archiveUrl: String
      $tags: [String!]
      $context: String
      $dockerfilePath: String
      $pullRobot: String
    ) {
      startBuild(
        repository: $repository
        fileId: $fileId
        archiveUrl: $archiveUrl
        tags: $tags
        context: $context
        dockerfilePath: $dockerfilePath
        pullRobot: $pullRobot
      ) {
        ...BuildFields
      }
    }
  `,
  [BuildFields],
);

export const CancelBuildDocument = graphql(
  `
    mutation CancelBuild($repository: String!, $id: ID!) {
      cancelBuild(repository: $repository, id: $id) {
        ...BuildFields
      }
    }
  `,
  [BuildFields],
);

export const CreateBuildTriggerDocument = graphql(
  `
    mutation CreateBuildTrigger(
      $repository: String!
      $service: String!
      $config: TriggerConfigInput
      $pullRobot: String
    ) {
      createBuildTrigger(repository: $repository, service: $service, config: $config, pullRobot: $pullRobot) {
        ...TriggerFields
      }
    }
  `,
  [TriggerFields],
);

export const SetBuildTriggerEnabledDocument = graphql(
  `
    mutation SetBuildTriggerEnabled($repository: String!, $id: ID!, $enabled: Boolean!) {
      setBuildTriggerEnabled(repository: $repository, id: $id, enabled: $enabled) {
        ...TriggerFields
      }
    }
  `,
  [TriggerFields],
);

export const DeleteBuildTriggerDocument = graphql(`
  mutation DeleteBuildTrigger($repository: String!, $id: ID!) {
    deleteBuildTrigger(repository: $repository, id: $id)
  }
`);

export const RunBuildTriggerDocument = graphql(
  `
    mutation RunBuildTrigger(
      $repository: String!
      $id: ID!
      $branchName: String
      $tagName: String
      $commitSha: String
    ) {
      runBuildTrigger(
        repository: $repository
        id: $id
        branchName: $branchName
        tagName: $tagName
        commitSha: $commitSha
      ) {
        ...BuildFields
      }
    }
  `,
  [BuildFields],
);

export type Build = ResultOf<typeof BuildFields>;
export type BuildTrigger = ResultOf<typeof TriggerFields>;
export type BuildLogLine = ResultOf<typeof LineFields>;
export type TriggerConfigInput = NonNullable<VariablesOf<typeof CreateBuildTriggerDocument>["config"]>;
export type StartBuildInput = Omit<VariablesOf<typeof StartBuildDocument>, "repository" | "fileId">;
