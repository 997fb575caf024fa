// Credentials for scripts and CLIs: OAuth applications of an organization and users' app-specific tokens.
import { graphql } from "../graphql.js";

export const OAuthApplicationFields = graphql(`
  fragment OAuthApplicationFields on OAuthApplication {
    name
    clientId
    redirectUri
    applicationUri
    description
    createdAt
  }
`);

export const OAuthApplicationsDocument = graphql(
  `
    query OAuthApplications($organization: String!) {
      organization(name: $organization) {
        name
        applications {
          ...OAuthApplicationFields
        }
      }
    }
  `,
  [OAuthApplicationFields],
);

export const CreateOAuthApplicationDocument = graphql(
  `
    mutation CreateOAuthApplication(
      $organization: String!
      $name: String!
      $redirectUri: String
      $applicationUri: String
      $description: String
    ) {
      createOAuthApplication(
        organization: $organization
        name: $name
        redirectUri: $redirectUri
        applicationUri: $applicationUri
        description: $description
      ) {
        clientSecret
        application {
          ...OAuthApplicationFields
        }
      }
    }
  `,
  [OAuthApplicationFields],
);

export const UpdateOAuthApplicationDocument = graphql(
  `
    mutation UpdateOAuthApplication(
      $organization: String!
      $clientId: String!
      $name: String
      $redirectUri: String
      $applicationUri: String
      $description: String
    ) {
      updateOAuthApplication(
        organization: $organization
        clientId: $clientId
        name: $name
        redirectUri: $redirectUri
        applicationUri: $applicationUri
        description: $description
      ) {
        ...OAuthApplicationFields
      }
    }
  `,
  [OAuthApplicationFields],
);

export const ResetOAuthClientSecretDocument = graphql(`
  mutation ResetOAuthClientSecret($organization: String!, $clientId: String!) {
    resetOAuthClientSecret(organization: $organization, clientId: $clientId) {
      clientSecret
    }
  }
`);

export const DeleteOAuthApplicationDocument = graphql(`
  mutation DeleteOAuthApplication($organization: String!, $clientId: String!) {
    deleteOAuthApplication(organization: $organization, clientId: $clientId)
  }
`);

export const GenerateOAuthTokenDocument = graphql(`
  mutation GenerateOAuthToken($clientId: String!, $scopes: [String!]!) {
    generateOAuthToken(clientId: $clientId, scopes: $scopes)
  }
`);

export const AppTokensDocument = graphql(`
  query AppTokens {
    viewer {
      username
      appTokens {
        id
        title
        createdAt
        lastUsedAt
        expiresAt
      }
    }
  }
`);

export const CreateAppTokenDocument = graphql(`
  mutation CreateAppToken($title: String!) {
    createAppToken(title: $title) {
      token
      appToken {
        id
        title
      }
    }
  }
`);

export const RevokeAppTokenDocument = graphql(`
  mutation RevokeAppToken($id: ID!) {
    revokeAppToken(id: $id)
  }
`);
