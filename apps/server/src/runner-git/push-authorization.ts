import { CadreError, Id } from "@cadre/protocol";
import { deletesRef, type ReceiveCommand } from "@cadre/git";
import type { ServerContext } from "../server-context.ts";
import type { RunnerPrincipal } from "../runner-api/runner-principal.ts";

/** At most this many refs in one push: a runner pushes one checkpoint at a time. */
const MAX_COMMANDS = 16;
const CHECKPOINT_REF = /^refs\/cadre\/tasks\/([^/]+)\/([^/]+)$/;

/**
 * Refuses a push unless every ref it writes is the checkpoint ref of an attempt the runner holds,
 * on this repo: `refs/cadre/tasks/<task>/<attempt>`, never deleted. Checked before git sees the
 * request, so a refused push writes nothing, not even its objects.
 */
export async function authorizePush(
  ctx: ServerContext,
  runner: RunnerPrincipal,
  repoId: string,
  commands: ReceiveCommand[],
): Promise<void> {
  if (commands.length > MAX_COMMANDS)
    throw new CadreError(
      "forbidden",
      `a push may write at most ${MAX_COMMANDS} refs; this one writes ${commands.length}`,
    );
  for (const command of commands) {
    const match = CHECKPOINT_REF.exec(command.ref);
    const taskId = match?.[1] ?? "";
    const attemptId = match?.[2] ?? "";
    if (!match || !Id.safeParse(taskId).success || !Id.safeParse(attemptId).success)
      throw new CadreError(
        "forbidden",
        `runner ${runner.name} may push only refs/cadre/tasks/<task>/<attempt> of attempts it holds, not ${command.ref}`,
      );
    if (deletesRef(command)) throw new CadreError("forbidden", `runner ${runner.name} may not delete ${command.ref}`);
    const holder = await ctx.store.attempts.holder(attemptId);
    if (!holder || holder.runnerId !== runner.runnerId || holder.taskId !== taskId || holder.repoId !== repoId)
      throw new CadreError(
        "forbidden",
        `runner ${runner.name} does not hold attempt ${attemptId} of this repository: it may not push ${command.ref}`,
      );
  }
}
