import type { IncomingMessage, ServerResponse } from "node:http";
import { serveGit } from "../github-double/git-backend.ts";
import type { GitlabDouble } from "./index.ts";
import type { Route } from "./routes.ts";
import type { ProjectState } from "./state.ts";

export interface RequestRecord {
  method: string;
  path: string;
  route: string | null;
  status: number;
  body: unknown;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** `a[b]=1` form fields as `{ a: { b: "1" } }` (how GitLab reads nested parameters). */
function nest(entries: Iterable<[string, string]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const m = /^([^[]+)\[([^\]]*)\]$/.exec(key);
    if (!m) {
      out[key] = value;
      continue;
    }
    const [, outer = "", inner = ""] = m;
    if (inner === "") out[outer] = [...((out[outer] as unknown[]) ?? []), value];
    else out[outer] = { ...((out[outer] as Record<string, unknown>) ?? {}), [inner]: value };
  }
  return out;
}

async function parseBody(req: IncomingMessage, raw: Buffer): Promise<Record<string, unknown>> {
  if (raw.length === 0) return {};
  const type = String(req.headers["content-type"] ?? "");
  if (/application\/json/.test(type)) return JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
  const form = await new Response(new Uint8Array(raw), { headers: { "content-type": type } }).formData();
  const fields: [string, string][] = [];
  form.forEach((value, key) => fields.push([key, String(value)]));
  return nest(fields);
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

function send(res: ServerResponse, status: number, body: unknown, text?: string): void {
  if (text !== undefined) {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(text);
    return;
  }
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** Serves /api/v4 from the route table, and git over smart HTTP at /<namespace>/<project>.git. */
export class GitlabHttp {
  readonly requests: RequestRecord[] = [];
  readonly violations: string[] = [];

  constructor(
    private readonly gl: GitlabDouble,
    private readonly routes: Route[],
    private readonly gitRoot: string,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://double");
    const git = /^\/(.+?)\.git(\/.*)$/.exec(url.pathname);
    if (git) return this.git(req, res, { path: git[1] as string, rest: git[2] as string, query: url.search.slice(1) });
    if (!url.pathname.startsWith("/api/v4/")) return send(res, 404, { error: "404 Not Found" });
    const raw = await readBody(req);
    const method = req.method ?? "GET";
    const path = url.pathname.slice("/api/v4".length);
    const record: RequestRecord = { method, path, route: null, status: 0, body: undefined };
    this.requests.push(record);
    const answer = await this.api(req, { method, path, query: url.searchParams, raw }, record);
    record.status = answer.status;
    send(res, answer.status, answer.body, answer.text);
  }

  private async api(
    req: IncomingMessage,
    input: { method: string; path: string; query: URLSearchParams; raw: Buffer },
    record: RequestRecord,
  ): Promise<{ status: number; body: unknown; text?: string }> {
    const segments = input.path.split("/").slice(1);
    let found: { route: Route; params: Record<string, string> } | null = null;
    for (const route of this.routes) {
      const params = match(route, input.method, segments);
      if (params) found = { route, params };
    }
    if (!found) {
      this.violations.push(`${input.method} ${input.path}: not a call the double knows from GitLab's API reference`);
      return { status: 404, body: { error: "404 Not Found" } };
    }
    const { route, params } = found;
    record.route = `${route.method} ${route.path}`;
    const query = route.query
      ? route.query.safeParse(nest(input.query.entries()))
      : { success: true as const, data: {} };
    if (!query.success || (!route.query && [...input.query.keys()].length > 0)) {
      this.violations.push(`${record.route}: query ${input.query.toString()} is not as ${route.doc} documents it`);
      return { status: 400, body: { error: "query is invalid" } };
    }
    const parsed = await parseBody(req, input.raw);
    record.body = parsed;
    const body = route.body ? route.body.safeParse(parsed) : { success: Object.keys(parsed).length === 0, data: {} };
    if (!body.success) {
      this.violations.push(`${record.route}: body ${JSON.stringify(parsed)} is not as ${route.doc} documents it`);
      return { status: 400, body: { error: "body is invalid" } };
    }
    const token =
      String(req.headers["private-token"] ?? "") || /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const actor = token ? this.gl.tokens.get(token) : undefined;
    if (!actor) return { status: 401, body: { message: "401 Unauthorized" } };
    let project: ProjectState | null = null;
    if (params.id !== undefined) {
      project = this.gl.findProject(params.id) ?? null;
      const level = project ? this.gl.levelOf(actor, project) : 0;
      if (!project || level === 0) return { status: 404, body: { message: "404 Project Not Found" } };
      if (level < (route.need ?? 0)) return { status: 403, body: { message: "403 Forbidden" } };
    }
    return route.handle(this.gl, {
      actor,
      project,
      params,
      query: query.data as Record<string, unknown>,
      body: body.data as Record<string, unknown>,
    });
  }

  private async git(
    req: IncomingMessage,
    res: ServerResponse,
    { path, rest, query }: { path: string; rest: string; query: string },
  ): Promise<void> {
    const project = this.gl.findProject(path);
    const header = req.headers.authorization ?? "";
    const basic = /^Basic (.+)$/.exec(header)?.[1];
    const password = basic ? Buffer.from(basic, "base64").toString("utf8").split(":").slice(1).join(":") : "";
    const actor = this.gl.tokens.get(password);
    const pushing = rest.endsWith("/git-receive-pack") || query.includes("service=git-receive-pack");
    if (!actor) {
      req.resume();
      res
        .writeHead(401, { "www-authenticate": 'Basic realm="GitLab"', "content-type": "text/plain" })
        .end("HTTP Basic: Access denied");
      return;
    }
    const level = project ? this.gl.levelOf(actor, project) : 0;
    if (!project || level < (pushing ? 30 : 20)) {
      req.resume();
      res
        .writeHead(project && level > 0 ? 403 : 404, { "content-type": "text/plain" })
        .end("The project you were looking for could not be found.");
      return;
    }
    const before = this.gl.branches(project);
    await serveGit({
      root: this.gitRoot,
      pathInfo: `/${project.path.toLowerCase()}.git${rest}`,
      query,
      user: actor,
      req,
      res,
    });
    if (pushing && rest.endsWith("/git-receive-pack")) this.gl.afterPush(project, before, actor);
  }
}
