export { Runner, type RunnerOptions } from "./runner.ts";
export { runAttempt, attemptRef } from "./run-attempt.ts";
export type { RunnerTransport, RunnerCallInput, RunnerCallOutput } from "./runner-transport.ts";
export type { RepoAccess } from "./repo-access.ts";
export { LocalRepoAccess } from "./local-repo-access.ts";
export { RemoteRepoAccess } from "./remote-repo-access.ts";
export { HttpRunnerTransport } from "./http-runner-transport.ts";
export { startRemoteRunner, type RemoteRunnerOptions, type RemoteRunner } from "./remote-runner.ts";
export { sandboxPreflight } from "./sandbox-preflight.ts";
