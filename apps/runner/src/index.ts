export * from "./runner.ts";
export { runAttempt, attemptRef } from "./run-attempt.ts";
