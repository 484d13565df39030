import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { startScriptedModel, type ScriptedModel } from "../../support/scripted-model/index.ts";
import type { ScriptContext, Step } from "../../support/scripted-model/types.ts";
import { createFixtureRepo, gitIn } from "../../support/fixture-repo.ts";
import { startCadreServe, writeScriptedConfig, type CadreServeProcess } from "../../support/cadre-process.ts";
import { tempHome } from "../../support/databases.ts";
import { ensureWebBuilt } from "./ensure-built.ts";
import { launchChromium } from "./browser.ts";

/** A scenario is picked by a `#s-NAME` tag in the task's prompt, so one model server serves every test. */
export type Scenario = (ctx: ScriptContext, userTexts: string[]) => Step;

export interface WebStack {
  server: CadreServeProcess;
  model: ScriptedModel;
  browser: Browser;
  /** Bare origin repository registered as repo `calc`. */
  origin: string;
  close: () => Promise<void>;
}

/** 30 numbered lines: far-apart edits in it make separate hunks. */
export const LINES_TXT = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";

export async function startWebStack(scenarios: Record<string, Scenario>): Promise<WebStack> {
  ensureWebBuilt();
  const { home, remove } = await tempHome("cadre-web-");
  const model = await startScriptedModel({
    script: (ctx: ScriptContext) => {
      const userTexts = ctx.request.messages.filter((m) => m.role === "user").map((m) => m.text);
      const tag = /#s-([a-z0-9-]+)/.exec(userTexts.join("\n"))?.[1];
      const scenario = tag ? scenarios[tag] : undefined;
      return scenario ? scenario(ctx, userTexts) : { text: "No scenario in the prompt: nothing to do." };
    },
  });
  await writeScriptedConfig(home, model.url);
  const work = join(home, "..", `${home.split("/").pop()}-work`);
  await createFixtureRepo(work);
  await writeFile(join(work, "lines.txt"), LINES_TXT);
  gitIn(work, "add", "-A");
  gitIn(work, "commit", "-q", "-m", "add lines.txt");
  // A bare origin, so approving with a merge can push to its main branch.
  const origin = `${work}-origin.git`;
  execFileSync("git", ["clone", "-q", "--bare", work, origin]);
  await mkdir(join(home, "tmp"), { recursive: true });
  const server = await startCadreServe({ home });
  await server.client.call("createRepo", { body: { origin, name: "calc" } });
  const browser = await launchChromium();
  return {
    server,
    model,
    browser,
    origin,
    close: async () => {
      await browser.close().catch(() => undefined);
      await server.stop();
      await model.close();
      await remove();
      execFileSync("rm", ["-rf", work, origin]);
    },
  };
}
