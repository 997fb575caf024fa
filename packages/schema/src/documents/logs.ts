import { graphql } from "../graphql.js";

export const LogsDocument = graphql(`
  query Logs(
    $namespace: String
    $repository: String
    $from: DateTimeISO
    $to: DateTimeISO
    $filter: String
    $first: Int
    $after: String
  ) {
    logs(
      namespace: $namespace
      repository: $repository
      from: $from
      to: $to
      filter: $filter
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
          id
          kind
          performer
          ip
          metadata
          createdAt
          namespace
          repository
        }
      }
    }
  }
`);
