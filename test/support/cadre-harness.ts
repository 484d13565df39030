import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import type { Event } from "@cadre/protocol";
import { startScriptedModel, type Script, type ScriptedModel } from "./scripted-model/index.ts";
import { runCli, startCadreServe, writeScriptedConfig, type CadreServeProcess } from "./cadre-process.ts";
import { tempHome } from "./databases.ts";
import { createFixtureRepo } from "./fixture-repo.ts";

/**
 * One end-to-end world: a scripted model server, a temporary Cadre home with a model config,
 * `cadre serve` as a child process, and (by default) the fixture repo added as `calc`.
 */
export interface Harness {
  model: ScriptedModel;
  server: CadreServeProcess;
  home: string;
  /** A directory outside the Cadre home for origins and files a test makes (Cadre refuses repos inside its home). */
  work: string;
  env: Record<string, string>;
  cli(
    args: string[],
    opts?: { cwd?: string; input?: string },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Runs a CLI command with --json, checks its exit code, parses its output. */
  json<T>(args: string[], expectCode?: number): Promise<T>;
  events(taskId: string): Promise<Event[]>;
  /** Restarts `cadre serve` on the same home (after `signal`, default SIGTERM). */
  restart(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  script: Script;
  /** The config.json to write, given the model server's URL (default: one Responses provider). */
  config?: (modelUrl: string) => unknown;
  /** Add the fixture repo as `calc` (default true). */
  fixtureRepo?: boolean;
  slots?: number;
  /** Keep every model request's body and normalized view in `model.requests` (default false: long runs stay small). */
  recordRequests?: boolean;
  /** Extra environment for `cadre serve` (kept across restarts). */
  serverEnv?: Record<string, string>;
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const { home, remove } = await tempHome();
  const work = `${home}-work`;
  await mkdir(work, { recursive: true });
  const model = await startScriptedModel({ script: opts.script, recordBodies: opts.recordRequests ?? false });
  if (opts.config) await writeFile(join(home, "config.json"), JSON.stringify(opts.config(model.url)));
  else await writeScriptedConfig(home, model.url);
  const slots = opts.slots ?? 2;
  let server = await startCadreServe({ home, slots, ...(opts.serverEnv ? { env: opts.serverEnv } : {}) });
  const h: Harness = {
    model,
    server,
    home,
    work,
    env: { CADRE_HOME: home, CADRE_URL: server.url, CADRE_TOKEN: server.token },
    cli: (args, o = {}) => runCli(args, h.env, o),
    async json<T>(args: string[], expectCode = 0): Promise<T> {
      const r = await runCli([...args, "--json"], h.env);
      expect(r.code, `cadre ${args.join(" ")}: ${r.stderr}`).toBe(expectCode);
      return JSON.parse(r.stdout) as T;
    },
    async events(taskId) {
      const r = await runCli(["logs", taskId, "--json"], h.env);
      return r.stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Event);
    },
    async restart(signal = "SIGTERM") {
      await server.stop(signal);
      server = await startCadreServe({ home, slots, ...(opts.serverEnv ? { env: opts.serverEnv } : {}) });
      h.server = server;
      h.env = { ...h.env, CADRE_URL: server.url };
    },
    async stop() {
      await server.stop();
      await model.close();
      await remove();
      await rm(work, { recursive: true, force: true });
    },
  };
  if (opts.fixtureRepo !== false) {
    await createFixtureRepo(join(work, "repo"));
    expect((await h.cli(["repo", "add", join(work, "repo"), "--name", "calc"])).code).toBe(0);
  }
  return h;
}
