// Credentials for scripts and CLIs: OAuth applications of an organization and users' app-specific tokens.
import { graphql } from "../graphql.js";

export const CreateOAuthApplicationDocument = graphql(`
  mutation CreateOAuthApplication($organization: String!, $name: String!, $redirectUri: String) {
    createOAuthApplication(organization: $organization, name: $name, redirectUri: $redirectUri) {
      clientSecret
      application {
        name
        clientId
      }
    }
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
