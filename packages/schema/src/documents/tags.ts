import { graphql } from "../graphql.js";
import { SecuritySummaryFields } from "./security.js";

const LabelFields = graphql(`
  fragment LabelFields on ManifestLabel {
    id
    key
    value
    source
  }
`);

export const TagsDocument = graphql(
  `
    query Tags(
      $namespace: String!
      $name: String!
      $filter: String
      $sort: TagSort
      $first: Int
      $after: String
    ) {
      repository(namespace: $namespace, name: $name) {
        fullName
        viewerRole
        tags(filter: $filter, sort: $sort, first: $first, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              name
              manifestDigest
              mediaType
              isManifestList
              size
              lastModified
              expiration
              security {
                ...SecuritySummaryFields
              }
              labels {
                ...LabelFields
              }
              children {
                digest
                size
                platform {
                  os
                  architecture
                  variant
                }
                security {
                  ...SecuritySummaryFields
                }
              }
            }
          }
        }
      }
    }
  `,
  [LabelFields, SecuritySummaryFields],
);

export const TagDetailsDocument = graphql(
  `
    query TagDetails($namespace: String!, $name: String!, $tag: String!) {
      repository(namespace: $namespace, name: $name) {
        fullName
        viewerRole
        tag(name: $tag) {
          name
          repository
          manifestDigest
          mediaType
          isManifestList
          size
          createdAt
          lastModified
          manifestCreatedAt
          expiration
          labels {
            ...LabelFields
          }
          security {
            ...SecuritySummaryFields
          }
          children {
            digest
            size
            platform {
              os
              architecture
              variant
            }
            security {
              ...SecuritySummaryFields
            }
          }
          fetch {
            tag {
              podman
              docker
              squashed
            }
            digest {
              podman
              docker
            }
          }
        }
      }
    }
  `,
  [LabelFields, SecuritySummaryFields],
);

export const TagHistoryDocument = graphql(`
  query TagHistory(
    $namespace: String!
    $name: String!
    $tag: String
    $since: DateTimeISO
    $until: DateTimeISO
    $first: Int
    $after: String
  ) {
    repository(namespace: $namespace, name: $name) {
      fullName
      viewerRole
      tagHistory(tag: $tag, since: $since, until: $until, first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            tag
            manifestDigest
            start
            end
            action
            endAction
            restorable
            restorableUntil
          }
        }
      }
    }
  }
`);

export const AddTagDocument = graphql(`
  mutation AddTag($namespace: String!, $repository: String!, $tag: String!, $digest: String!) {
    addTag(namespace: $namespace, repository: $repository, tag: $tag, digest: $digest) {
      tag
      manifestDigest
    }
  }
`);

export const MoveTagDocument = graphql(`
  mutation MoveTag($namespace: String!, $repository: String!, $tag: String!, $digest: String!) {
    moveTag(namespace: $namespace, repository: $repository, tag: $tag, digest: $digest) {
      tag
      manifestDigest
    }
  }
`);

export const DeleteTagsDocument = graphql(`
  mutation DeleteTags($namespace: String!, $repository: String!, $tags: [String!]!) {
    deleteTags(namespace: $namespace, repository: $repository, tags: $tags)
  }
`);

export const RestoreTagDocument = graphql(`
  mutation RestoreTag($namespace: String!, $repository: String!, $entryId: ID) {
    restoreTag(namespace: $namespace, repository: $repository, entryId: $entryId) {
      tag
      manifestDigest
    }
  }
`);

export const SetTagExpirationDocument = graphql(`
  mutation SetTagExpiration(
    $namespace: String!
    $repository: String!
    $tags: [String!]!
    $expiration: DateTimeISO
  ) {
    setTagExpiration(namespace: $namespace, repository: $repository, tags: $tags, expiration: $expiration)
  }
`);

export const AddLabelDocument = graphql(`
  mutation AddLabel($namespace: String!, $repository: String!, $digest: String!, $label: String!) {
    addLabel(namespace: $namespace, repository: $repository, digest: $digest, label: $label) {
      id
    }
  }
`);

export const EditLabelDocument = graphql(`
  mutation EditLabel($namespace: String!, $repository: String!, $digest: String!, $id: ID!, $label: String!) {
    editLabel(namespace: $namespace, repository: $repository, digest: $digest, id: $id, label: $label) {
      id
    }
  }
`);

export const RemoveLabelDocument = graphql(`
  mutation RemoveLabel($namespace: String!, $repository: String!, $digest: String!, $id: ID!) {
    removeLabel(namespace: $namespace, repository: $repository, digest: $digest, id: $id)
  }
`);

/** Labels of a manifest by digest, whether or not a tag points at it. */
export const ManifestLabelsDocument = graphql(
  `
    query ManifestLabels($namespace: String!, $name: String!, $digest: String!) {
      repository(namespace: $namespace, name: $name) {
        fullName
        labels(digest: $digest) {
          ...LabelFields
        }
      }
    }
  `,
  [LabelFields],
);

export const PurgeTagHistoryEntryDocument = graphql(`
  mutation PurgeTagHistoryEntry($namespace: String!, $repository: String!, $entryId: ID!) {
    purgeTagHistoryEntry(namespace: $namespace, repository: $repository, entryId: $entryId)
  }
`);
