// Organizations: the viewer's list, one organization, create, settings, delete.
import { useMutation, useQuery } from "urql";
import {
  CreateOrganizationDocument,
  DeleteOrganizationDocument,
  MyOrganizationsDocument,
  OrganizationDocument,
  UpdateOrganizationDocument,
  type ResultOf,
  type VariablesOf,
} from "@hm/schema";
import { unwrap } from "../api/errors";

export type OrganizationSummary = NonNullable<
  ResultOf<typeof MyOrganizationsDocument>["viewer"]
>["organizations"][number];
export type OrganizationDetails = ResultOf<typeof OrganizationDocument>["organization"];

export function useMyOrganizations() {
  const [result, refetch] = useQuery({ query: MyOrganizationsDocument });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useOrganization(name: string) {
  const [result, refetch] = useQuery({ query: OrganizationDocument, variables: { name } });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useOrganizationMutations() {
  const [, create] = useMutation(CreateOrganizationDocument);
  const [, update] = useMutation(UpdateOrganizationDocument);
  const [, remove] = useMutation(DeleteOrganizationDocument);
  return {
    create: async (v: VariablesOf<typeof CreateOrganizationDocument>) =>
      unwrap(await create(v)).createOrganization,
    update: async (v: VariablesOf<typeof UpdateOrganizationDocument>) =>
      unwrap(await update(v)).updateOrganization,
    remove: async (name: string) => void unwrap(await remove({ name, confirm: name })),
  };
}
