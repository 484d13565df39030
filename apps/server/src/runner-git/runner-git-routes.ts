import type { Context, Env, Hono } from "hono";
import { CadreError } from "@cadre/protocol";
import { readReceiveCommands, runHttpBackend } from "@cadre/git";
import { homePaths } from "../cadre-home.ts";
import type { ServerContext } from "../server-context.ts";
import { authenticateRunnerSession } from "../runner-api/runner-authenticate.ts";
import { authorizePush } from "./push-authorization.ts";
import { readLimitedBody } from "./read-limited-body.ts";

const GIT_PATH = /^\/git\/([a-z]+_[A-Za-z0-9]+)\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/;
const MAX_FETCH_REQUEST_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_PUSH_BYTES = 512 * 1024 * 1024;

/**
 * Configuration of every git request runners make: pushes accepted (the authorization is Cadre's,
 * done before git runs), objects checked, no ref deleted, no garbage collection in the request path,
 * commits fetchable by id (a base or checkpoint need not be an advertised ref).
 */
const GIT_CONFIG = {
  "http.receivepack": "true",
  "receive.fsckObjects": "true",
  "receive.denyDeletes": "true",
  "receive.autogc": "false",
  "uploadpack.allowAnySHA1InWant": "true",
};

function maxPushBytes(env: NodeJS.ProcessEnv): number {
  const bytes = Number(env.CADRE_MAX_PUSH_BYTES);
  return Number.isInteger(bytes) && bytes > 0 ? bytes : DEFAULT_MAX_PUSH_BYTES;
}

/** Which git service the request is for, refusing the dumb protocol and wrong methods. */
function serviceOf(c: Context, action: string): "git-upload-pack" | "git-receive-pack" {
  if (action !== "info/refs") {
    if (c.req.method !== "POST") throw new CadreError("bad_request", `${action} takes POST`);
    return action as "git-upload-pack" | "git-receive-pack";
  }
  const service = c.req.query("service");
  if (c.req.method !== "GET" || (service !== "git-upload-pack" && service !== "git-receive-pack"))
    throw new CadreError(
      "bad_request",
      "only git's smart HTTP protocol is served: GET info/refs?service=git-upload-pack",
    );
  return service;
}

/**
 * Git's smart HTTP for runners, at /git/<repo>.git: a runner session may fetch a repository while
 * it holds an attempt on it, and push only the checkpoint refs of the attempts it holds. Served by
 * `git http-backend` over the server's own mirrors.
 */
export function registerRunnerGitRoutes<E extends Env>(app: Hono<E>, ctx: ServerContext): void {
  app.on(["GET", "POST"], "/git/*", async (c) => {
    const match = GIT_PATH.exec(c.req.path);
    if (!match) throw new CadreError("not_found", `no repository at ${c.req.path}: runners use /git/<repo id>.git`);
    const [, repoId, action] = match as unknown as [string, string, string];
    const service = serviceOf(c, action);
    const runner = await authenticateRunnerSession(ctx, c.req.header("Authorization"));
    if (!(await ctx.store.repos.find(repoId)) || !(await ctx.store.attempts.heldOnRepo(runner.runnerId, repoId)))
      throw new CadreError(
        "forbidden",
        `runner ${runner.name} holds no attempt on repository ${repoId}: a runner reads only the repositories of the attempts it runs`,
      );
    const limit = service === "git-receive-pack" ? maxPushBytes(ctx.env) : MAX_FETCH_REQUEST_BYTES;
    const body = c.req.method === "POST" ? await readLimitedBody(c.req.raw, limit) : Buffer.alloc(0);
    const contentEncoding = c.req.header("Content-Encoding") ?? "";
    if (action === "git-receive-pack")
      await authorizePush(ctx, runner, repoId, readReceiveCommands(body, contentEncoding));
    const answer = await runHttpBackend({
      projectRoot: homePaths(ctx.home).mirrors,
      pathInfo: `/${repoId}.git/${action}`,
      method: c.req.method,
      query: new URL(c.req.url).search.slice(1),
      contentType: c.req.header("Content-Type") ?? "",
      contentEncoding,
      gitProtocol: c.req.header("Git-Protocol") ?? "",
      remoteUser: runner.name,
      body,
      config: GIT_CONFIG,
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  });
}
