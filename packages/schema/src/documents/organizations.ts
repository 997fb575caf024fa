import { graphql } from "../graphql.js";
import { FullAvatarFragment } from "./session.js";

export const MyOrganizationsDocument = graphql(`
  query MyOrganizations {
    viewer {
      username
      organizations {
        name
        avatar {
          name
          color
        }
        viewerRole
        counts {
          repositories
          teams
          robots
          members
        }
      }
    }
  }
`);

export const OrganizationDocument = graphql(`
  query Organization($name: String!) {
    organization(name: $name) {
      name
      email
      timeMachine
      createdAt
      viewerRole
      avatar {
        name
        color
      }
      counts {
        repositories
        teams
        robots
        members
      }
    }
  }
`);

export const CreateOrganizationDocument = graphql(`
  mutation CreateOrganization($name: String!, $email: String) {
    createOrganization(name: $name, email: $email) {
      name
    }
  }
`);

export const UpdateOrganizationDocument = graphql(`
  mutation UpdateOrganization($name: String!, $email: String, $timeMachine: String) {
    updateOrganization(name: $name, email: $email, timeMachine: $timeMachine) {
      name
      email
      timeMachine
    }
  }
`);

export const DeleteOrganizationDocument = graphql(`
  mutation DeleteOrganization($name: String!, $confirm: String!) {
    deleteOrganization(name: $name, confirm: $confirm)
  }
`);

export const OrganizationAvatarDocument = graphql(
  `
    query OrganizationAvatar($name: String!) {
      organization(name: $name) {
        name
        avatar {
          ...FullAvatar
        }
      }
    }
  `,
  [FullAvatarFragment],
);
