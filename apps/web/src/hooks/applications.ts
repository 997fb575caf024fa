// OAuth applications of an organization and the tokens they issue for the viewer.
import { useMutation, useQuery } from "urql";
import {
  CreateOAuthApplicationDocument,
  DeleteOAuthApplicationDocument,
  GenerateOAuthTokenDocument,
  OAuthApplicationsDocument,
  ResetOAuthClientSecretDocument,
  UpdateOAuthApplicationDocument,
  OAuthApplicationFields,
  type ResultOf,
  type VariablesOf,
} from "@hm/schema";
import { unwrap } from "../api/errors";

export type Application = ResultOf<typeof OAuthApplicationFields>;

/** Quay's scopes, as the "Generate token" form offers them. */
export const SCOPES: { scope: string; title: string; dangerous?: boolean }[] = [
  { scope: "repo:read", title: "View all visible repositories" },
  { scope: "repo:write", title: "Read/Write to any accessible repositories" },
  { scope: "repo:admin", title: "Administer repositories" },
  { scope: "repo:create", title: "Create repositories" },
  { scope: "user:read", title: "Read user information" },
  { scope: "user:admin", title: "Administer user", dangerous: true },
  { scope: "org:admin", title: "Administer organization", dangerous: true },
  { scope: "super:user", title: "Super user access", dangerous: true },
];

export function useApplications(organization: string) {
  const [result, refetch] = useQuery({ query: OAuthApplicationsDocument, variables: { organization } });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

type Edit = Omit<VariablesOf<typeof UpdateOAuthApplicationDocument>, "organization" | "clientId">;

export function useApplicationMutations(organization: string) {
  const [, create] = useMutation(CreateOAuthApplicationDocument);
  const [, update] = useMutation(UpdateOAuthApplicationDocument);
  const [, reset] = useMutation(ResetOAuthClientSecretDocument);
  const [, remove] = useMutation(DeleteOAuthApplicationDocument);
  const [, generate] = useMutation(GenerateOAuthTokenDocument);
  return {
    create: async (v: Omit<VariablesOf<typeof CreateOAuthApplicationDocument>, "organization">) =>
      unwrap(await create({ organization, ...v })).createOAuthApplication.clientSecret,
    update: async (clientId: string, v: Edit) => void unwrap(await update({ organization, clientId, ...v })),
    resetSecret: async (clientId: string) =>
      unwrap(await reset({ organization, clientId })).resetOAuthClientSecret.clientSecret,
    remove: async (clientId: string) => void unwrap(await remove({ organization, clientId })),
    generateToken: async (clientId: string, scopes: string[]) =>
      unwrap(await generate({ clientId, scopes })).generateOAuthToken,
  };
}
