// Repository notifications (an event, a method and its settings; admins), their deliveries, the e-mail
// addresses a repository may notify, and the viewer's bell.
import { graphql } from "../graphql.js";

export const RepositoryNotificationFields = graphql(`
  fragment RepositoryNotificationFields on RepositoryNotification {
    uuid
    title
    event
    method
    config
    eventConfig
    numberOfFailures
    disabled
    createdAt
  }
`);

export const RepositoryNotificationsDocument = graphql(
  `
    query RepositoryNotifications($namespace: String!, $name: String!) {
      repository(namespace: $namespace, name: $name) {
        fullName
        notifications {
          ...RepositoryNotificationFields
        }
      }
    }
  `,
  [RepositoryNotificationFields],
);

export const NotificationCatalogueDocument = graphql(`
  query NotificationCatalogue {
    notificationCatalogue {
      events {
        name
        title
      }
      methods {
        name
        title
      }
      mailing
    }
  }
`);

export const NotificationDeliveriesDocument = graphql(`
  query NotificationDeliveries($repository: String!, $uuid: ID!) {
    notificationDeliveries(repository: $repository, uuid: $uuid) {
      id
      event
      status
      attempts
      lastStatusCode
      lastError
      responseExcerpt
      createdAt
      deliveredAt
      test
    }
  }
`);

export const NotificationEmailDocument = graphql(`
  query NotificationEmail($repository: String!, $email: String!) {
    notificationEmail(repository: $repository, email: $email) {
      email
      confirmed
    }
  }
`);

export const CreateRepositoryNotificationDocument = graphql(
  `
    mutation CreateRepositoryNotification(
      $repository: String!
      $event: String!
      $method: String!
      $config: JSON!
      $eventConfig: JSON
      $title: String
    ) {
      createRepositoryNotification(
        repository: $repository
        event: $event
        method: $method
        config: $config
        eventConfig: $eventConfig
        title: $title
      ) {
        notification {
          ...RepositoryNotificationFields
        }
        signingSecret
      }
    }
  `,
  [RepositoryNotificationFields],
);

export const DeleteRepositoryNotificationDocument = graphql(`
  mutation DeleteRepositoryNotification($repository: String!, $uuid: ID!) {
    deleteRepositoryNotification(repository: $repository, uuid: $uuid)
  }
`);

export const ResetRepositoryNotificationDocument = graphql(
  `
    mutation ResetRepositoryNotification($repository: String!, $uuid: ID!) {
      resetRepositoryNotification(repository: $repository, uuid: $uuid) {
        ...RepositoryNotificationFields
      }
    }
  `,
  [RepositoryNotificationFields],
);

export const TestRepositoryNotificationDocument = graphql(`
  mutation TestRepositoryNotification($repository: String!, $uuid: ID!) {
    testRepositoryNotification(repository: $repository, uuid: $uuid)
  }
`);

export const RequestNotificationEmailDocument = graphql(`
  mutation RequestNotificationEmail($repository: String!, $email: String!) {
    requestNotificationEmail(repository: $repository, email: $email) {
      email
      confirmed
    }
  }
`);

export const UserNotificationFields = graphql(`
  fragment UserNotificationFields on UserNotification {
    id
    kind
    summary
    level
    link
    metadata
    read
    dismissed
    createdAt
  }
`);

export const ViewerNotificationsDocument = graphql(
  `
    query ViewerNotifications($includeDismissed: Boolean! = false) {
      viewerNotifications(includeDismissed: $includeDismissed) {
        unread
        entries {
          ...UserNotificationFields
        }
      }
    }
  `,
  [UserNotificationFields],
);

export const UpdateUserNotificationDocument = graphql(
  `
    mutation UpdateUserNotification($id: ID!, $read: Boolean, $dismissed: Boolean) {
      updateUserNotification(id: $id, read: $read, dismissed: $dismissed) {
        ...UserNotificationFields
      }
    }
  `,
  [UserNotificationFields],
);

export const MarkAllNotificationsReadDocument = graphql(`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`);
