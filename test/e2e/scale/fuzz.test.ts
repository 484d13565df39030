import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdir } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import pg from "pg";
import { z } from "zod";
import { routes, type RouteDef } from "@cadre/protocol";
import { createFixtureRepo } from "../../support/fixture-repo.ts";
import { startCadreServe, writeScriptedConfig, type CadreServeProcess } from "../../support/cadre-process.ts";
import { freshPostgresUrl, postgresAvailable, tempHome } from "../../support/databases.ts";
import { startScriptedModel, type ScriptedModel } from "../../support/scripted-model/index.ts";

const REQUESTS = 4000;
const CONCURRENCY = 16;

/** Deterministic PRNG (mulberry32): a failure prints its seed and request, and reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Strings no ref, branch, path, id or name field may accept. */
const HOSTILE = [
  "--upload-pack=touch /tmp/cadre-pwned",
  "-oProxyCommand=touch /tmp/cadre-pwned",
  "--output=/tmp/cadre-pwned",
  "-",
  "--",
  "../../../../etc/passwd",
  "..",
  "a/../../b",
  "/etc/passwd",
  "refs/heads/../../x",
  "a..b",
  "x.lock",
  "x@{-1}",
  "HEAD@{now}",
  "$(touch /tmp/cadre-pwned)",
  "`id`",
  "a b",
  "x;rm -rf /",
  "x\nY",
  "x\u0000y",
  "%2e%2e%2f",
  "é",
  "\u202e",
  "x".repeat(5000),
  "ext::sh -c touch% /tmp/cadre-pwned",
  "file:///etc",
  "ssh://-oProxyCommand=x/y",
  "' or 1=1 --",
  "'); drop table tasks; --",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "\\\\server\\share",
  "C:\\Windows",
  "~",
  "~root",
  "*",
  "?",
  "[",
  "\ud800",
];
const WRONG_TYPES: unknown[] = [
  null,
  0,
  -1,
  1e308,
  3.5,
  true,
  [],
  {},
  [1, "a"],
  { $ne: 1 },
  "x".repeat(200_000),
  { a: { b: { c: { d: {} } } } },
];
const BAD_JSON = [
  "{",
  '{"a":',
  "[1,",
  "nul",
  "undefined",
  "{'a':1}",
  "\u0000",
  '{"prompt":"x",}',
  "1e99999",
  '"\\ud800"',
  '{"a":1}{"b":2}',
  "NaN",
];

/** A valid body per write route (only ever sent where it must be refused: unknown ids, no token, a viewer). */
const VALID: Record<string, Record<string, unknown>> = {
  createRepo: { origin: "/tmp", name: "fz" },
  createEnvironment: { name: "fz-env" },
  updateEnvironment: { setupScript: "x" },
  createTask: { prompt: "x", repo: "calc" },
  cancelTask: {},
  followupTask: { text: "x" },
  answerTask: { text: "x" },
  approvePlan: {},
  rejectPlan: {},
  approveTask: { merge: "main" },
  rejectTask: { reason: "x" },
  createUser: { name: "fz", role: "admin" },
  updateUser: { email: "fz@example.com" },
  createToken: { label: "x" },
  revokeToken: {},
  grantRepo: { repo: "calc" },
};

/** Percent-encodes; a lone surrogate becomes the invalid UTF-8 bytes it would be. */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return "%ED%A0%80";
  }
}

/** Percent-escapes no decoder accepts: cut short, not hex, overlong, a lone surrogate, not UTF-8. Sent raw. */
const BAD_ESCAPES = [
  "%E0%A4%A",
  "%",
  "%%",
  "%zz",
  "%E0%A4",
  "%C0%AF",
  "%ED%A0%80",
  "%FF",
  "%F4%90%80%80",
  "a%2",
  "%u0041",
];

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  note: string;
  /** The status it must get (a malformed escape is always a 400), when known. */
  status?: number;
}

