import type { IncomingMessage, ServerResponse } from "node:http";
import { serveGit } from "../github-double/git-backend.ts";
import type { GiteaDouble } from "./index.ts";
import type { Answer, Route } from "./routes.ts";
import type { Permission, RepoState } from "./state.ts";

const RANK: Record<Permission, number> = { none: 0, read: 1, write: 2, admin: 3 };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function match(route: Route, method: string, segments: string[]): Record<string, string> | null {
  if (route.method !== method) return null;
  const pattern = route.path.split("/").slice(1);
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i] ?? "";
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(segment);
    else if (part !== segment) return null;
  }
  return params;
}

function query(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length > 1 ? values : values[0];
  }
  return out;
}

/** Serves /api/v1 from the route table, and git over smart HTTP at /<owner>/<repo>.git. */
export class GiteaHttp {
  readonly requests: { method: string; path: string; status: number; body: unknown }[] = [];
  readonly violations: string[] = [];

  constructor(
    private readonly gt: GiteaDouble,
    private readonly routes: Route[],
    private readonly gitRoot: string,
  ) {}

  atLeast(have: Permission, need: Permission): boolean {
    return RANK[have] >= RANK[need];
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://double");
    const git = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname);
    if (git)
      return this.git(req, res, {
        fullName: `${git[1]}/${git[2]}`,
        rest: git[3] as string,
        search: url.search.slice(1),
      });
    if (!url.pathname.startsWith("/api/v1/")) {
      res.writeHead(404).end();
      return;
    }
    const raw = await readBody(req);
    const method = req.method ?? "GET";
    const path = url.pathname.slice("/api/v1".length);
    const record = { method, path, status: 0, body: raw ? (JSON.parse(raw) as unknown) : undefined };
    this.requests.push(record);
    const answer = await this.api(req, { method, path, search: url.searchParams, body: record.body });
    record.status = answer.status;
    if (typeof answer.body === "string" && answer.text)
      res.writeHead(answer.status, { "content-type": "text/plain;charset=utf-8" }).end(answer.body);
    else
      res
        .writeHead(answer.status, { "content-type": "application/json;charset=utf-8" })
        .end(JSON.stringify(answer.body));
  }

  private async api(
    req: IncomingMessage,
    input: { method: string; path: string; search: URLSearchParams; body: unknown },
  ): Promise<Answer> {
    const segments = input.path.split("/").slice(1);
    const found = this.routes
      .map((route) => ({ route, params: match(route, input.method, segments) }))
      .find((m) => m.params);
    if (!found?.params) {
      this.violations.push(`${input.method} ${input.path}: not a call the double knows from Gitea's API reference`);
      return { status: 404, body: { message: "not found" } };
    }
    const { route, params } = found;
    const q = route.query
      ? route.query.safeParse(query(input.search))
      : { success: [...input.search.keys()].length === 0, data: {} };
    if (!q.success) {
      this.violations.push(
        `${route.method} ${route.path}: query ${input.search.toString()} is not as ${route.doc} documents it`,
      );
      return { status: 422, body: { message: "query is invalid" } };
    }
    const given = (input.body ?? {}) as Record<string, unknown>;
    const body = route.body ? route.body.safeParse(given) : { success: Object.keys(given).length === 0, data: {} };
    if (!body.success) {
      this.violations.push(
        `${route.method} ${route.path}: body ${JSON.stringify(given)} is not as ${route.doc} documents it`,
      );
      return { status: 422, body: { message: "body is invalid" } };
    }
    const token = /^token (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const actor = token ? this.gt.tokens.get(token) : undefined;
    if (!actor) return { status: 401, body: { message: "token is required" } };
    let repo: RepoState | null = null;
    if (params.owner !== undefined) {
      repo = this.gt.repos.get(`${params.owner}/${params.repo}`.toLowerCase()) ?? null;
      const permission = repo ? this.gt.permissionOf(actor, repo) : "none";
      if (!repo || permission === "none")
        return { status: 404, body: { message: "The target couldn't be found.", errors: [] } };
      if (!this.atLeast(permission, route.need ?? "read"))
        return { status: 403, body: { message: "user should have the required permission" } };
    }
    return route.handle(this.gt, {
      actor,
      repo,
      params,
      query: q.data as Record<string, unknown>,
      body: body.data as Record<string, unknown>,
    });
  }

  private async git(
    req: IncomingMessage,
    res: ServerResponse,
    { fullName, rest, search }: { fullName: string; rest: string; search: string },
  ): Promise<void> {
    const repo = this.gt.repos.get(fullName.toLowerCase());
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const [username = "", ...password] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":") : [];
    const actor = this.gt.tokens.get(password.join(":"));
    const pushing = rest.endsWith("/git-receive-pack") || search.includes("service=git-receive-pack");
    // Gitea takes an access token as the password of the user it belongs to.
    if (!actor || actor !== username) {
      req.resume();
      res
        .writeHead(401, { "www-authenticate": 'Basic realm="Gitea"', "content-type": "text/plain" })
        .end("Unauthorized");
      return;
    }
    const permission = repo ? this.gt.permissionOf(actor, repo) : "none";
    if (!repo || !this.atLeast(permission, pushing ? "write" : "read")) {
      req.resume();
      res
        .writeHead(repo && permission !== "none" ? 403 : 404, { "content-type": "text/plain" })
        .end("Repository not found");
      return;
    }
    const before = this.gt.branches(repo);
    await serveGit({
      root: this.gitRoot,
      pathInfo: `/${repo.fullName.toLowerCase()}.git${rest}`,
      query: search,
      user: actor,
      req,
      res,
    });
    if (pushing && rest.endsWith("/git-receive-pack")) this.gt.afterPush(repo, before, actor);
  }
}
