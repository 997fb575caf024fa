import { graphql } from "../graphql.js";

export const RepositoryListItemFragment = graphql(`
  fragment RepositoryListItem on Repository {
    namespace
    name
    fullName
    description
    visibility
    kind
    isStarred
    starCount
    popularity
    lastModified
    viewerRole
    sizeBytes
  }
`);

export const RepositoriesDocument = graphql(
  `
    query Repositories(
      $namespace: String
      $starred: Boolean
      $publicOnly: Boolean
      $search: String
      $first: Int
      $after: String
      $mine: Boolean
    ) {
      repositories(
        mine: $mine
        namespace: $namespace
        starred: $starred
        publicOnly: $publicOnly
        search: $search
        first: $first
        after: $after
      ) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            ...RepositoryListItem
          }
        }
      }
    }
  `,
  [RepositoryListItemFragment],
);

export const RepositoryDocument = graphql(`
  query Repository($namespace: String!, $name: String!) {
    repository(namespace: $namespace, name: $name) {
      namespace
      name
      fullName
      description
      visibility
      kind
      state
      isOrganization
      createdAt
      lastModified
      viewerRole
      isStarred
      starCount
    }
  }
`);

export const RepositoryPermissionsDocument = graphql(`
  query RepositoryPermissions($namespace: String!, $name: String!) {
    repository(namespace: $namespace, name: $name) {
      fullName
      permissions {
        role
        entity {
          kind
          name
          avatar {
            name
            color
          }
        }
      }
    }
  }
`);

export const CreateRepositoryDocument = graphql(`
  mutation CreateRepository(
    $namespace: String!
    $name: String!
    $description: String
    $visibility: Visibility
  ) {
    createRepository(namespace: $namespace, name: $name, description: $description, visibility: $visibility) {
      namespace
      name
    }
  }
`);

export const UpdateRepositoryDocument = graphql(`
  mutation UpdateRepository(
    $namespace: String!
    $name: String!
    $description: String
    $visibility: Visibility
  ) {
    updateRepository(namespace: $namespace, name: $name, description: $description, visibility: $visibility) {
      namespace
      name
      fullName
      description
      visibility
    }
  }
`);

export const DeleteRepositoryDocument = graphql(`
  mutation DeleteRepository($namespace: String!, $name: String!, $confirm: String!) {
    deleteRepository(namespace: $namespace, name: $name, confirm: $confirm)
  }
`);

export const SetRepositoryStarDocument = graphql(`
  mutation SetRepositoryStar($namespace: String!, $name: String!, $starred: Boolean!) {
    setRepositoryStar(namespace: $namespace, name: $name, starred: $starred) {
      fullName
      isStarred
      starCount
    }
  }
`);

export const SetRepositoryPermissionDocument = graphql(`
  mutation SetRepositoryPermission(
    $namespace: String!
    $name: String!
    $kind: EntityKind!
    $entity: String!
    $role: Role!
  ) {
    setRepositoryPermission(namespace: $namespace, name: $name, kind: $kind, entity: $entity, role: $role) {
      role
    }
  }
`);

export const RemoveRepositoryPermissionDocument = graphql(`
  mutation RemoveRepositoryPermission(
    $namespace: String!
    $name: String!
    $kind: EntityKind!
    $entity: String!
  ) {
    removeRepositoryPermission(namespace: $namespace, name: $name, kind: $kind, entity: $entity)
  }
`);

export const SearchEntitiesDocument = graphql(`
  query SearchEntities($prefix: String!, $namespace: String) {
    searchEntities(prefix: $prefix, namespace: $namespace) {
      kind
      name
      avatar {
        name
        color
      }
    }
  }
`);
