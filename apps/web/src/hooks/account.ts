// The signed-in user's own settings.
import { useMutation, useQuery } from "urql";
import {
  AccountSettingsDocument,
  ChangeEmailDocument,
  ChangePasswordDocument,
  DeleteAccountDocument,
  SetTimeMachineDocument,
} from "@hm/schema";
import { unwrap } from "../api/errors";

export function useAccountSettings() {
  const [result] = useQuery({ query: AccountSettingsDocument });
  return result;
}

export function useAccountMutations() {
  const [, changePassword] = useMutation(ChangePasswordDocument);
  const [, changeEmail] = useMutation(ChangeEmailDocument);
  const [, setTimeMachine] = useMutation(SetTimeMachineDocument);
  const [, remove] = useMutation(DeleteAccountDocument);
  return {
    changePassword: async (currentPassword: string, newPassword: string) =>
      void unwrap(await changePassword({ currentPassword, newPassword })),
    changeEmail: async (email: string) => void unwrap(await changeEmail({ email })),
    setTimeMachine: async (window: string) => void unwrap(await setTimeMachine({ window })),
    deleteAccount: async (username: string) => void unwrap(await remove({ confirm: username })),
  };
}
