import { graphql } from "../graphql.js";

export const RobotsDocument = graphql(`
  query Robots($namespace: String!) {
    robots(namespace: $namespace) {
      name
      shortName
      description
      createdAt
      lastUsedAt
      teams
      repositories {
        repository
        role
      }
    }
  }
`);

export const RobotCredentialsDocument = graphql(`
  query RobotCredentials($name: String!) {
    robot(name: $name) {
      name
      credentials {
        username
        token
        dockerLogin
        podmanLogin
        kubernetesSecret
        dockerConfig
      }
    }
  }
`);

export const CreateRobotDocument = graphql(`
  mutation CreateRobot($namespace: String!, $name: String!, $description: String) {
    createRobot(namespace: $namespace, name: $name, description: $description) {
      name
    }
  }
`);

export const RegenerateRobotTokenDocument = graphql(`
  mutation RegenerateRobotToken($name: String!) {
    regenerateRobotToken(name: $name) {
      name
      credentials {
        username
        token
        dockerLogin
        podmanLogin
        kubernetesSecret
        dockerConfig
      }
    }
  }
`);

export const DeleteRobotDocument = graphql(`
  mutation DeleteRobot($name: String!) {
    deleteRobot(name: $name)
  }
`);

export const SetRobotPermissionsDocument = graphql(`
  mutation SetRobotPermissions($name: String!, $repositories: [String!]!, $role: Role) {
    setRobotPermissions(name: $name, repositories: $repositories, role: $role)
  }
`);

/** Robots of the viewer's own namespace, without naming it. */
export const MyRobotsDocument = graphql(`
  query MyRobots {
    viewer {
      username
      robots {
        name
        shortName
      }
    }
  }
`);
