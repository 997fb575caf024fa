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

/** An avatar in full: Quay's gravatar hash and the kind, for scripts (the console draws name and colour). */
export const FullAvatarFragment = graphql(`
  fragment FullAvatar on Avatar {
    name
    hash
    color
    kind
  }
`);

export const ViewerAvatarDocument = graphql(
  `
    query ViewerAvatar {
      viewer {
        username
        avatar {
          ...FullAvatar
        }
      }
    }
  `,
  [FullAvatarFragment],
);
