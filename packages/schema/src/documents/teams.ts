import { graphql } from "../graphql.js";

export const OrganizationTeamsDocument = graphql(`
  query OrganizationTeams($name: String!) {
    organization(name: $name) {
      name
      viewerRole
      teams {
        name
        description
        role
        memberCount
        repositoryCount
        avatar {
          name
          color
        }
      }
      members {
        user {
          username
          avatar {
            name
            color
          }
        }
        teams
        repositories {
          repository
          role
        }
      }
      collaborators {
        user {
          username
          avatar {
            name
            color
          }
        }
        repositories {
          repository
          role
        }
      }
    }
  }
`);

export const TeamDocument = graphql(`
  query Team($organization: String!, $name: String!) {
    organization(name: $organization) {
      name
      team(name: $name) {
        name
        description
        role
        members {
          kind
          name
          email
          invited
          avatar {
            name
            color
          }
        }
        repositories {
          repository
          role
        }
      }
    }
  }
`);

export const CreateTeamDocument = graphql(`
  mutation CreateTeam($organization: String!, $name: String!, $description: String, $role: TeamRole) {
    createTeam(organization: $organization, name: $name, description: $description, role: $role) {
      name
      role
    }
  }
`);

export const UpdateTeamDocument = graphql(`
  mutation UpdateTeam($organization: String!, $name: String!, $description: String, $role: TeamRole) {
    updateTeam(organization: $organization, name: $name, description: $description, role: $role) {
      name
      description
      role
    }
  }
`);

export const DeleteTeamDocument = graphql(`
  mutation DeleteTeam($organization: String!, $name: String!) {
    deleteTeam(organization: $organization, name: $name)
  }
`);

export const AddTeamMemberDocument = graphql(`
  mutation AddTeamMember($organization: String!, $team: String!, $member: String!) {
    addTeamMember(organization: $organization, team: $team, member: $member) {
      kind
      name
      invited
    }
  }
`);

export const RemoveTeamMemberDocument = graphql(`
  mutation RemoveTeamMember($organization: String!, $team: String!, $member: String!) {
    removeTeamMember(organization: $organization, team: $team, member: $member)
  }
`);

export const DefaultPermissionsDocument = graphql(`
  query DefaultPermissions($name: String!) {
    organization(name: $name) {
      name
      defaultPermissions {
        id
        creator
        role
        delegate {
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

export const CreateDefaultPermissionDocument = graphql(`
  mutation CreateDefaultPermission(
    $organization: String!
    $delegateKind: EntityKind!
    $delegate: String!
    $role: Role!
    $creator: String
  ) {
    createDefaultPermission(
      organization: $organization
      delegateKind: $delegateKind
      delegate: $delegate
      role: $role
      creator: $creator
    ) {
      id
    }
  }
`);

export const UpdateDefaultPermissionDocument = graphql(`
  mutation UpdateDefaultPermission($organization: String!, $id: ID!, $role: Role!) {
    updateDefaultPermission(organization: $organization, id: $id, role: $role)
  }
`);

export const DeleteDefaultPermissionDocument = graphql(`
  mutation DeleteDefaultPermission($organization: String!, $id: ID!) {
    deleteDefaultPermission(organization: $organization, id: $id)
  }
`);
