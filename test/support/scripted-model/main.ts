/**
 * Starts a scripted model server for benchmarks and child-process tests:
 *   tsx test/support/scripted-model/main.ts [script-module] [--port N]
 * The module exports `script` (a Script). Prints `{"url":"http://127.0.0.1:PORT/v1"}` on stdout.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { startScriptedModel } from "./server.ts";
import type { Script } from "./types.ts";

async function loadScript(modulePath: string | undefined): Promise<Script> {
  if (!modulePath) return [];
  const mod = (await import(pathToFileURL(resolve(modulePath)).href)) as { script?: Script };
  if (!mod.script) throw new Error(`${modulePath} does not export \`script\``);
  return mod.script;
}

async function main(argv: string[]): Promise<void> {
  const portFlag = argv.indexOf("--port");
  const port = portFlag >= 0 ? Number(argv[portFlag + 1]) : 0;
  const positional = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--port");
  const server = await startScriptedModel({ script: await loadScript(positional[0]), port });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`scripted-model: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
