import { useQuery } from "urql";
import { SystemDocument } from "@hm/schema";

export function useSystem() {
  const [{ data, fetching, error }] = useQuery({ query: SystemDocument });
  return { system: data?.system, fetching, error };
}
