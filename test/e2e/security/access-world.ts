import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTerminal, type Repo, type Role, type TaskWithAttempts } from "@cadre/protocol";
import { startCadreServe, writeScriptedConfig, type CadreServeProcess } from "../../support/cadre-process.ts";
import { createFixtureRepo } from "../../support/fixture-repo.ts";
import { git } from "../../support/origin-repo.ts";
import { startScriptedModel, type Script, type ScriptedModel } from "../../support/scripted-model/index.ts";

/** One answer of the API, as a plain HTTP client sees it. */
export interface Answer {
  status: number;
  body: unknown;
  text: string;
}

/** The error envelope's code and message, or empty strings when the answer is not an error. */
export function errorOf(answer: Answer): { code: string; message: string } {
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return { code: String(error?.code ?? ""), message: String(error?.message ?? "") };
}

/** Sends one request with fetch, as any HTTP client would; `path` is under /api/v1 unless it starts with `//`. */
export async function send(
  server: CadreServeProcess,
  token: string | null,
  request: { method: string; path: string; body?: unknown; headers?: Record<string, string> },
): Promise<Answer> {
  const url = request.path.startsWith("//")
    ? `${server.url}${request.path.slice(1)}`
    : `${server.url}/api/v1${request.path}`;
  const headers: Record<string, string> = { ...request.headers };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (request.body !== undefined) headers["Content-Type"] = "application/json";
  const abort = new AbortController();
  const response = await fetch(url, {
    method: request.method,
    headers,
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    signal: abort.signal,
  });
  // An event stream never ends: its status and headers are the answer.
  if ((response.headers.get("content-type") ?? "").includes("text/event-stream")) {
    abort.abort();
    return { status: response.status, body: null, text: "" };
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: response.status, body, text };
}

export interface AccessWorld {
  server: CadreServeProcess;
  model: ScriptedModel;
  /** A directory outside the Cadre home for repositories and files the test makes. */
  scratch: string;
  home: string;
  /** Makes a fixture repository under `scratch` with extra committed `files` and adds it as the admin. */
  addRepo(name: string, files?: Record<string, string>): Promise<Repo & { path: string }>;
  /** Creates a user with grants on the named repos and returns their token. */
  addUser(name: string, role: Role, grants?: string[]): Promise<string>;
  call(token: string | null, method: string, path: string, body?: unknown): Promise<Answer>;
  /** Polls a task until every attempt has stopped (finished or waiting for input). */
  settled(token: string, taskId: string): Promise<TaskWithAttempts>;
  stop(): Promise<void>;
}

/** `cadre serve` on a fresh home, with the scripted model, for attacks from a real HTTP client. */
export async function startAccessWorld(
  opts: { slots?: number; env?: Record<string, string>; script?: Script } = {},
): Promise<AccessWorld> {
  const scratch = await mkdtemp(join(tmpdir(), "cadre-security-"));
  const home = join(scratch, "home");
  const model = await startScriptedModel({ script: opts.script ?? [] });
  await writeScriptedConfig(home, model.url);
  const server = await startCadreServe({ home, slots: opts.slots ?? 0, ...(opts.env ? { env: opts.env } : {}) });
  const world: AccessWorld = {
    server,
    model,
    scratch,
    home,
    async addRepo(name, files = {}) {
      const path = join(scratch, "repos", name);
      await createFixtureRepo(path);
      for (const [file, content] of Object.entries(files)) await writeFile(join(path, file), content);
      if (Object.keys(files).length) {
        git(path, "add", "-A");
        git(path, "commit", "-q", "-m", "add files");
      }
      const answer = await world.call(server.token, "POST", "/repos", { origin: path, name });
      if (answer.status !== 201) throw new Error(`adding ${name} failed: ${answer.status} ${answer.text}`);
      return { ...(answer.body as Repo), path };
    },
    async addUser(name, role, grants = []) {
      const answer = await world.call(server.token, "POST", "/users", { name, role });
      if (answer.status !== 201) throw new Error(`adding ${name} failed: ${answer.status} ${answer.text}`);
      for (const repo of grants) {
        const granted = await world.call(server.token, "POST", `/users/${name}/grants`, { repo });
        if (granted.status !== 200) throw new Error(`granting ${repo} failed: ${granted.status} ${granted.text}`);
      }
      return (answer.body as { token: { token: string } }).token.token;
    },
    call: (token, method, path, body) => send(server, token, { method, path, body }),
    async settled(token, taskId) {
      for (;;) {
        const answer = await world.call(token, "GET", `/tasks/${taskId}`);
        const task = answer.body as TaskWithAttempts;
        if (answer.status !== 200) throw new Error(`task ${taskId}: ${answer.status} ${answer.text}`);
        if (task.attempts.every((a) => isTerminal(a.status) || a.status === "waiting_for_input")) return task;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async stop() {
      await server.stop();
      await model.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
  return world;
}
