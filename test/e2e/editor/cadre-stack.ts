import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CadreClient } from "@cadre/client";
import { startScriptedModel, type ScriptedModel } from "../../support/scripted-model/index.ts";
import type { Script } from "../../support/scripted-model/types.ts";
import { createFixtureRepo, gitIn } from "../../support/fixture-repo.ts";
import { startCadreServe, writeScriptedConfig, type CadreServeProcess } from "../../support/cadre-process.ts";

export interface CadreStack {
  dir: string;
  model: ScriptedModel;
  server: CadreServeProcess;
  client: CadreClient;
  /** The origin the server mirrors (repo name "calc"). */
  origin: string;
  env: Record<string, string>;
  /** A fresh local clone of the origin, as a developer would have. */
  clone: (name: string) => string;
  stop: () => Promise<void>;
}

/** A real `cadre serve` on PGlite with the scripted model and the fixture repo added as "calc". */
export async function startCadreStack(
  script: Script,
  prepare?: (origin: string) => Promise<void>,
): Promise<CadreStack> {
  const dir = await mkdtemp(join(tmpdir(), "cadre-editor-"));
  const home = join(dir, "home");
  const model = await startScriptedModel({ script });
  await writeScriptedConfig(home, model.url);
  const origin = join(dir, "origin");
  await createFixtureRepo(origin);
  await prepare?.(origin);
  const server = await startCadreServe({ home });
  await server.client.call("createRepo", { body: { origin, name: "calc" } });
  const env = { CADRE_HOME: home, CADRE_URL: server.url, CADRE_TOKEN: server.token };
  return {
    dir,
    model,
    server,
    client: server.client,
    origin,
    env,
    clone: (name) => {
      const path = join(dir, name);
      gitIn(dir, "clone", "-q", origin, path);
      gitIn(path, "config", "user.email", "dev@example.com");
      gitIn(path, "config", "user.name", "Dev");
      return path;
    },
    stop: async () => {
      await server.stop();
      await model.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
