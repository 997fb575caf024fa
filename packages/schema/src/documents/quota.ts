// Storage quotas: a namespace's usage and quota, every namespace's usage (superusers), and the changes.
import { graphql } from "../graphql.js";

export const NamespaceQuotaFields = graphql(`
  fragment NamespaceQuotaFields on NamespaceQuota {
    namespace
    usageBytes
    defaultExists
    quota {
      id
      limitBytes
      isDefault
      limits {
        id
        type
        thresholdPercent
        bytes
      }
    }
  }
`);

export const NamespaceQuotaDocument = graphql(
  `
    query NamespaceQuota($namespace: String!) {
      namespaceQuota(namespace: $namespace) {
        ...NamespaceQuotaFields
      }
    }
  `,
  [NamespaceQuotaFields],
);

export const QuotaOverviewDocument = graphql(`
  query QuotaOverview {
    quotaOverview {
      defaultBytes
      namespaces {
        namespace
        kind
        usageBytes
        limitBytes
      }
    }
  }
`);

export const SetQuotaDocument = graphql(
  `
    mutation SetQuota($namespace: String!, $limitBytes: Float!) {
      setQuota(namespace: $namespace, limitBytes: $limitBytes) {
        ...NamespaceQuotaFields
      }
    }
  `,
  [NamespaceQuotaFields],
);

export const DeleteQuotaDocument = graphql(
  `
    mutation DeleteQuota($namespace: String!, $id: ID!) {
      deleteQuota(namespace: $namespace, id: $id) {
        ...NamespaceQuotaFields
      }
    }
  `,
  [NamespaceQuotaFields],
);

export const AddQuotaLimitDocument = graphql(
  `
    mutation AddQuotaLimit($namespace: String!, $quotaId: ID!, $type: String!, $thresholdPercent: Int!) {
      addQuotaLimit(
        namespace: $namespace
        quotaId: $quotaId
        type: $type
        thresholdPercent: $thresholdPercent
      ) {
        ...NamespaceQuotaFields
      }
    }
  `,
  [NamespaceQuotaFields],
);

export const UpdateQuotaLimitDocument = graphql(
  `
    mutation UpdateQuotaLimit($namespace: String!, $quotaId: ID!, $id: ID!, $thresholdPercent: Int!) {
      updateQuotaLimit(
        namespace: $namespace
        quotaId: $quotaId
        id: $id
        thresholdPercent: $thresholdPercent
      ) {
        ...NamespaceQuotaFields
      }
    }
  `,
  [NamespaceQuotaFields],
);

export const DeleteQuotaLimitDocument = graphql(
  `
    mutation DeleteQuotaLimit($namespace: String!, $quotaId: ID!, $id: ID!) {
      deleteQuotaLimit(namespace: $namespace, quotaId: $quotaId, id: $id) {
        ...NamespaceQuotaFields
      }
    }
  `,
  [NamespaceQuotaFields],
);

export const SetSystemQuotaDefaultDocument = graphql(`
  mutation SetSystemQuotaDefault($bytes: Float) {
    setSystemQuotaDefault(bytes: $bytes)
  }
`);
