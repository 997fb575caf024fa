// Object types of the tenancy model: users, organizations, teams, robots, repositories, permissions, logs.
// Each class lists the fields clients see; rows carry extra internal properties (ids) the field resolvers use.
import { Field, ID, Int, ObjectType } from "type-graphql";
import {
  Avatar,
  connectionOf,
  Entity,
  EntityKind,
  GraphQLJSON,
  RepositoryRole,
  RoleName,
  TeamRole,
  Visibility,
} from "./common.js";

@ObjectType({ description: "Another user, as pickers and member lists show them" })
export class UserSummary {
  @Field(() => String) username!: string;
  @Field(() => Avatar) avatar!: Avatar;
}

@ObjectType({ description: "The signed-in user" })
export class Viewer {
  id!: bigint;
  namespaceId!: bigint;
  @Field(() => String) username!: string;
  @Field(() => String) email!: string;
  @Field(() => Boolean, {
    description: "Confirmed by the link e-mailed to it (always, without FEATURE_MAILING)",
  })
  emailVerified!: boolean;
  @Field(() => Avatar) avatar!: Avatar;
  @Field(() => Boolean) superuser!: boolean;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastLoginAt!: Date | null;
  @Field(() => String, { description: "Time-machine window of the user's namespace (e.g. 2w)" })
  timeMachine!: string;
}

@ObjectType({ description: "A user account as the superuser panel shows it" })
export class UserAccount {
  id!: bigint;
  @Field(() => String) username!: string;
  @Field(() => String) email!: string;
  @Field(() => Avatar) avatar!: Avatar;
  @Field(() => Boolean) superuser!: boolean;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastLoginAt!: Date | null;
}
export const UserAccountConnection = connectionOf(UserAccount, "UserAccount");

@ObjectType({ description: "A new user created by a superuser; the password is shown only here" })
export class CreatedUser {
  @Field(() => UserAccount) user!: UserAccount;
  @Field(() => String) password!: string;
}

@ObjectType({ description: "An invitation to join a team, waiting for the invitee" })
export class TeamInvitation {
  @Field(() => ID) id!: string;
  @Field(() => String) organization!: string;
  @Field(() => String) team!: string;
  @Field(() => Avatar) organizationAvatar!: Avatar;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({ description: "An app-specific token for CLI logins (`$app` as the username)" })
export class AppToken {
  @Field(() => ID) id!: string;
  @Field(() => String) title!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
}

@ObjectType()
export class CreatedAppToken {
  @Field(() => AppToken) appToken!: AppToken;
  @Field(() => String, { description: "Shown once" }) token!: string;
}

@ObjectType({ description: "An organization" })
export class Organization {
  id!: bigint;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) email!: string | null;
  @Field(() => Avatar) avatar!: Avatar;
  @Field(() => String) timeMachine!: string;
  @Field(() => Date) createdAt!: Date;
}
export const OrganizationConnection = connectionOf(Organization, "Organization");

@ObjectType({ description: "A team of an organization" })
export class Team {
  id!: bigint;
  namespaceId!: bigint;
  organizationName!: string;
  @Field(() => String) name!: string;
  @Field(() => String) description!: string;
  @Field(() => TeamRole) role!: TeamRole;
  @Field(() => Avatar) avatar!: Avatar;
}

@ObjectType({ description: "A team member: a user (maybe still invited) or a robot" })
export class TeamMember {
  @Field(() => EntityKind) kind!: EntityKind;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) email!: string | null;
  @Field(() => Boolean, { description: "True until the user accepts the invitation" }) invited!: boolean;
  @Field(() => Avatar) avatar!: Avatar;
}

@ObjectType({ description: "A member of an organization with their teams and direct repository permissions" })
export class OrganizationMember {
  @Field(() => UserSummary) user!: UserSummary;
  @Field(() => [String]) teams!: string[];
  @Field(() => [RepositoryRole]) repositories!: RepositoryRole[];
}

