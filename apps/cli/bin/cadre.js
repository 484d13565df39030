#!/usr/bin/env node
// Runs the esbuild bundle in ../dist (scripts/build-cli.mjs), so a command starts in about the time
// Node itself takes. A bundle older than any of its sources is rebuilt first, so an edit or a
// `git pull` never runs old code. CADRE_DEV=1 runs the TypeScript sources through tsx instead, as
// does a checkout where the bundle cannot be built.
import { readFileSync, statSync } from "node:fs";

const root = new URL("../../../", import.meta.url);

/** The check is inline (not in build-cli.mjs) so an up-to-date bundle costs one read and a stat per source. */
function bundleIsFresh() {
  try {
    const manifest = JSON.parse(readFileSync(new URL("../dist/manifest.json", import.meta.url), "utf8"));
    return manifest.inputs.every(
      (input) => (statSync(new URL(input, root), { throwIfNoEntry: false })?.mtimeMs ?? Infinity) <= manifest.builtAtMs,
    );
  } catch {
    return false;
  }
}

async function loadMain() {
  if (process.env.CADRE_DEV !== "1") {
    const built =
      bundleIsFresh() ||
      (await import("../../../scripts/build-cli.mjs")
        .then(({ ensureCliBundle }) => ensureCliBundle())
        .then(
          () => true,
          (error) => {
            process.stderr.write(
              `cadre: running from the TypeScript sources (slower): the CLI bundle could not be built: ${error instanceof Error ? error.message : String(error)}\n`,
            );
            return false;
          },
        ));
    if (built) return import("../dist/main.js");
  }
  const { register } = await import("tsx/esm/api");
  register();
  return import("../src/main.ts");
}

const serving = process.argv.slice(2).includes("serve");
// A reader that stopped reading (`cadre … | head`) ends the command quietly, as it would a native tool.
if (!serving)
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (error) => {
      if (error.code !== "EPIPE") throw error;
      process.exit(process.exitCode ?? 0);
    });

const { main } = await loadMain();
await main(process.argv);
// Open keep-alive sockets must not keep a finished command waiting. Output to a pipe is written
// asynchronously: exit only once what was written has been flushed, or a large --json is cut short.
if (!serving) {
  const flushed = (stream) => new Promise((resolve) => stream.write("", () => resolve()));
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(process.exitCode ?? 0);
}
