import type { Context, Env, Hono } from "hono";
import { runnerRoutes, type RunnerRouteDef, type RunnerRouteName } from "@cadre/protocol";
import { queryObject, readBody } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";
import type { RunnerApi, RunnerCaller } from "./runner-api.ts";
import { authenticateRunnerSession, authenticateRunnerToken } from "./runner-authenticate.ts";

/** Runner requests carry event batches and tool output: larger than a person's requests. */
export const RUNNER_MAX_BODY_BYTES = 128 * 1024 * 1024;

/** The path prefix of the runner API; user credentials are not accepted under it, nor runner ones elsewhere. */
export const RUNNER_API_PREFIX = "/api/v1/runner/";

async function caller(ctx: ServerContext, c: Context, def: RunnerRouteDef): Promise<RunnerCaller<RunnerRouteName>> {
  const header = c.req.header("Authorization");
  try {
    return def.auth === "token"
      ? await authenticateRunnerToken(ctx, header)
      : await authenticateRunnerSession(ctx, header);
  } catch (error) {
    // Read (a person-sized part of) the body before refusing: answering first resets the connection.
    await readBody(c, def.body).catch(() => undefined);
    throw error;
  }
}

/** Registers every runner route behind its own authentication (runner token or session), validated by its schemas. */
export function registerRunnerRoutes<E extends Env>(app: Hono<E>, ctx: ServerContext, api: RunnerApi): void {
  for (const [name, def] of Object.entries(runnerRoutes) as [RunnerRouteName, RunnerRouteDef][]) {
    const method = def.method.toLowerCase() as "get" | "post";
    app[method](`/api/v1${def.path}`, async (c) => {
      const principal = await caller(ctx, c, def);
      const body = await readBody(c, def.body, RUNNER_MAX_BODY_BYTES);
      const out = await api.handle(
        name,
        { params: c.req.param(), query: queryObject(c), body },
        principal as never,
        c.req.raw.signal,
      );
      return c.json(out as object, 200);
    });
  }
}
