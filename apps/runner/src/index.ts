export * from "./runner.ts";
export { runAttempt, attemptRef } from "./run-attempt.ts";
export { startStandaloneRunner, type StandaloneRunnerOptions } from "./standalone.ts";
export { ForgeRemotes } from "./forge-remote.ts";
