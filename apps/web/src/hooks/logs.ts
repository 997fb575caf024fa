import { useQuery } from "urql";
import { LogsDocument, type ResultOf, type VariablesOf } from "@hm/schema";

export type LogEntry = ResultOf<typeof LogsDocument>["logs"]["edges"][number]["node"];

export function useLogs(variables: VariablesOf<typeof LogsDocument>) {
  const [result, refetch] = useQuery({ query: LogsDocument, variables });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}
