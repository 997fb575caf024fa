import { graphql } from "../graphql.js";

export const ViewerDocument = graphql(`
  query Viewer {
    viewer {
      username
      email
      superuser
      timeMachine
      avatar {
        name
        color
      }
      invitations {
        id
        organization
        team
        organizationAvatar {
          name
          color
        }
      }
    }
  }
`);

export const LoginDocument = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      username
    }
  }
`);

export const LogoutDocument = graphql(`
  mutation Logout {
    logout
  }
`);

export const SignUpDocument = graphql(`
  mutation SignUp($username: String!, $email: String!, $password: String!) {
    signUp(username: $username, email: $email, password: $password) {
      username
    }
  }
`);

export const AcceptInvitationDocument = graphql(`
  mutation AcceptInvitation($id: ID!) {
    acceptInvitation(id: $id) {
      name
    }
  }
`);

export const DeclineInvitationDocument = graphql(`
  mutation DeclineInvitation($id: ID!) {
    declineInvitation(id: $id)
  }
`);
