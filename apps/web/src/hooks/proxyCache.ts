// Proxy-cache organizations (seed 001 ch. 15): whether the feature is on, an organization's configuration
// (credentials are never shown, only whether there are some), and the admins' validate, create and delete.
import { useCallback } from "react";
import { useMutation, useQuery } from "urql";
import { graphql, type ResultOf, type VariablesOf } from "@hm/schema";
import { unwrap } from "../api/errors";
import { useSystem } from "./useSystem";

const ProxyCacheFields = graphql(`
  fragment ProxyCacheFields on ProxyCache {
    upstreamRegistry
    expirationS
    insecure
    hasCredentials
    createdAt
  }
`);

export const OrganizationProxyCacheDocument = graphql(
  `
    query OrganizationProxyCache($name: String!) {
      organization(name: $name) {
        name
        proxyCache {
          ...ProxyCacheFields
        }
      }
    }
  `,
  [ProxyCacheFields],
);

export const CreateProxyCacheDocument = graphql(
  `
    mutation CreateProxyCache($organization: String!, $input: ProxyCacheInput!) {
      createProxyCache(organization: $organization, input: $input) {
        ...ProxyCacheFields
      }
    }
  `,
  [ProxyCacheFields],
);

export const DeleteProxyCacheDocument = graphql(`
  mutation DeleteProxyCache($organization: String!) {
    deleteProxyCache(organization: $organization)
  }
`);

export const ValidateProxyCacheDocument = graphql(`
  mutation ValidateProxyCache($organization: String!, $input: ProxyCacheInput!) {
    validateProxyCache(organization: $organization, input: $input) {
      valid
      status
      message
    }
  }
`);

export type ProxyCache = ResultOf<typeof ProxyCacheFields>;
export type ProxyCacheInput = VariablesOf<typeof CreateProxyCacheDocument>["input"];
export type ProxyCacheValidation = ResultOf<typeof ValidateProxyCacheDocument>["validateProxyCache"];

/** The seed's default Expiration of cached tags, in seconds. */
export const DEFAULT_PROXY_EXPIRATION_S = 86400;

/** FEATURE_PROXY_CACHE: the organization settings' proxy cache section exists only with it. */
export function useProxyCacheFeature(): boolean {
  return !!useSystem().system?.features.proxyCache;
}

export function useOrganizationProxyCache(organization: string, pause = false) {
  const [result, reexecute] = useQuery({
    query: OrganizationProxyCacheDocument,
    variables: { name: organization },
    pause,
  });
  return { result, refetch: useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]) };
}

export function useProxyCacheMutations(organization: string) {
  const [, create] = useMutation(CreateProxyCacheDocument);
  const [, remove] = useMutation(DeleteProxyCacheDocument);
  const [, validate] = useMutation(ValidateProxyCacheDocument);
  return {
    create: async (input: ProxyCacheInput) => unwrap(await create({ organization, input })).createProxyCache,
    remove: async () => void unwrap(await remove({ organization })),
    validate: async (input: ProxyCacheInput) =>
      unwrap(await validate({ organization, input })).validateProxyCache,
  };
}
