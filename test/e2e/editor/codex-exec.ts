import { spawn } from "node:child_process";

/** One line of `codex exec --json`: thread/turn events and items (messages, MCP tool calls…). */
export interface CodexEvent {
  type: string;
  item?: {
    id: string;
    type: string;
    server?: string;
    tool?: string;
    arguments?: unknown;
    result?: { content?: { type: string; text?: string }[]; structured_content?: unknown } | null;
    error?: { message: string } | null;
    status?: string;
    text?: string;
  };
}

export interface CodexRun {
  code: number | null;
  events: CodexEvent[];
  stderr: string;
}

/**
 * `codex exec --json <prompt>` with nothing but the prompt on the command line, so sandbox and
 * approval policy stay at Codex's defaults (a read-only sandbox, and no one to ask for approval).
 */
export function codexExec(opts: {
  bin: string;
  codexHome: string;
  cwd: string;
  prompt: string;
  timeoutMs: number;
}): Promise<CodexRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.bin, ["exec", "--json", opts.prompt], {
      cwd: opts.cwd,
      env: { ...process.env, OPENAI_API_KEY: "scripted-model-key", CODEX_HOME: opts.codexHome },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`codex exec did not finish in ${opts.timeoutMs} ms:\n${stdout}\n${stderr.slice(-4000)}`));
    }, opts.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const events = stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as CodexEvent);
      resolve({ code, events, stderr });
    });
  });
}

/** The MCP tool calls Codex finished, in order. */
export function completedMcpCalls(run: CodexRun): NonNullable<CodexEvent["item"]>[] {
  return run.events.flatMap((event) =>
    event.type === "item.completed" && event.item?.type === "mcp_tool_call" ? [event.item] : [],
  );
}
