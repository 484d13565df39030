import { CadreError } from "@cadre/protocol";
import { diffCommits } from "@cadre/git";
import type { AttemptRecord } from "@cadre/store";
import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";
import { mirrorPath } from "../cadre-home.ts";

export function attemptHandlers(
  ctx: ServerContext,
): Pick<Handlers, "getAttempt" | "listTurns" | "listEvents" | "attemptDiff"> {
  async function find(id: string): Promise<AttemptRecord> {
    const a = await ctx.store.attempts.get(id);
    if (!a)
      throw new CadreError(
        "not_found",
        `attempt ${id} not found: a task's page lists its attempts`,
        undefined,
        "cadre task show <task>",
      );
    return a;
  }

  return {
    async getAttempt({ params }) {
      const {
        needsRun: _n,
        pendingInput: _p,
        cancelRequested: _c,
        leaseExpiresAt: _l,
        ...attempt
      } = await find(params.id);
      return attempt;
    },
    async listTurns({ params }) {
      await find(params.id);
      return { items: await ctx.store.attempts.turns(params.id) };
    },
    async listEvents({ params, query }) {
      const a = await find(params.id);
      return { items: await ctx.store.events.list(params.id, query.after, query.limit), lastSeq: a.lastSeq };
    },
    async attemptDiff({ params, query }) {
      const a = await find(params.id);
      const task = await ctx.store.tasks.get(a.taskId);
      if (!task) throw new CadreError("not_found", `task ${a.taskId} not found`);
      let base = a.baseCommit ?? task.baseCommit;
      let head = a.headCommit ?? base;
      if (query.turn !== undefined) {
        const turns = await ctx.store.attempts.turns(a.id);
        const turn = turns.find((t) => t.index === query.turn);
        if (!turn)
          throw new CadreError("not_found", `attempt ${a.id} has no turn ${query.turn} (it has ${turns.length})`);
        const previous = turns.filter((t) => t.index < turn.index && t.checkpointCommit).pop();
        base = previous?.checkpointCommit ?? a.baseCommit ?? task.baseCommit;
        head = turn.checkpointCommit ?? base;
      }
      if (query.against !== undefined) {
        if (query.turn !== undefined)
          throw new CadreError("bad_request", "choose either turn or against: a turn's diff has its own base");
        // The same answer whether the other attempt is missing or another task's: nothing leaks about hidden tasks.
        const other = await ctx.store.attempts.get(query.against);
        if (!other || other.taskId !== a.taskId)
          throw new CadreError(
            "bad_request",
            `${query.against} is not an attempt of task ${a.taskId}: compare two attempts of one task`,
          );
        base = other.headCommit ?? other.baseCommit ?? task.baseCommit;
      }
      const paths = query.path === undefined ? undefined : Array.isArray(query.path) ? query.path : [query.path];
      return diffCommits({
        gitDir: mirrorPath(ctx.home, task.repoId),
        base,
        head,
        paths,
        cursor: query.cursor,
        limit: query.limit,
      });
    },
  };
}
