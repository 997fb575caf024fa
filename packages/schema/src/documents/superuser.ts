import { graphql } from "../graphql.js";

export const UsersDocument = graphql(`
  query Users($filter: String, $first: Int, $after: String) {
    users(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          username
          email
          superuser
          enabled
          createdAt
          lastLoginAt
          avatar {
            name
            color
          }
        }
      }
    }
  }
`);

export const AllOrganizationsDocument = graphql(`
  query AllOrganizations($filter: String, $first: Int, $after: String) {
    allOrganizations(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          name
          email
          createdAt
          avatar {
            name
            color
          }
          counts {
            repositories
            teams
            members
            robots
          }
        }
      }
    }
  }
`);

export const CreateUserDocument = graphql(`
  mutation CreateUser($username: String!, $email: String!) {
    createUser(username: $username, email: $email) {
      password
      user {
        username
        email
      }
    }
  }
`);

export const SetUserPasswordDocument = graphql(`
  mutation SetUserPassword($username: String!, $password: String!) {
    setUserPassword(username: $username, password: $password)
  }
`);

export const SetUserEnabledDocument = graphql(`
  mutation SetUserEnabled($username: String!, $enabled: Boolean!) {
    setUserEnabled(username: $username, enabled: $enabled) {
      username
      enabled
    }
  }
`);

export const DeleteUserDocument = graphql(`
  mutation DeleteUser($username: String!) {
    deleteUser(username: $username)
  }
`);
