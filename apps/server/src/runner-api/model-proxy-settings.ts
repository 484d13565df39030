import type { AttemptModel } from "@cadre/protocol";
import type { ServerContext } from "../server-context.ts";
import type { RunnerPrincipal } from "./runner-principal.ts";

/**
 * The model settings a runner gets. By default they are the provider's own (the runner calls it
 * directly, with the key); with CADRE_RUNNER_MODEL_CALLS=server a remote runner gets no key:
 * it calls the server's model proxy with its session, and the server adds the key.
 */
export function modelForRunner(
  ctx: ServerContext,
  runner: RunnerPrincipal,
  attemptId: string,
  settings: AttemptModel,
): AttemptModel {
  if (ctx.env.CADRE_RUNNER_MODEL_CALLS !== "server" || runner.tokenId === null) return settings;
  const { apiKey: _key, headers: _headers, ...rest } = settings;
  return { ...rest, baseURL: `/api/v1/runner/attempts/${attemptId}/model`, apiKey: "runner-session" };
}
