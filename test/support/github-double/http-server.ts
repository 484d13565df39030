import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticate, basicToken, tokenActor } from "./auth.ts";
import { serveGit } from "./git-backend.ts";
import type { OpenApiCheck } from "./openapi-check.ts";
import { atLeast } from "./state.ts";
import type { Handler, RestResponse, World } from "./world.ts";

export interface RequestRecord {
  method: string;
  path: string;
  operationId: string | null;
  status: number;
  body: unknown;
  /** The Authorization scheme used ("token", "bearer", "basic" or none). */
  auth: string | null;
  /** When the double had answered (ms since the epoch; 0 until then), for benchmarks. */
  answeredAt: number;
}

export interface Limits {
  /** Requests still to be refused as rate limited, and how. */
  remaining: number;
  kind: "secondary" | "primary";
  retryAfterSeconds: number;
}

/** Serves the API, git over smart HTTP and signed log downloads, recording every request and every violation. */
export class DoubleHttp {
  readonly requests: RequestRecord[] = [];
  /** Requests GitHub's description does not allow (or the double does not know): each fails the test. */
  readonly violations: string[] = [];
  /** Answers of the double that GitHub's description does not allow: bugs in the double. */
  readonly doubleBugs: string[] = [];
  limits: Limits = { remaining: 0, kind: "secondary", retryAfterSeconds: 1 };
  /** Operations held until a test releases them (to stop a caller mid-way, e.g. before a crash). */
  readonly holds = new Map<string, { reached: () => void; released: Promise<void> }>();
  private readonly apiPrefix: string;
  private readonly gitRoot: string;

  constructor(
    private readonly world: World,
    private readonly check: OpenApiCheck,
    private readonly handlers: Record<string, Handler>,
    paths: { apiPrefix: string; gitRoot: string },
  ) {
    this.apiPrefix = paths.apiPrefix;
    this.gitRoot = paths.gitRoot;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://double");
    const git = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname);
    if (git)
      return this.git(req, res, {
        owner: git[1] as string,
        name: git[2] as string,
        rest: git[3] as string,
        query: url.search.slice(1),
      });
    const log = /^\/_double\/logs\/([^/]+\/[^/]+)\/(\d+)$/.exec(url.pathname);
    if (log) return this.log(res, log[1] as string, Number(log[2]));
    if (!url.pathname.startsWith(this.apiPrefix)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
      return;
    }
    const body = await readBody(req);
    const path = url.pathname.slice(this.apiPrefix.length) || "/";
    const answer = await this.rest(req, path, url.searchParams, body);
    res.writeHead(answer.status, {
      "content-type": "application/json; charset=utf-8",
      "x-github-request-id": `DOUBLE:${this.requests.length}`,
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-resource": "core",
      ...answer.headers,
    });
    res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
  }

  private rateLimited(): RestResponse | null {
    if (this.limits.remaining <= 0) return null;
    this.limits.remaining -= 1;
    const reset = String(Math.floor(Date.now() / 1000) + this.limits.retryAfterSeconds);
    if (this.limits.kind === "primary")
      return {
        status: 403,
        body: {
          message: "API rate limit exceeded for user.",
          documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        },
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset },
      };
    return {
      status: 403,
      body: {
        message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        documentation_url:
          "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
      },
      headers: { "retry-after": String(this.limits.retryAfterSeconds) },
    };
  }

  private async rest(req: IncomingMessage, path: string, query: URLSearchParams, body: string): Promise<RestResponse> {
    const method = req.method ?? "GET";
    const record: RequestRecord = {
      method,
      path,
      operationId: null,
      status: 0,
      body: body ? safeJson(body) : undefined,
      auth: schemeOf(req.headers.authorization),
      answeredAt: 0,
    };
    this.requests.push(record);
    const answer = await this.answer(req, { method, path, query, body }, record);
    record.status = answer.status;
    record.answeredAt = Date.now();
    return answer;
  }

  private async answer(
    req: IncomingMessage,
    input: { method: string; path: string; query: URLSearchParams; body: string },
    record: RequestRecord,
  ): Promise<RestResponse> {
    const { method, path, query, body } = input;
    const checked = this.check.checkRequest({ ...input, contentType: String(req.headers["content-type"] ?? "") });
    if (!checked.ok) {
      this.violations.push(`${method} ${path}: ${checked.problem}`);
      return {
        status: 422,
        body: { message: `GitHub's REST description does not allow this request: ${checked.problem}` },
      };
    }
    record.operationId = checked.operation.operationId;
    const limited = this.rateLimited();
    if (limited) return limited;
    const hold = this.holds.get(checked.operation.operationId);
    if (hold) {
      hold.reached();
      await hold.released;
    }
    const handler = this.handlers[checked.operation.operationId];
    if (!handler) {
      this.violations.push(
        `${method} ${path}: ${checked.operation.operationId} is allowed by GitHub but not implemented by the double`,
      );
      return { status: 501, body: { message: `the double does not implement ${checked.operation.operationId}` } };
    }
    const auth = authenticate(this.world.state, req.headers.authorization);
    if (auth && !auth.ok)
      return { status: 401, body: { message: auth.message, documentation_url: "https://docs.github.com/rest" } };
    const answer = await handler({
      actor: auth?.ok ? auth.actor : null,
      params: checked.operation.params,
      query,
      body: (safeJson(body) ?? {}) as Record<string, unknown>,
    });
    if (answer.status < 300) {
      const sent = JSON.parse(JSON.stringify(answer.body ?? null)) as unknown;
      const problem = this.check.checkResponse(checked.operation, method, answer.status, sent);
      if (problem) this.doubleBugs.push(problem);
    }
    return answer;
  }

  private async git(
    req: IncomingMessage,
    res: ServerResponse,
    target: { owner: string; name: string; rest: string; query: string },
  ): Promise<void> {
    const repo = this.world.state.findRepo(target.owner, target.name);
    const token = basicToken(req.headers.authorization);
    const auth = token ? tokenActor(this.world.state, token) : null;
    const pushing = target.rest.endsWith("/git-receive-pack") || target.query.includes("service=git-receive-pack");
    if (!auth?.ok) {
      req.resume();
      res
        .writeHead(401, { "www-authenticate": 'Basic realm="GitHub"', "content-type": "text/plain" })
        .end("Invalid username or token.");
      return;
    }
    const permission = repo ? this.world.state.permissionOf(auth.actor, repo) : "none";
    if (!repo || !atLeast(permission, pushing ? "write" : "read")) {
      req.resume();
      res
        .writeHead(repo && permission !== "none" ? 403 : 404, { "content-type": "text/plain" })
        .end(repo ? "Permission denied" : "Repository not found.");
      return;
    }
    const before = this.world.branches(repo);
    await serveGit({
      root: this.gitRoot,
      pathInfo: `/${repo.fullName.toLowerCase()}.git${target.rest}`,
      query: target.query,
      user: this.world.state.loginOf(auth.actor),
      req,
      res,
    });
    if (pushing && target.rest.endsWith("/git-receive-pack"))
      await this.world.afterPush(repo, before, this.world.state.loginOf(auth.actor));
  }

  private log(res: ServerResponse, fullName: string, id: number): void {
    const run = this.world.state
      .findRepo(...(fullName.split("/") as [string, string]))
      ?.checkRuns.find((r) => r.id === id);
    if (!run?.log) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end(run.log);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function schemeOf(header: string | undefined): string | null {
  return header ? (header.trim().split(/\s+/)[0]?.toLowerCase() ?? null) : null;
}