describe.skipIf(!postgresAvailable())("fuzz: malformed, oversized and hostile requests to every route", () => {
  let server: CadreServeProcess;
  let model: ScriptedModel;
  let db: pg.Client;
  let home: string;
  let viewerToken: string;
  const ids: Record<string, string> = {};
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const fresh = await freshPostgresUrl();
    if (!fresh) throw new Error("no PostgreSQL");
    cleanup.push(fresh.drop);
    const h = await tempHome();
    home = h.home;
    cleanup.push(h.remove);
    model = await startScriptedModel({ script: [] });
    await writeScriptedConfig(home, model.url);
    const repoPath = join(home, "..", `${home.split("/").pop()}-repo`);
    await createFixtureRepo(repoPath);
    server = await startCadreServe({ home, slots: 0, env: { CADRE_DATABASE_URL: fresh.url } });
    const repo = await server.client.call("createRepo", { body: { origin: repoPath, name: "calc" } });
    const env = await server.client.call("createEnvironment", { body: { name: "env1", repoId: repo.id } });
    const task = await server.client.call("createTask", { body: { prompt: "fix it", repo: "calc" } });
    const viewer = await server.client.call("createUser", { body: { name: "vic", role: "viewer" } });
    await server.client.call("grantRepo", { params: { name: "vic" }, body: { repo: "calc" } });
    viewerToken = viewer.token.token;
    Object.assign(ids, {
      repo: repo.id,
      env: env.id,
      task: task.id,
      attempt: task.attempts[0]?.id as string,
      token: viewer.token.info.id,
      user: "vic",
    });
    db = new pg.Client({ connectionString: fresh.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await server?.stop();
    await model?.close();
    for (const c of cleanup.reverse()) await c();
  });

  /** Everything a request could write: every table's rows (token use times aside) and the mirrors on disk. */
  async function snapshot(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const table of [
      "repos",
      "environments",
      "tasks",
      "attempts",
      "turns",
      "events",
      "attempt_messages",
      "users",
      "repo_grants",
      "runners",
      "forges",
      "forge_deliveries",
      "forge_jobs",
      "automations",
      "automation_runs",
    ]) {
      const r = await db.query(
        `select coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as h, count(*) as n from ${table} t`,
      );
      out[table] = `${r.rows[0].n}:${r.rows[0].h}`;
    }
    const tokens = await db.query(
      "select count(*) as n, coalesce(md5(string_agg(id || user_id || token_hash || coalesce(revoked_at::text, ''), '|' order by id)), '') as h from api_tokens",
    );
    out.api_tokens = `${tokens.rows[0].n}:${tokens.rows[0].h}`;
    out.mirrors = (await readdir(join(home, "mirrors"))).sort().join(",");
    return out;
  }

  function generate(seed: number): Req[] {
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const entries = Object.entries(routes) as [string, RouteDef][];
    const existing: Record<string, string> = { id: "", name: ids.user as string, repo: "calc" };
    const reqs: Req[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const [name, def] = pick(entries);
      const write = def.method !== "GET";
      const kind = pick(["noauth", "viewer", "hostile-params", "bad-body", "bad-query", "huge", "bad-escape"] as const);
      // Where a bad-escape request carries its malformed escape: a path parameter, the query, or the web app's paths.
      const hasParams = def.path.includes(":");
      const escapeIn = pick(hasParams ? (["param", "query", "web"] as const) : (["query", "web"] as const));
      const idFor = (param: string): string => {
        if (param === "name") return kind === "viewer" ? "admin" : (ids.user as string);
        if (param === "repo") return "calc";
        if (def.path.startsWith("/repos")) return "calc";
        if (def.path.startsWith("/environments")) return ids.env as string;
        if (def.path.startsWith("/tasks")) return ids.task as string;
        if (def.path.startsWith("/attempts")) return ids.attempt as string;
        return ids.token as string;
      };
      // Writes with a body that may be valid only ever reach unknown ids (or are refused for the caller).
      const takesBody = !(def.body instanceof z.ZodUndefined);
      const useExisting =
        !write ||
        (kind === "bad-body" && takesBody) ||
        (kind === "viewer" && name !== "revokeToken") ||
        kind === "noauth";
      const path = def.path.replace(/:(\w+)/g, (_m, p: string) => {
        if (kind === "hostile-params") return enc(pick(HOSTILE)).slice(0, 6000);
        if (kind === "bad-escape" && escapeIn === "param") return pick(BAD_ESCAPES);
        if (useExisting) return enc(idFor(p) || existing[p] || "x");
        return p === "name" ? "nobody" : p === "repo" ? "no-such-repo" : "task_doesnotexist1";
      });
      let query = "";
      if (kind === "bad-query" || r() < 0.2) {
        const keys = [
          "after",
          "limit",
          "cursor",
          "turn",
          "path",
          "status",
          "repo",
          "q",
          "target",
          "x",
          "__proto__",
          "constructor",
        ];
        const parts: string[] = [];
        for (let k = 0; k < 1 + Math.floor(r() * 3); k++)
          parts.push(
            `${pick(keys)}=${enc(String(pick([...HOSTILE, "-1", "1e400", "99999999999999", "NaN", "0x10", "", "2147483648", ...WRONG_TYPES.map(String)])))}`,
          );
        query = `?${parts.join("&")}`;
      }
      if (kind === "bad-escape" && escapeIn === "query") {
        const bad = pick(BAD_ESCAPES);
        const part = r() < 0.5 ? `${pick(["q", "repo", "after", "path", "x"])}=${bad}` : `${bad}=1`;
        query = query ? `${query}&${part}` : `?${part}`;
      }
      const headers: Record<string, string> = {
        "Content-Type": pick([
          "application/json",
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
        ]),
      };
      if (kind === "noauth") {
        const t = pick([
          null,
          "",
          "Bearer",
          "Bearer ",
          "Basic YWRtaW46YWRtaW4=",
          `Bearer ${"x".repeat(300)}`,
          "Bearer cadre_forged_token_xxxxxxxx",
          `Bearer ${server.token}x`,
          `bearer\t${server.token.slice(0, -1)}`,
        ]);
        if (t !== null) headers.Authorization = t;
      } else headers.Authorization = `Bearer ${kind === "viewer" ? viewerToken : server.token}`;
      if (kind === "viewer" && r() < 0.3) headers["Last-Event-ID"] = pick(["-1", "abc", "99999999999", "1;2", ""]);
      let body: string | undefined;
      const template = VALID[name];
      if (kind === "huge") body = JSON.stringify({ ...template, prompt: "x".repeat(1024 * 1024 + 10) });
      else if (
        kind === "viewer" ||
        kind === "noauth" ||
        (kind === "hostile-params" && template && def.path.includes(":"))
      )
        body = template ? JSON.stringify(template) : undefined;
      else if (write || r() < 0.3) {
        const form = pick(["bad-json", "not-object", "wrong-type", "unknown-field", "hostile-field"] as const);
        if (form === "bad-json") body = pick(BAD_JSON);
        else if (form === "not-object") body = JSON.stringify(pick([null, [], 1, "x", true, [{}]]));
        else if (form === "unknown-field")
          body = JSON.stringify({
            ...template,
            [pick(["__proto__", "constructor", "isAdmin", "role", "createdBy", "id"])]: pick(WRONG_TYPES),
          });
        else {
          const fields = Object.keys(template ?? { prompt: 1 });
          const field = fields.length ? pick(fields) : "text";
          // A hostile string is sent only where the field refuses it; elsewhere the value has the wrong type.
          const refusesStrings = ![
            "prompt",
            "text",
            "reason",
            "label",
            "setupScript",
            "comment",
            "title",
            "repo",
          ].includes(field);
          const value =
            form === "hostile-field" && refusesStrings && kind !== "bad-body"
              ? pick(HOSTILE)
              : pick(WRONG_TYPES.filter((v) => typeof v !== "string"));
          body = JSON.stringify({ ...template, [field]: value });
          if (fields.length === 0) body = JSON.stringify({ [field]: value });
        }
      }
      const webPath = `/${pick(["", "assets/", "tasks/", "environments/x/"])}${pick(BAD_ESCAPES)}${pick(["", ".js", ".css"])}`;
      reqs.push({
        method: kind === "bad-query" && r() < 0.1 ? pick(["PUT", "DELETE", "OPTIONS", "PATCH"]) : def.method,
        path: kind === "bad-escape" && escapeIn === "web" ? webPath : `/api/v1${path}${query}`,
        headers,
        ...(body === undefined ? {} : { body }),
        note: `${name}/${kind}${kind === "bad-escape" ? `/${escapeIn}` : ""}`,
        // (a request line over Node's header limit is refused by Node itself with a 431)
        ...(kind === "bad-escape" && path.length + query.length < 8 * 1024 ? { status: 400 } : {}),
      });
    }
    return reqs;
  }

  /** One request on its own connection (so a connection the server closes after a refusal affects only it); event streams are not read. */
  function send(req: Req): Promise<number> {
    const url = new URL(server.url);
    return new Promise((resolve, reject) => {
      const body = req.method === "GET" ? undefined : req.body;
      const headers =
        body === undefined ? req.headers : { ...req.headers, "Content-Length": String(Buffer.byteLength(body)) };
      const r = request(
        { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent: false },
        (res) => {
          const status = res.statusCode ?? 0;
          if ((res.headers["content-type"] ?? "").includes("text/event-stream")) {
            res.destroy();
            resolve(status);
            return;
          }
          res.resume();
          res.on("end", () => resolve(status));
          res.on("error", reject);
        },
      );
      r.on("error", reject);
      r.end(body);
    });
  }

  it(`${REQUESTS} requests: never a 5xx, never a crash, nothing written`, async () => {
    const before = await snapshot();
    const requests = generate(20261124);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    async function worker(): Promise<void> {
      while (next < requests.length) {
        const req = requests[next++] as Req;
        try {
          const status = await send(req);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status < 300 && req.method !== "GET")
            failures.push(
              `accepted ${status} ${req.note} ${req.method} ${req.path.slice(0, 200)} ${String(req.body).slice(0, 200)}`,
            );
          if (req.status !== undefined && status !== req.status)
            failures.push(`${status} instead of ${req.status}: ${req.note} ${req.method} ${req.path.slice(0, 200)}`);
          if (status >= 500)
            failures.push(
              `${status} ${req.note} ${req.method} ${req.path.slice(0, 200)} ${String(req.body).slice(0, 200)}`,
            );
        } catch (e) {
          // Node refuses a request line over its header limit (431) and closes the socket, as it does for a
          // body over the limit (413): the client may see the reset while still sending. Anything else is a failure.
          const oversized = (req.body !== undefined && req.body.length > 1024 * 1024) || req.path.length > 16 * 1024;
          if (!oversized)
            failures.push(
              `network error ${(e as Error).message} on ${req.note} ${JSON.stringify(req.headers).slice(0, 300)} body=${String(req.body).slice(0, 100)} ${req.method} ${req.path.slice(0, 200)}`,
            );
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    expect(failures.slice(0, 20)).toEqual([]);
    expect(server.child.exitCode).toBeNull();
    expect(await snapshot()).toEqual(before);
    // the refusals were the kinds expected, and some requests were served
    for (const s of [200, 400, 401, 403, 404, 413])
      expect(statuses.get(s) ?? 0, `status ${s}: ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
    expect((await server.client.call("getTask", { params: { id: ids.task as string } })).id).toBe(ids.task);
  });
});
