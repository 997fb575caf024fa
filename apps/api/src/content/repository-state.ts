// Repository states (Quay's NORMAL, READ_ONLY, MIRROR) and who may write in each: anyone with the role in a
// normal repository, nobody in a read-only one, only its mirror robot in a mirror. Normal repositories pay
// nothing (the state is on the row every write has already read); a mirror costs one lookup of its robot.
import type { Db } from "../infra/database.js";
import { isWritable, stateRefusal, writerRobotId } from "./errors.js";

export type Writer = Parameters<typeof writerRobotId>[0];
export type RepositoryState = "normal" | "read_only" | "mirror";

/** Quay's names of the states (the REST API's `state`, the `change_repo_state` audit entry). */
export const STATE_NAMES: Record<RepositoryState, "NORMAL" | "READ_ONLY" | "MIRROR"> = {
  normal: "NORMAL",
  read_only: "READ_ONLY",
  mirror: "MIRROR",
};

/** Whether `who` may write to the repository in its state. */
export async function mayWrite(db: Db, repo: { id: bigint; state: string }, who: Writer): Promise<boolean> {
  if (isWritable(repo)) return true;
  const robotId = repo.state === "mirror" ? writerRobotId(who) : null;
  if (robotId === null) return false;
  const mirror = await db.repoMirrorConfig.findUnique({
    where: { repositoryId: repo.id },
    select: { robotId: true },
  });
  return mirror?.robotId === robotId;
}

/** Refuses the write when the repository's state does not take it from `who`, saying why. */
export async function assertWritableBy(
  db: Db,
  repo: { id: bigint; state: string },
  who: Writer,
): Promise<void> {
  if (!(await mayWrite(db, repo, who))) throw stateRefusal(repo);
}
