import { z } from "zod";

export const TaskId = z.string().min(1).max(100).describe("task id (task_…)");

export const AttemptIndex = z
  .number()
  .int()
  .min(1)
  .max(8)
  .optional()
  .describe("which attempt of a best-of-N task (default: the chosen or only one)");

/**
 * Under the 60 s request timeout that MCP clients commonly default to (the SDK's, Codex's
 * tool_timeout_sec): a longer wait would be cut off as an error instead of returning the task.
 */
export const DEFAULT_WAIT_SECONDS = 50;

export const WaitSeconds = z
  .number()
  .int()
  .min(1)
  .max(3600)
  .optional()
  .describe(
    `wait at most this long (default ${DEFAULT_WAIT_SECONDS} s; raise your client's tool timeout to wait longer); a task still running is returned as is`,
  );
