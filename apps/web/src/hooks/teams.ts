// Teams, organization members and collaborators, default permissions.
import { useMutation, useQuery } from "urql";
import {
  AddTeamMemberDocument,
  CreateDefaultPermissionDocument,
  CreateTeamDocument,
  DefaultPermissionsDocument,
  DeleteDefaultPermissionDocument,
  DeleteTeamDocument,
  OrganizationTeamsDocument,
  RemoveTeamMemberDocument,
  TeamDocument,
  UpdateDefaultPermissionDocument,
  UpdateTeamDocument,
  type ResultOf,
  type VariablesOf,
} from "@hm/schema";
import { unwrap } from "../api/errors";

export type TeamRole = NonNullable<VariablesOf<typeof CreateTeamDocument>["role"]>;
export const TEAM_ROLES: TeamRole[] = ["member", "creator", "admin"];
export type TeamSummary = ResultOf<typeof OrganizationTeamsDocument>["organization"]["teams"][number];
export type TeamDetails = ResultOf<typeof TeamDocument>["organization"]["team"];

export function useOrganizationTeams(name: string) {
  const [result, refetch] = useQuery({ query: OrganizationTeamsDocument, variables: { name } });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useTeam(organization: string, name: string, pause = false) {
  const [result, refetch] = useQuery({ query: TeamDocument, variables: { organization, name }, pause });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useTeamMutations(organization: string) {
  const [, create] = useMutation(CreateTeamDocument);
  const [, update] = useMutation(UpdateTeamDocument);
  const [, remove] = useMutation(DeleteTeamDocument);
  const [, addMember] = useMutation(AddTeamMemberDocument);
  const [, removeMember] = useMutation(RemoveTeamMemberDocument);
  return {
    create: async (name: string, description: string, role: TeamRole) =>
      unwrap(await create({ organization, name, description, role })).createTeam,
    update: async (name: string, v: { description?: string; role?: TeamRole }) =>
      unwrap(await update({ organization, name, ...v })).updateTeam,
    remove: async (name: string) => void unwrap(await remove({ organization, name })),
    addMember: async (team: string, member: string) =>
      unwrap(await addMember({ organization, team, member })).addTeamMember,
    removeMember: async (team: string, member: string) =>
      void unwrap(await removeMember({ organization, team, member })),
  };
}

export function useDefaultPermissions(name: string) {
  const [result, refetch] = useQuery({ query: DefaultPermissionsDocument, variables: { name } });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useDefaultPermissionMutations(organization: string) {
  const [, create] = useMutation(CreateDefaultPermissionDocument);
  const [, update] = useMutation(UpdateDefaultPermissionDocument);
  const [, remove] = useMutation(DeleteDefaultPermissionDocument);
  return {
    create: async (v: Omit<VariablesOf<typeof CreateDefaultPermissionDocument>, "organization">) =>
      void unwrap(await create({ organization, ...v })),
    update: async (id: string, role: VariablesOf<typeof UpdateDefaultPermissionDocument>["role"]) =>
      void unwrap(await update({ organization, id, role })),
    remove: async (id: string) => void unwrap(await remove({ organization, id })),
  };
}
