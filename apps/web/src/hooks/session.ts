// The signed-in user and the session: sign in, sign up, sign out, team invitations.
import { useCallback } from "react";
import { useClient, useMutation, useQuery } from "urql";
import {
  AcceptInvitationDocument,
  DeclineInvitationDocument,
  LoginDocument,
  LogoutDocument,
  SignUpDocument,
  ViewerDocument,
  type ResultOf,
} from "@hm/schema";
import { unwrap } from "../api/errors";

export type Viewer = NonNullable<ResultOf<typeof ViewerDocument>["viewer"]>;

/** viewer is undefined while unknown, null when anonymous. */
export function useViewer() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: ViewerDocument });
  return { viewer: data ? data.viewer : undefined, fetching, error, refetch };
}

/** Re-reads the viewer from the server (after sign-in, sign-out, accepting an invitation). */
function useRefreshViewer() {
  const client = useClient();
  return useCallback(
    () => client.query(ViewerDocument, {}, { requestPolicy: "network-only" }).toPromise(),
    [client],
  );
}

export function useLogin() {
  const [, login] = useMutation(LoginDocument);
  const refresh = useRefreshViewer();
  return async (username: string, password: string) => {
    unwrap(await login({ username, password }));
    await refresh();
  };
}

export function useSignUp() {
  const [, signUp] = useMutation(SignUpDocument);
  const refresh = useRefreshViewer();
  return async (vars: { username: string; email: string; password: string }) => {
    unwrap(await signUp(vars));
    await refresh();
  };
}

export function useLogout() {
  const [, logout] = useMutation(LogoutDocument);
  const refresh = useRefreshViewer();
  return async () => {
    unwrap(await logout({}));
    await refresh();
  };
}

export function useInvitationActions() {
  const [, accept] = useMutation(AcceptInvitationDocument);
  const [, decline] = useMutation(DeclineInvitationDocument);
  const refresh = useRefreshViewer();
  return {
    accept: async (id: string) => {
      unwrap(await accept({ id }));
      await refresh();
    },
    decline: async (id: string) => {
      unwrap(await decline({ id }));
      await refresh();
    },
  };
}
