// Security scanning: the summary shown for every tag and child manifest (the Tags view, the tag page) and a
// manifest's full report with the console's filters (the tag page's Security Report and Packages tabs).
import { graphql } from "../graphql.js";

export const SecuritySummaryFields = graphql(`
  fragment SecuritySummaryFields on SecuritySummary {
    digest
    status
    reason
    counts {
      critical
      high
      medium
      low
      negligible
      unknown
    }
    total
    fixable
    highest
  }
`);

const VulnerabilityFields = graphql(`
  fragment VulnerabilityFields on SecurityVulnerability {
    id
    severity
    summary
    description
    link
    links
    aliases
    fixedBy
    packageIndex
    packageName
    packageVersion
    packageKind
  }
`);

export const ManifestSecurityDocument = graphql(
  `
    query ManifestSecurity(
      $namespace: String!
      $name: String!
      $digest: String!
      $filter: String
      $onlyFixable: Boolean
    ) {
      repository(namespace: $namespace, name: $name) {
        fullName
        manifestSecurity(digest: $digest, filter: $filter, onlyFixable: $onlyFixable) {
          digest
          status
          reason
          distribution {
            id
            versionId
            prettyName
          }
          warnings
          scannedAt
          summary {
            ...SecuritySummaryFields
          }
          packages {
            index
            kind
            name
            version
            sourceName
            addedBy
            path
            namespace
            vulnerabilities {
              id
              severity
              fixedBy
            }
          }
          vulnerabilities {
            ...VulnerabilityFields
          }
        }
      }
    }
  `,
  [SecuritySummaryFields, VulnerabilityFields],
);
