// Robot accounts of a user or organization namespace, their credentials and bulk permissions.
import { useMutation, useQuery } from "urql";
import {
  CreateRobotDocument,
  DeleteRobotDocument,
  RegenerateRobotTokenDocument,
  RobotCredentialsDocument,
  RobotsDocument,
  SetRobotPermissionsDocument,
  type ResultOf,
  type VariablesOf,
} from "@hm/schema";
import { unwrap } from "../api/errors";

export type RobotSummary = ResultOf<typeof RobotsDocument>["robots"][number];
export type RobotCredentials = ResultOf<typeof RobotCredentialsDocument>["robot"]["credentials"];

export function useRobots(namespace: string) {
  const [result, refetch] = useQuery({ query: RobotsDocument, variables: { namespace } });
  return { result, refetch: () => refetch({ requestPolicy: "network-only" }) };
}

export function useRobotCredentials(name: string | null) {
  const [result] = useQuery({
    query: RobotCredentialsDocument,
    variables: { name: name ?? "" },
    pause: !name,
    requestPolicy: "network-only",
  });
  return result;
}

export function useRobotMutations() {
  const [, create] = useMutation(CreateRobotDocument);
  const [, regenerate] = useMutation(RegenerateRobotTokenDocument);
  const [, remove] = useMutation(DeleteRobotDocument);
  const [, setPermissions] = useMutation(SetRobotPermissionsDocument);
  return {
    create: async (v: VariablesOf<typeof CreateRobotDocument>) => unwrap(await create(v)).createRobot,
    regenerate: async (name: string) => unwrap(await regenerate({ name })).regenerateRobotToken.credentials,
    remove: async (name: string) => void unwrap(await remove({ name })),
    setPermissions: async (v: VariablesOf<typeof SetRobotPermissionsDocument>) =>
      unwrap(await setPermissions(v)).setRobotPermissions,
  };
}
