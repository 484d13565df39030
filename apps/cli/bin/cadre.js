#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader (no build step).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
await main(process.argv);
// Open keep-alive sockets must not keep a finished command waiting.
if (!process.argv.slice(2).includes("serve")) process.exit(process.exitCode ?? 0);
