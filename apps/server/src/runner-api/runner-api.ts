import type { z } from "zod";
import {
  runnerRoutes,
  type RegisterRunnerBody,
  type RunnerRouteName,
  type RunnerRoutes,
  type RunnerSession,
} from "@cadre/protocol";
import { newId } from "@cadre/store";
import { parse } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";
import type { RunnerPrincipal, RunnerTokenPrincipal } from "./runner-principal.ts";
import { runnerSessionHandlers } from "./runner-session-handlers.ts";
import { runnerAttemptHandlers } from "./runner-attempt-handlers.ts";
import { leaseMs } from "./runner-settings.ts";

export type RunnerCaller<K extends RunnerRouteName> = K extends "registerRunner"
  ? RunnerTokenPrincipal
  : RunnerPrincipal;

export interface RunnerHandlerInput<K extends RunnerRouteName> {
  params: z.output<RunnerRoutes[K]["params"]>;
  query: z.output<RunnerRoutes[K]["query"]>;
  body: z.output<RunnerRoutes[K]["body"]>;
  principal: RunnerCaller<K>;
  /** Aborted when the caller goes away: a long poll stops waiting. */
  signal: AbortSignal | undefined;
}

export type RunnerHandlers = {
  [K in RunnerRouteName]: (input: RunnerHandlerInput<K>) => Promise<z.input<RunnerRoutes[K]["response"]>>;
};

export interface RunnerCallInput {
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

/**
 * The runner API behind one interface: the HTTP routes (remote runners) and the embedded runner
 * of `cadre serve` (in-process) both go through `handle`, so attempts run one way. Inputs and
 * outputs are checked by the route table's schemas on both paths.
 */
export interface RunnerApi {
  handle<K extends RunnerRouteName>(
    name: K,
    input: RunnerCallInput,
    principal: RunnerCaller<K>,
    signal?: AbortSignal,
  ): Promise<z.output<RunnerRoutes[K]["response"]>>;
  /** Registers a runner living in this process: it needs no token and no session secret. */
  registerEmbedded(body: RegisterRunnerBody): Promise<{ principal: RunnerPrincipal; session: RunnerSession }>;
}

export function createRunnerApi(ctx: ServerContext): RunnerApi {
  const handlers: RunnerHandlers = { ...runnerSessionHandlers(ctx), ...runnerAttemptHandlers(ctx) };
  return {
    async handle(name, input, principal, signal) {
      const def = runnerRoutes[name];
      const parsed = {
        params: parse(def.params, input.params ?? {}, "path"),
        query: parse(def.query, input.query ?? {}, "query"),
        body: parse(def.body, input.body, "body"),
        principal,
        signal,
      };
      const handler = handlers[name] as (input: typeof parsed) => Promise<unknown>;
      return def.response.parse(await handler(parsed)) as z.output<RunnerRoutes[typeof name]["response"]>;
    },
    async registerEmbedded(body) {
      const runnerId = newId("runner");
      await ctx.store.runners.register(runnerId, body.name, body.slots);
      return {
        principal: { runnerId, name: body.name, tokenId: null },
        session: { runnerId, session: "", leaseMs: leaseMs(ctx.env) },
      };
    },
  };
}
