import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { CadreError, PROTOCOL_VERSION } from "@cadre/protocol";
import type { ServerContext } from "./server-context.ts";
import type { RequestVariables } from "./principal.ts";
import { registerRoutes, MAX_BODY_BYTES } from "./route-registry.ts";
import { registerSseRoutes } from "./sse-routes.ts";
import { noRoute, toErrorResponse } from "./error-response.ts";
import { repoHandlers } from "./handlers/repo-handlers.ts";
import { environmentHandlers } from "./handlers/environment-handlers.ts";
import { taskHandlers } from "./handlers/task-handlers.ts";
import { messageHandlers } from "./handlers/message-handlers.ts";
import { modelHandlers } from "./handlers/model-handlers.ts";
import { attemptHandlers } from "./handlers/attempt-handlers.ts";
import { reviewHandlers } from "./handlers/review-handlers.ts";
import { runnerHandlers } from "./handlers/runner-handlers.ts";
import { runnerTokenHandlers } from "./handlers/runner-token-handlers.ts";
import { userHandlers } from "./user-handlers.ts";
import { queueHandlers } from "./queue-handlers.ts";
import { routeGuards } from "./route-guards.ts";
import { authenticate } from "./authenticate.ts";
import { checkUrlEscapes } from "./url-escapes.ts";
import { forgeHandlers } from "./forge/forge-handlers.ts";
import { repoSettingsHandler } from "./forge/repo-settings-handler.ts";
import { registerForgeWebhook } from "./forge/webhook-route.ts";
import { automationHandlers } from "./automations/automation-handlers.ts";
import { registerFireRoute } from "./automations/fire-route.ts";
import { createRunnerApi, type RunnerApi } from "./runner-api/runner-api.ts";
import { registerRunnerRoutes, RUNNER_API_PREFIX } from "./runner-api/runner-route-registry.ts";
import { registerRunnerGitRoutes } from "./runner-git/runner-git-routes.ts";

export type AppEnv = { Variables: RequestVariables };

export interface AppOptions {
  token: string;
  /** Serves the web app's built files at `/` when given. */
  serveStatic?: (app: Hono<AppEnv>) => void;
  /** The runner API behind the runner routes (one is made when not given). */
  runnerApi?: RunnerApi;
}

/** Runner routes have their own credentials and body limit: the user middlewares leave them alone. */
function isRunnerRoute(path: string): boolean {
  return path.startsWith(RUNNER_API_PREFIX);
}

export function createApp(ctx: ServerContext, opts: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.onError((err, c) => {
    const { status, body } = toErrorResponse(err);
    // The refused body may be partly unread: close the connection so the client's next request gets a fresh one.
    if (status === 413) c.header("Connection", "close");
    return c.json(body, status as 400);
  });
  app.notFound((c) => {
    const { status, body } = toErrorResponse(noRoute(c.req.method, c.req.path));
    return c.json(body, status as 404);
  });

  app.use("*", async (c, next) => {
    checkUrlEscapes(c.req.url);
    await next();
  });

  const userBodyLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new CadreError("payload_too_large", `request body is over ${MAX_BODY_BYTES} bytes`);
    },
  });
  app.use("/api/*", async (c, next) => (isRunnerRoute(c.req.path) ? next() : userBodyLimit(c, next)));

  app.get("/api/v1/version", (c) => c.json({ protocol: PROTOCOL_VERSION, server: ctx.version }));
  // Forges authenticate by signing their deliveries, not with a token.
  registerForgeWebhook(app, ctx);
  // An automation's fire URL takes its own token, never a user's.
  registerFireRoute(app, ctx);

  registerRunnerRoutes(app, ctx, opts.runnerApi ?? createRunnerApi(ctx));
  registerRunnerGitRoutes(app, ctx);

  app.use("/api/*", async (c, next) => {
    if (!isRunnerRoute(c.req.path)) {
      const header = c.req.header("Authorization");
      c.set("principal", await authenticate(ctx, opts.token, header));
      c.set("reauthenticate", () => authenticate(ctx, opts.token, header));
    }
    await next();
  });

  registerSseRoutes(app, ctx);
  registerRoutes(
    app,
    {
      version: async () => ({ protocol: PROTOCOL_VERSION, server: ctx.version }),
      ...repoHandlers(ctx),
      ...environmentHandlers(ctx),
      ...taskHandlers(ctx),
      ...messageHandlers(ctx),
      ...modelHandlers(ctx),
      ...attemptHandlers(ctx),
      ...reviewHandlers(ctx),
      ...runnerHandlers(ctx),
      ...runnerTokenHandlers(ctx),
      ...userHandlers(ctx),
      ...queueHandlers(ctx),
      ...forgeHandlers(ctx),
      ...repoSettingsHandler(ctx),
      ...automationHandlers(ctx),
    },
    routeGuards(ctx),
  );
  opts.serveStatic?.(app);
  return app;
}
