// The superuser panel: every user and organization, and user management.
import { useMutation, useQuery } from "urql";
import {
  AllOrganizationsDocument,
  CreateUserDocument,
  DeleteUserDocument,
  SetUserEnabledDocument,
  SetUserPasswordDocument,
  UsersDocument,
  type VariablesOf,
} from "@hm/schema";
import { unwrap } from "../api/errors";

export function useUsers(variables: VariablesOf<typeof UsersDocument>) {
  const [result, refetch] = useQuery({ query: UsersDocument, variables });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useAllOrganizations(variables: VariablesOf<typeof AllOrganizationsDocument>) {
  const [result] = useQuery({ query: AllOrganizationsDocument, variables });
  return result;
}

export function useUserAdministration() {
  const [, create] = useMutation(CreateUserDocument);
  const [, setPassword] = useMutation(SetUserPasswordDocument);
  const [, setEnabled] = useMutation(SetUserEnabledDocument);
  const [, remove] = useMutation(DeleteUserDocument);
  return {
    create: async (username: string, email: string) => unwrap(await create({ username, email })).createUser,
    setPassword: async (username: string, password: string) =>
      void unwrap(await setPassword({ username, password })),
    setEnabled: async (username: string, enabled: boolean) =>
      void unwrap(await setEnabled({ username, enabled })),
    remove: async (username: string) => void unwrap(await remove({ username })),
  };
}
