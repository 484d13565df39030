import type { z } from "zod";
import type { CallInput } from "@cadre/client";
import type {
  AttemptModel,
  RegisterRunnerBody,
  RunnerRoutes,
  RunnerSession,
  RunnerSessionRouteName,
} from "@cadre/protocol";

export type RunnerCallInput<K extends RunnerSessionRouteName> = CallInput<RunnerRoutes[K]>;
export type RunnerCallOutput<K extends RunnerSessionRouteName> = z.output<RunnerRoutes[K]["response"]>;

/**
 * How a runner reaches the server: over HTTPS with a runner token (a remote runner) or in-process
 * (the embedded runner of `cadre serve`), through the same runner API either way. Errors are
 * CadreErrors: `lease_lost` (the attempt is no longer this runner's: stop it), `unauthorized` (the
 * token was revoked: stop claiming), `unavailable` (the server or its database is away for now).
 */
export interface RunnerTransport {
  register(body: RegisterRunnerBody): Promise<RunnerSession>;
  call<K extends RunnerSessionRouteName>(
    name: K,
    input: RunnerCallInput<K>,
    signal?: AbortSignal,
  ): Promise<RunnerCallOutput<K>>;
  /** The model settings as this runner calls them (a proxy path resolved against the server). */
  modelSettings(settings: AttemptModel): AttemptModel;
}
