import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { fetchWholeDiff, type CadreClient } from "@cadre/client";
import { AttemptStatus } from "@cadre/protocol";
import { resolveAttempt } from "../commands/attempt-target.ts";
import { describeTask } from "./describe-task.ts";
import { DiffOutput, RepoListOutput, TaskListOutput, TaskOutput } from "./output-schemas.ts";
import { taskRowView } from "./task-view.ts";
import { structuredResult, toolConfig } from "./tool-config.ts";
import { AttemptIndex, DEFAULT_WAIT_SECONDS, TaskId, WaitSeconds } from "./tool-input-fields.ts";
import { waitProgress } from "./wait-progress.ts";
import { waitUntilSettled } from "./wait-until-settled.ts";

/** The tools that only read: repositories, tasks, waiting on a task, diffs. */
export function registerReadTools(server: McpServer, client: CadreClient): void {
  server.registerTool(
    "list_repos",
    toolConfig("list_repos", {
      description: "List the repositories Cadre can work on.",
      inputSchema: {},
      outputSchema: RepoListOutput,
    }),
    async () => {
      const repos = (await client.call("listRepos")).items.map((repo) => ({
        name: repo.name,
        id: repo.id,
        origin: repo.origin,
        defaultBranch: repo.defaultBranch,
      }));
      return structuredResult(RepoListOutput, { repos });
    },
  );

  server.registerTool(
    "list_tasks",
    toolConfig("list_tasks", {
      description: "List tasks, newest first.",
      inputSchema: {
        repo: z.string().max(100).optional(),
        status: AttemptStatus.optional(),
        search: z.string().max(200).optional(),
        limit: z.number().int().min(1).max(200).optional(),
      },
      outputSchema: TaskListOutput,
    }),
    async (args) => {
      const page = await client.call("listTasks", {
        query: {
          limit: args.limit ?? 20,
          ...(args.repo ? { repo: args.repo } : {}),
          ...(args.status ? { status: args.status } : {}),
          ...(args.search ? { q: args.search } : {}),
        },
      });
      return structuredResult(TaskListOutput, { tasks: page.items.map(taskRowView) });
    },
  );

  server.registerTool(
    "get_task",
    toolConfig("get_task", {
      description:
        "A task's status, each attempt's summary (the answer of an 'ask' task) and change stats, and the question or plan a waiting attempt needs answered.",
      inputSchema: { taskId: TaskId },
      outputSchema: TaskOutput,
    }),
    async (args) => structuredResult(TaskOutput, await describeTask(client, args.taskId)),
  );

  server.registerTool(
    "wait_for_task",
    toolConfig("wait_for_task", {
      description:
        "Wait until a task finishes or asks for input, then return it as get_task does: a waiting task returns at once with its question or plan. Sends progress notifications while it waits.",
      inputSchema: { taskId: TaskId, waitSeconds: WaitSeconds },
      outputSchema: TaskOutput,
    }),
    async (args, context) => {
      const { timedOut } = await waitUntilSettled(client, {
        taskId: args.taskId,
        timeoutMs: (args.waitSeconds ?? DEFAULT_WAIT_SECONDS) * 1000,
        ...waitProgress(context),
      });
      return structuredResult(TaskOutput, await describeTask(client, args.taskId, { timedOut }));
    },
  );

  server.registerTool(
    "get_diff",
    toolConfig("get_diff", {
      description:
        "An attempt's change as a unified diff against the task's base (or one turn's change), with per-file stats. The text content is the diff itself.",
      inputSchema: { taskId: TaskId, attempt: AttemptIndex, turn: z.number().int().min(1).optional() },
      outputSchema: DiffOutput,
    }),
    async (args) => {
      const { task, attempt } = await resolveAttempt(client, args.taskId, args.attempt);
      const diff = await fetchWholeDiff(client, attempt.id, { turn: args.turn });
      const output = {
        taskId: task.id,
        attempt: attempt.index,
        turn: args.turn ?? null,
        files: diff.files.map((file) => ({
          path: file.path,
          oldPath: file.oldPath,
          status: file.status,
          additions: file.additions,
          deletions: file.deletions,
          binary: file.binary,
        })),
        filesChanged: diff.totalFiles,
        additions: diff.additions,
        deletions: diff.deletions,
        patch: diff.patch,
      };
      return structuredResult(DiffOutput, output, diff.patch || "(no changes)");
    },
  );
}
