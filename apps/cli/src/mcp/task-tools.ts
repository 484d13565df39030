import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { fetchWholeDiff, type CadreClient } from "@cadre/client";
import { AttemptStatus, TaskMode } from "@cadre/protocol";
import { resolveAttempt } from "../commands/attempt-target.ts";
import { pendingInput } from "./pending-input.ts";
import { taskRowView, taskView } from "./task-view.ts";
import { waitUntilSettled } from "./wait-until-settled.ts";
import { applyTaskToPath } from "./apply-to-path.ts";

const TaskId = z.string().min(1).max(100).describe("task id (task_…)");
const AttemptIndex = z
  .number()
  .int()
  .min(1)
  .max(8)
  .optional()
  .describe("which attempt of a best-of-N task (default: the chosen or only one)");
const WaitSeconds = z
  .number()
  .int()
  .min(1)
  .max(3600)
  .optional()
  .describe("wait at most this long (default 600 s); a task still running is returned as is");

const text = (value: unknown) => ({
  content: [{ type: "text" as const, text: typeof value === "string" ? value : JSON.stringify(value, null, 2) }],
});

/** A task with what its waiting attempts asked, so the calling agent can answer in one step. */
async function describe(client: CadreClient, taskId: string, timedOut?: boolean) {
  const t = await client.call("getTask", { params: { id: taskId } });
  const pending = (await Promise.all(t.attempts.map((a) => pendingInput(client, a)))).filter((p) => p !== null);
  return {
    ...taskView(t),
    ...(pending.length ? { waiting: pending } : {}),
    ...(timedOut ? { note: "still running: call wait_for_task again" } : {}),
  };
}

/** The MCP tools: each one maps to a server route through the typed client. */
export function registerTaskTools(server: McpServer, client: CadreClient): void {
  server.registerTool(
    "start_task",
    {
      description:
        "Start a Cadre task: an agent works on the prompt in a sandbox made from the repository and comes back with a summary and a diff. mode 'ask' answers a question without changing code; 'plan' proposes a plan and waits for approval.",
      inputSchema: {
        prompt: z.string().min(1).max(100_000),
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
    },
    async (a) => {
      const created = await client.call("createTask", {
        body: {
          prompt: a.prompt,
          repo: a.repo,
          attempts: a.attempts ?? 1,
          mode: a.mode ?? "code",
          ...(a.baseRef ? { baseRef: a.baseRef } : {}),
          ...(a.model ? { model: a.model } : {}),
          ...(a.title ? { title: a.title } : {}),
        },
      });
      if (!a.wait) return text(taskView(created));
      const { timedOut } = await waitUntilSettled(
        client,
        created.id,
        (a.waitSeconds ?? 600) * 1000,
        new Map(created.attempts.map((x) => [x.id, 0])),
      );
      return text(await describe(client, created.id, timedOut));
    },
  );

  server.registerTool(
    "get_task",
    {
      description:
        "A task's status, each attempt's summary (the answer of an 'ask' task), and the question or plan a waiting attempt needs answered.",
      inputSchema: { taskId: TaskId },
    },
    async (a) => text(await describe(client, a.taskId)),
  );

  server.registerTool(
    "wait_for_task",
    {
      description: "Wait until a task finishes or asks for input, then return it as get_task does.",
      inputSchema: { taskId: TaskId, waitSeconds: WaitSeconds },
    },
    async (a) => {
      const { timedOut } = await waitUntilSettled(client, a.taskId, (a.waitSeconds ?? 600) * 1000);
      return text(await describe(client, a.taskId, timedOut));
    },
  );

  server.registerTool(
    "list_tasks",
    {
      description: "List tasks, newest first.",
      inputSchema: {
        repo: z.string().max(100).optional(),
        status: AttemptStatus.optional(),
        search: z.string().max(200).optional(),
        limit: z.number().int().min(1).max(200).optional(),
      },
    },
    async (a) => {
      const page = await client.call("listTasks", {
        query: {
          limit: a.limit ?? 20,
          ...(a.repo ? { repo: a.repo } : {}),
          ...(a.status ? { status: a.status } : {}),
          ...(a.search ? { q: a.search } : {}),
        },
      });
      return text(page.items.map(taskRowView));
    },
  );

  server.registerTool(
    "list_repos",
    {
      description: "List the repositories Cadre can work on.",
      inputSchema: {},
    },
    async () =>
      text(
        (await client.call("listRepos")).items.map((r) => ({
          name: r.name,
          id: r.id,
          origin: r.origin,
          defaultBranch: r.defaultBranch,
        })),
      ),
  );

  server.registerTool(
    "get_diff",
    {
      description: "An attempt's change as a unified diff against the task's base (or one turn's change).",
      inputSchema: { taskId: TaskId, attempt: AttemptIndex, turn: z.number().int().min(1).optional() },
    },
    async (a) => {
      const { attempt } = await resolveAttempt(client, a.taskId, a.attempt);
      const d = await fetchWholeDiff(client, attempt.id, { turn: a.turn });
      return text(d.patch || "(no changes)");
    },
  );

  server.registerTool(
    "send_followup",
    {
      description:
        "Send a follow-up instruction to a finished task: a new turn in the same conversation and workspace.",
      inputSchema: { taskId: TaskId, text: z.string().min(1).max(100_000), attempt: AttemptIndex },
    },
    async (a) =>
      text(
        taskView(
          await client.call("followupTask", {
            params: { id: a.taskId },
            body: { text: a.text, resolveConflicts: false, ...(a.attempt ? { attempt: a.attempt } : {}) },
          }),
        ),
      ),
  );

  server.registerTool(
    "answer_question",
    {
      description: "Answer the question a waiting task asked; it resumes from the answer.",
      inputSchema: { taskId: TaskId, text: z.string().min(1).max(100_000), attempt: AttemptIndex },
    },
    async (a) =>
      text(
        taskView(
          await client.call("answerTask", {
            params: { id: a.taskId },
            body: { text: a.text, ...(a.attempt ? { attempt: a.attempt } : {}) },
          }),
        ),
      ),
  );

  server.registerTool(
    "approve_plan",
    {
      description:
        "Approve a 'plan' task's proposed plan so the agent starts editing (optionally with extra guidance).",
      inputSchema: { taskId: TaskId, attempt: AttemptIndex, comment: z.string().max(100_000).optional() },
    },
    async (a) =>
      text(
        taskView(
          await client.call("approvePlan", {
            params: { id: a.taskId },
            body: { ...(a.attempt ? { attempt: a.attempt } : {}), ...(a.comment ? { comment: a.comment } : {}) },
          }),
        ),
      ),
  );

  server.registerTool(
    "apply_task",
    {
      description:
        "Apply a finished task's change to a local clone of its repository (git apply with a --check preflight and a 3-way fallback). Refuses when local changes are in the way; reports applied, conflicted and skipped files.",
      inputSchema: {
        taskId: TaskId,
        path: z.string().min(1).max(4096).describe("absolute path inside the local clone"),
        attempt: AttemptIndex,
        files: z.array(z.string().min(1).max(4096)).max(1000).optional().describe("only these files (default: all)"),
        record: z.boolean().optional().describe("record the task as pulled locally (default true)"),
      },
    },
    async (a) =>
      text(
        await applyTaskToPath(client, {
          taskId: a.taskId,
          path: a.path,
          attempt: a.attempt,
          files: a.files,
          record: a.record,
        }),
      ),
  );
}
