import { graphql } from "../graphql.js";

export const AccountSettingsDocument = graphql(`
  query AccountSettings {
    viewer {
      username
      email
      emailVerified
      timeMachine
      createdAt
      avatar {
        name
        color
      }
    }
    system {
      tagExpirationOptions
    }
  }
`);

export const ChangePasswordDocument = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);

export const ChangeEmailDocument = graphql(`
  mutation ChangeEmail($email: String!) {
    changeEmail(email: $email) {
      username
      email
    }
  }
`);

export const SetTimeMachineDocument = graphql(`
  mutation SetTimeMachine($window: String!) {
    setTimeMachine(window: $window) {
      username
      timeMachine
    }
  }
`);

export const DeleteAccountDocument = graphql(`
  mutation DeleteAccount($confirm: String!) {
    deleteAccount(confirm: $confirm)
  }
`);
