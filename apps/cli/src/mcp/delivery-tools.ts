import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CadreClient } from "@cadre/client";
import { ApproveBody, BranchName, CadreError } from "@cadre/protocol";
import { applyTaskToPath } from "./apply-to-path.ts";
import { ApplyOutput, TaskOutput } from "./output-schemas.ts";
import { taskView } from "./task-view.ts";
import { structuredResult, toolConfig } from "./tool-config.ts";
import { AttemptIndex, TaskId } from "./tool-input-fields.ts";

/** The destructive tools: they write a task's change over a local clone, or into the origin. */
export function registerDeliveryTools(server: McpServer, client: CadreClient): void {
  server.registerTool(
    "apply_task",
    toolConfig("apply_task", {
      description:
        "Apply a finished task's change to a local clone of its repository (git apply with a --check preflight and a 3-way fallback), writing over its files, and record the task as pulled locally. Refuses when local changes are in the way; reports applied, conflicted and skipped files.",
      inputSchema: {
        taskId: TaskId,
        path: z.string().min(1).max(4096).describe("absolute path inside the local clone"),
        attempt: AttemptIndex,
        files: z.array(z.string().min(1).max(4096)).max(1000).optional().describe("only these files (default: all)"),
        record: z.boolean().optional().describe("record the task as pulled locally (default true)"),
      },
      outputSchema: ApplyOutput,
    }),
    async (args) => structuredResult(ApplyOutput, await applyTaskToPath(client, args)),
  );

  server.registerTool(
    "approve_task",
    toolConfig("approve_task", {
      description:
        "Deliver a finished task's change to its repository's origin as one commit: merge it into a branch (on top of the branch's head) and push that branch, or push it as a new branch of its own. Records the task as applied.",
      inputSchema: {
        taskId: TaskId,
        attempt: AttemptIndex,
        deliver: z.enum(["merge", "push_branch"]),
        branch: BranchName.optional().describe(
          "merge: the branch to merge into (required); push_branch: the new branch's name (default cadre/<task-slug>)",
        ),
      },
      outputSchema: TaskOutput,
    }),
    async (args) => {
      const attempt = args.attempt ? { attempt: args.attempt } : {};
      if (args.deliver === "merge" && !args.branch)
        throw new CadreError("bad_request", "deliver 'merge' needs branch: the branch to merge the change into");
      // Typed by the route's body, so a change to what the server takes shows here at compile time.
      const body: z.input<typeof ApproveBody> =
        args.deliver === "merge" && args.branch
          ? { ...attempt, merge: args.branch }
          : { ...attempt, pushBranch: args.branch ?? null };
      const task = await client.call("approveTask", { params: { id: args.taskId }, body });
      return structuredResult(TaskOutput, taskView(task));
    },
  );
}
