import { InvariantError } from "@cadre/protocol";
import type { JobRecord } from "@cadre/store";
import { JobPayloads, REVIEW_CHECK } from "./forge-jobs.ts";
import { tracked, type ForgeScope } from "./forge-scope.ts";
import { onTurnEnd } from "./turn-end.ts";

/** Runs one queued job on its forge; throws to have it retried later. */
export async function runJob(scope: ForgeScope, job: JobRecord): Promise<void> {
  switch (job.kind) {
    case "acknowledge": {
      const p = JobPayloads.acknowledge.parse(job.payload);
      const comment = { ...p.comment, author: { login: "", isBot: false }, body: "", url: "", createdAt: "" };
      await tracked(scope, (client) => client.acknowledge(p.repoPath, p.thread, comment));
      if (p.announce)
        await tracked(scope, (client) =>
          client.comment(p.repoPath, p.thread, `Cadre is on it: ${scope.ctx.forges.taskUrl(p.taskId)}`),
        );
      return;
    }
    case "note": {
      const p = JobPayloads.note.parse(job.payload);
      await tracked(scope, (client) => client.comment(p.repoPath, p.thread, p.body));
      return;
    }
    case "review_started": {
      const p = JobPayloads.review_started.parse(job.payload);
      const url = scope.ctx.forges.taskUrl(p.taskId);
      const set = await tracked(scope, (client) =>
        client.setCheck(p.repoPath, {
          commit: p.commit,
          name: REVIEW_CHECK,
          state: "pending",
          title: "reviewing",
          summary: `Cadre is reviewing: ${url}`,
          detailsUrl: url,
        }),
      );
      if (set.kind === "check") await scope.ctx.store.forgeLinks.setCheckId(p.taskId, set.id);
      return;
    }
    case "turn_end":
      return onTurnEnd(scope, JobPayloads.turn_end.parse(job.payload));
    default:
      throw new InvariantError(`unknown forge job kind ${job.kind}`);
  }
}