@ObjectType({
  description: "A user with direct repository permissions who is in no team of the organization",
})
export class Collaborator {
  @Field(() => UserSummary) user!: UserSummary;
  @Field(() => [RepositoryRole]) repositories!: RepositoryRole[];
}

@ObjectType({ description: "Applied whenever a repository is created in the organization" })
export class DefaultPermission {
  @Field(() => ID) id!: string;
  @Field(() => String, {
    nullable: true,
    description: "Applies to repositories this user creates; null means anyone",
  })
  creator!: string | null;
  @Field(() => Entity) delegate!: Entity;
  @Field(() => RoleName) role!: RoleName;
}

@ObjectType({ description: "The ways to use a robot's credentials" })
export class RobotCredentials {
  @Field(() => String) username!: string;
  @Field(() => String) token!: string;
  @Field(() => String) dockerLogin!: string;
  @Field(() => String) podmanLogin!: string;
  @Field(() => String, { description: "A Kubernetes pull secret (YAML)" }) kubernetesSecret!: string;
  @Field(() => String, { description: "A Docker config.json" }) dockerConfig!: string;
}

@ObjectType({ description: "A robot account, named namespace+name" })
export class Robot {
  id!: bigint;
  namespaceId!: bigint;
  @Field(() => String) name!: string;
  @Field(() => String) shortName!: string;
  @Field(() => String) description!: string;
  @Field(() => Avatar) avatar!: Avatar;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
}

@ObjectType({ description: "A repository" })
export class Repository {
  id!: bigint;
  namespaceId!: bigint;
  @Field(() => String) namespace!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: "namespace/name" }) fullName!: string;
  @Field(() => String) description!: string;
  @Field(() => Visibility) visibility!: Visibility;
  @Field(() => String, { description: "image or application" }) kind!: string;
  @Field(() => String, { description: "normal, read_only or mirror" }) state!: string;
  @Field(() => Boolean) isOrganization!: boolean;
  @Field(() => Date) createdAt!: Date;
}
export const RepositoryConnection = connectionOf(Repository, "Repository");

@ObjectType({ description: "A permission on a repository" })
export class RepositoryPermission {
  @Field(() => Entity) entity!: Entity;
  @Field(() => RoleName) role!: RoleName;
}

@ObjectType({ description: "An OAuth application owned by an organization" })
export class OAuthApplication {
  @Field(() => String) name!: string;
  @Field(() => String) clientId!: string;
  @Field(() => String, { description: "Where the authorize flow may send users back (a prefix)" })
  redirectUri!: string;
  @Field(() => String, { description: "The application's home page" }) applicationUri!: string;
  @Field(() => String) description!: string;
  @Field(() => String, { nullable: true, description: "E-mail whose avatar the application shows" })
  avatarEmail!: string | null;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
export class CreatedOAuthApplication {
  @Field(() => OAuthApplication) application!: OAuthApplication;
  @Field(() => String, { description: "Shown once" }) clientSecret!: string;
}

@ObjectType({ description: "One audit log entry" })
export class LogEntry {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: "Quay's kind name, e.g. push_repo" }) kind!: string;
  @Field(() => String, { nullable: true }) performer!: string | null;
  @Field(() => String, { nullable: true }) ip!: string | null;
  @Field(() => GraphQLJSON) metadata!: unknown;
  @Field(() => Date) createdAt!: Date;
  @Field(() => String, { nullable: true }) namespace!: string | null;
  @Field(() => String, { nullable: true }) repository!: string | null;
}
export const LogEntryConnection = connectionOf(LogEntry, "LogEntry");

@ObjectType({ description: "Search results for pickers" })
export class EntitySearch {
  @Field(() => [Entity]) results!: Entity[];
}

@ObjectType({ description: "Counts shown in organization lists" })
export class OrganizationCounts {
  @Field(() => Int) repositories!: number;
  @Field(() => Int) teams!: number;
  @Field(() => Int) robots!: number;
  @Field(() => Int) members!: number;
}
