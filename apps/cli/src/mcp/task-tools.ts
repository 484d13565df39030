import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CadreClient } from "@cadre/client";
import { TaskMode } from "@cadre/protocol";
import { describeTask } from "./describe-task.ts";
import { TaskOutput } from "./output-schemas.ts";
import { taskView } from "./task-view.ts";
import { structuredResult, toolConfig } from "./tool-config.ts";
import { AttemptIndex, DEFAULT_WAIT_SECONDS, TaskId, WaitSeconds } from "./tool-input-fields.ts";
import { waitProgress } from "./wait-progress.ts";
import { waitUntilSettled } from "./wait-until-settled.ts";

const Text = z.string().min(1).max(100_000);
const attemptOf = (attempt: number | undefined) => (attempt ? { attempt } : {});

/** The tools that add to Cadre's own state (a task, a turn, an answer) and touch no repository. */
export function registerTaskTools(server: McpServer, client: CadreClient): void {
  server.registerTool(
    "start_task",
    toolConfig("start_task", {
      description:
        "Start a Cadre task: an agent works on the prompt in a sandbox made from the repository and comes back with a summary and a diff for review; nothing reaches the repository until it is applied or approved. mode 'ask' answers a question without changing code; 'plan' proposes a plan and waits for approval.",
      inputSchema: {
        prompt: Text,
        repo: z.string().min(1).max(100).describe("repo name or id (see list_repos)"),
        baseRef: z
          .string()
          .min(1)
          .max(255)
          .optional()
          .describe("branch, tag or commit to start from (default: the repo's default branch)"),
        mode: TaskMode.optional(),
        attempts: z.number().int().min(1).max(8).optional(),
        model: z.string().min(1).max(200).optional(),
        title: z.string().max(200).optional(),
        wait: z.boolean().optional().describe("wait until the task finishes or asks for input"),
        waitSeconds: WaitSeconds,
      },
      outputSchema: TaskOutput,
    }),
    async (args, context) => {
      const created = await client.call("createTask", {
        body: {
          prompt: args.prompt,
          repo: args.repo,
          attempts: args.attempts ?? 1,
          mode: args.mode ?? "code",
          ...(args.baseRef ? { baseRef: args.baseRef } : {}),
          ...(args.model ? { model: args.model } : {}),
          ...(args.title ? { title: args.title } : {}),
        },
      });
      if (!args.wait) return structuredResult(TaskOutput, taskView(created));
      const { timedOut } = await waitUntilSettled(client, {
        taskId: created.id,
        timeoutMs: (args.waitSeconds ?? DEFAULT_WAIT_SECONDS) * 1000,
        from: new Map(created.attempts.map((attempt) => [attempt.id, 0])),
        ...waitProgress(context),
      });
      return structuredResult(TaskOutput, await describeTask(client, created.id, { timedOut }));
    },
  );

  server.registerTool(
    "send_followup",
    toolConfig("send_followup", {
      description:
        "Send a follow-up instruction to a finished task: a new turn in the same conversation and sandbox workspace.",
      inputSchema: { taskId: TaskId, text: Text, attempt: AttemptIndex },
      outputSchema: TaskOutput,
    }),
    async (args) => {
      const task = await client.call("followupTask", {
        params: { id: args.taskId },
        body: { text: args.text, resolveConflicts: false, ...attemptOf(args.attempt) },
      });
      return structuredResult(TaskOutput, taskView(task));
    },
  );

  server.registerTool(
    "answer_question",
    toolConfig("answer_question", {
      description: "Answer the question a waiting task asked; it resumes from the answer.",
      inputSchema: { taskId: TaskId, text: Text, attempt: AttemptIndex },
      outputSchema: TaskOutput,
    }),
    async (args) => {
      const task = await client.call("answerTask", {
        params: { id: args.taskId },
        body: { text: args.text, ...attemptOf(args.attempt) },
      });
      return structuredResult(TaskOutput, taskView(task));
    },
  );

  server.registerTool(
    "approve_plan",
    toolConfig("approve_plan", {
      description:
        "Approve a 'plan' task's proposed plan so the agent starts editing in its sandbox (optionally with extra guidance).",
      inputSchema: { taskId: TaskId, attempt: AttemptIndex, comment: z.string().max(100_000).optional() },
      outputSchema: TaskOutput,
    }),
    async (args) => {
      const task = await client.call("approvePlan", {
        params: { id: args.taskId },
        body: { ...attemptOf(args.attempt), ...(args.comment ? { comment: args.comment } : {}) },
      });
      return structuredResult(TaskOutput, taskView(task));
    },
  );
}
