import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { routes, type Environment, type Repo, type RouteName, type TaskWithAttempts } from "@cadre/protocol";
import { createFixtureRepo } from "../../support/fixture-repo.ts";
import { startAccessWorld, type AccessWorld, type Answer } from "./access-world.ts";

/**
 * Every route that takes a repo, environment, task, attempt, user or path, called by an admin, a
 * member and a viewer granted one repo, and a member granted nothing, against what they may
 * see and what they may not. The probes are keyed by the route table, so a new route does not
 * compile (nor pass) until its expectations are written here.
 */

type Who = "admin" | "member" | "viewer" | "outsider";
const WHO: Who[] = ["viewer", "outsider", "member", "admin"];

/**
 * ok: a 2xx. pass: the access checks let it through (the handler may still refuse it for the
 * task's state: anything but 401, 403, 404 or a 5xx). allowed: not refused for the caller (not
 * 401 or 403, no 5xx). A number: exactly that status.
 */
type Expect = "ok" | "pass" | "allowed" | 401 | 403 | 404;
type Matrix = Record<Who, Expect>;

const open: Matrix = { admin: "ok", member: "ok", viewer: "ok", outsider: "ok" };
const adminOnly: Matrix = { admin: "ok", member: 403, viewer: 403, outsider: 403 };
const seeGranted: Matrix = { admin: "ok", member: "ok", viewer: "ok", outsider: 404 };
const seeHidden: Matrix = { admin: "ok", member: 404, viewer: 404, outsider: 404 };
const writeGranted: Matrix = { admin: "pass", member: "pass", viewer: 403, outsider: 404 };
// A viewer is refused for its role before anything is looked up, so a 403 tells it nothing.
const writeHidden: Matrix = { admin: "pass", member: 404, viewer: 403, outsider: 404 };

/** What the path's parameters name: the object the member and viewer were granted, one hidden from them, … */
type Target = "granted" | "hidden" | "shared" | "wide" | "cancelled" | "cancelledHidden";

interface Probe {
  on?: Target;
  /** For /users/:name routes: another user, or the caller. */
  user?: "victim" | "self";
  query?: string;
  body?: (ids: Ids) => unknown;
  expect: Matrix;
  note?: string;
}

interface Ids {
  repo: Record<"granted" | "hidden", Repo>;
  env: Record<"granted" | "hidden" | "shared" | "wide", Environment>;
  task: Record<"granted" | "hidden" | "cancelled" | "cancelledHidden", TaskWithAttempts>;
  automation: Record<"granted" | "hidden", { id: string }>;
  victimTokenId: string;
  freshPath: string;
}

const onBoth = (granted: Omit<Probe, "on">, hidden: Omit<Probe, "on">): Probe[] => [
  { ...granted, on: "granted" },
  { ...hidden, on: "hidden" },
];

const PROBES: { [K in RouteName]: Probe[] } = {
  version: [{ expect: open }],
  listModels: [{ expect: open }, { query: "discover=false", expect: open }],
  whoami: [{ expect: open }],
  listRunners: [{ expect: open }],
  listQueue: [{ expect: open }],
  listUsers: [{ expect: adminOnly }],
  createUser: [
    {
      body: () => ({ name: "victim", role: "admin" }),
      expect: { admin: "pass", member: 403, viewer: 403, outsider: 403 },
      note: "the name is taken, so even the admin's call changes nothing",
    },
  ],
  updateUser: [
    { user: "victim", body: () => ({ displayName: "Renamed" }), expect: adminOnly },
    { user: "self", body: () => ({ displayName: "Me" }), expect: open },
  ],
  createToken: [
    { user: "victim", body: () => ({ label: "x" }), expect: adminOnly },
    { user: "self", body: () => ({ label: "x" }), expect: open },
  ],
  listTokens: [
    { user: "victim", expect: adminOnly },
    { user: "self", expect: open },
  ],
  revokeToken: [{ expect: { admin: "ok", member: 404, viewer: 404, outsider: 404 } }],
  grantRepo: [
    { user: "victim", body: (ids) => ({ repo: ids.repo.granted.id }), expect: adminOnly },
    { user: "victim", body: (ids) => ({ repo: ids.repo.hidden.id }), expect: adminOnly },
  ],
  revokeGrant: [
    { user: "victim", on: "granted", expect: adminOnly },
    { user: "victim", on: "hidden", expect: adminOnly },
  ],

  listRepos: [{ expect: open }],
  createRepo: [
    {
      body: (ids) => ({ origin: ids.freshPath, name: "fresh" }),
      expect: adminOnly,
      note: "a path on the server: admins only, as no CADRE_LOCAL_REPO_ROOTS is set",
    },
    {
      body: () => ({ origin: "git://127.0.0.1:9/nothing-listens.git", name: "remote" }),
      expect: { admin: "allowed", member: "allowed", viewer: 403, outsider: "allowed" },
      note: "a URL is open to members (it fails to fetch: nothing listens there)",
    },
    {
      body: (ids) => ({ origin: ids.repo.hidden.origin, name: "stolen" }),
      expect: { admin: "allowed", member: 403, viewer: 403, outsider: 403 },
      note: "another repo's origin",
    },
  ],
  getRepo: onBoth({ expect: seeGranted }, { expect: seeHidden }),
  updateRepo: onBoth(
    {
      body: () => ({ forgeSettings: { autoReview: true } }),
      expect: writeGranted,
      note: "not a forge repo: refused as such",
    },
    { body: () => ({ forgeSettings: { autoReview: true } }), expect: writeHidden },
  ),
  repoConflicts: onBoth({ expect: seeGranted }, { expect: seeHidden }),

  listEnvironments: [{ expect: open }],
  createEnvironment: [
    {
      body: (ids) => ({ name: ids.env.granted.name, repoId: ids.repo.granted.id }),
      expect: writeGranted,
      note: "the name is taken, so nothing is created",
    },
    {
      body: (ids) => ({ name: ids.env.granted.name, repoId: ids.repo.hidden.id }),
      expect: writeHidden,
    },
    {
      body: (ids) => ({ name: ids.env.granted.name }),
      expect: { admin: "pass", member: 403, viewer: 403, outsider: 403 },
      note: "a shared environment",
    },
    {
      body: (ids) => ({
        name: ids.env.granted.name,
        repoId: ids.repo.granted.id,
        allowedRepoIds: [ids.repo.hidden.id],
      }),
      expect: { admin: "pass", member: 403, viewer: 403, outsider: 403 },
      note: "letting it run on another repo",
    },
  ],
  getEnvironment: [...onBoth({ expect: seeGranted }, { expect: seeHidden }), { on: "shared", expect: open }],
  environmentSetupLog: [...onBoth({ expect: seeGranted }, { expect: seeHidden }), { on: "shared", expect: open }],
  updateEnvironment: [
    ...onBoth(
      { body: () => ({ instructions: "be brief" }), expect: { ...writeGranted, admin: "ok", member: "ok" } },
      { body: () => ({ instructions: "be brief" }), expect: { ...writeHidden, admin: "ok" } },
    ),
    {
      on: "shared",
      body: () => ({ instructions: "be brief" }),
      expect: { admin: "ok", member: 403, viewer: 403, outsider: 403 },
    },
    {
      on: "granted",
      body: (ids) => ({ allowedRepoIds: [ids.repo.granted.id] }),
      expect: { admin: "ok", member: 403, viewer: 403, outsider: 404 },
      note: "changing the allow list (to its own repo, which the server drops: nothing changes)",
    },
    {
      on: "granted",
      body: (ids) => ({ repoId: ids.repo.hidden.id }),
      expect: { admin: "ok", member: 404, viewer: 403, outsider: 404 },
      note: "moving it to a repo the caller cannot see (the admin moves it back below)",
    },
    {
      on: "granted",
      body: (ids) => ({ repoId: ids.repo.granted.id }),
      expect: { admin: "ok", member: 404, viewer: 403, outsider: 404 },
      note: "…and back: members cannot see it while it belongs to the hidden repo",
    },
    {
      on: "wide",
      body: () => ({ instructions: "be brief" }),
      expect: { admin: "ok", member: 403, viewer: 403, outsider: 404 },
      note: "it also runs on the hidden repo",
    },
  ],

  listTasks: [
    { expect: open },
    { query: "repo=granted", expect: seeGranted },
    { query: "repo=hidden", expect: seeHidden },
  ],
  createTask: [
    { body: () => ({ prompt: "x", repo: "granted" }), expect: { ...writeGranted, admin: "ok", member: "ok" } },
    { body: () => ({ prompt: "x", repo: "hidden" }), expect: { ...writeHidden, admin: "ok" } },
    {
      body: (ids) => ({ prompt: "x", repo: "granted", environment: ids.env.granted.id }),
      expect: { ...writeGranted, admin: "ok", member: "ok" },
    },
    {
      body: () => ({ prompt: "x", repo: "granted", environment: "env-shared" }),
      expect: { ...writeGranted, admin: "ok", member: "ok" },
      note: "a shared environment an admin allowed on this repo",
    },
    {
      body: () => ({ prompt: "x", repo: "granted", environment: "env-hidden" }),
      expect: { admin: 403, member: 404, viewer: 403, outsider: 404 },
      note: "another repo's environment: not even an admin runs it here without allowing it",
    },
    {
      body: () => ({ prompt: "x", repo: "hidden", environment: "env-shared" }),
      expect: { admin: 403, member: 404, viewer: 403, outsider: 404 },
      note: "a shared environment not allowed on that repo",
    },
  ],
  getTask: onBoth({ expect: seeGranted }, { expect: seeHidden }),
  cancelTask: [
    { on: "cancelled", expect: { ...writeGranted, admin: "ok", member: "ok" } },
    { on: "cancelledHidden", expect: { ...writeHidden, admin: "ok" } },
  ],
  followupTask: onBoth(
    { body: () => ({ text: "x" }), expect: writeGranted },
    { body: () => ({ text: "x" }), expect: writeHidden },
  ),
  answerTask: onBoth(
    { body: () => ({ text: "x" }), expect: writeGranted },
    { body: () => ({ text: "x" }), expect: writeHidden },
  ),
  sendMessage: onBoth(
    { body: () => ({ text: "x" }), expect: writeGranted },
    { body: () => ({ text: "x" }), expect: writeHidden },
  ),
  approvePlan: onBoth({ body: () => ({}), expect: writeGranted }, { body: () => ({}), expect: writeHidden }),
  rejectPlan: onBoth({ body: () => ({}), expect: writeGranted }, { body: () => ({}), expect: writeHidden }),
  approveTask: onBoth(
    { body: () => ({ merge: "main" }), expect: writeGranted },
    { body: () => ({ merge: "main" }), expect: writeHidden },
  ),
  rejectTask: [
    { on: "cancelled", body: () => ({ reason: "x" }), expect: writeGranted },
    { on: "cancelledHidden", body: () => ({ reason: "x" }), expect: writeHidden },
  ],

  getAttempt: onBoth({ expect: seeGranted }, { expect: seeHidden }),
  listTurns: onBoth({ expect: seeGranted }, { expect: seeHidden }),
  listEvents: onBoth({ expect: seeGranted }, { expect: seeHidden }),
  streamEvents: onBoth({ expect: seeGranted }, { expect: seeHidden }),
  attemptDiff: [
    ...onBoth({ expect: seeGranted }, { expect: seeHidden }),
    ...onBoth({ query: "path=calc.mjs", expect: seeGranted }, { query: "path=calc.mjs", expect: seeHidden }),
  ],
  streamTasks: [{ expect: open }],

  // Forges: read by everyone signed in (no secret is ever returned), changed by admins. `:name` is
  // "victim", which is no forge: admins get 404, everyone else is refused for the role first.
  listForges: [{ expect: open }],
  getForge: [{ expect: { admin: 404, member: 404, viewer: 404, outsider: 404 } }],
  createForge: [
    {
      body: () => ({
        name: "probe",
        kind: "github",
        apiUrl: "http://127.0.0.1:9/api/v3",
        auth: { kind: "token", token: "t" },
        webhookSecret: "s",
      }),
      expect: { admin: "pass", member: 403, viewer: 403, outsider: 403 },
      note: "nothing listens there: the admin's sign-in check refuses it and nothing is saved",
    },
  ],
  updateForge: [{ body: () => ({ botName: "x" }), expect: { admin: 404, member: 403, viewer: 403, outsider: 403 } }],
  deleteForge: [{ expect: { admin: 404, member: 403, viewer: 403, outsider: 403 } }],
  listForgeDeliveries: [{ expect: { admin: 404, member: 403, viewer: 403, outsider: 403 } }],
  // Runner tokens are admin business; `:name` is "victim", which names no runner token.
  createRunnerToken: [{ body: () => ({ name: "probe-runner" }), expect: adminOnly }],
  listRunnerTokens: [{ expect: adminOnly }],
  revokeRunnerToken: [{ expect: { admin: 404, member: 403, viewer: 403, outsider: 403 } }],
  forgeWebhook: [
    {
      body: () => ({ zen: "x" }),
      expect: { admin: 404, member: 404, viewer: 404, outsider: 404 },
      note: "authenticated by the forge's signature, not a token: no such forge for anyone",
    },
  ],

  // Automations follow their repo's access; the fire URL takes the automation's own token only.
  listAutomations: [{ expect: open }],
  createAutomation: onBoth(
    { body: (ids) => automationBody("probe-granted", ids.repo.granted.id), expect: writeGranted },
    { body: (ids) => automationBody("probe-hidden", ids.repo.hidden.id), expect: writeHidden },
  ),
  getAutomation: onBoth({ expect: seeGranted }, { expect: seeHidden }),
  pauseAutomation: onBoth({ expect: writeGranted }, { expect: writeHidden }),
  resumeAutomation: onBoth({ expect: writeGranted }, { expect: writeHidden }),
  fireAutomation: onBoth(
    { body: () => ({ text: "x" }), expect: { admin: 401, member: 401, viewer: 401, outsider: 401 } },
    {
      body: () => ({ text: "x" }),
      expect: { admin: 401, member: 401, viewer: 401, outsider: 401 },
      note: "a user's token, even the admin's, is no fire token",
    },
  ),
  deleteAutomation: onBoth(
    {
      expect: { admin: "allowed", member: "ok", viewer: 403, outsider: 404 },
      note: "the member deletes it first, so the admin may find it gone",
    },
    { expect: writeHidden },
  ),
};

function automationBody(name: string, repo: string): unknown {
  return { name, repo, trigger: { kind: "schedule", cron: "0 0 1 1 *" }, prompt: "probe" };
}

function meets(status: number, expected: Expect): boolean {
  if (status >= 500) return false;
  if (expected === "ok") return status >= 200 && status < 300;
  if (expected === "pass") return ![401, 403, 404].includes(status);
  if (expected === "allowed") return ![401, 403].includes(status);
  return status === expected;
}

describe("security: the access matrix over every route", () => {
  let world: AccessWorld;
  let ids: Ids;
  let fresh: string;
  const tokens = {} as Record<Who, string>;
  const names: Record<Who, string> = { admin: "admin", member: "mia", viewer: "vera", outsider: "otto" };

  beforeAll(async () => {
    world = await startAccessWorld();
    const admin = world.server.token;
    const granted = await world.addRepo("granted");
    const hidden = await world.addRepo("hidden");
    tokens.admin = admin;
    tokens.member = await world.addUser("mia", "member", ["granted"]);
    tokens.viewer = await world.addUser("vera", "viewer", ["granted"]);
    tokens.outsider = await world.addUser("otto", "member");
    await world.addUser("victim", "member", ["granted"]);
    const victimToken = await world.call(admin, "POST", "/users/victim/tokens", { label: "v" });
    const env = async (body: Record<string, unknown>): Promise<Environment> => {
      const answer = await world.call(admin, "POST", "/environments", body);
      if (answer.status !== 201) throw new Error(answer.text);
      return answer.body as Environment;
    };
    const task = async (repo: string, cancel = false): Promise<TaskWithAttempts> => {
      const answer = await world.call(admin, "POST", "/tasks", { prompt: "probe", repo });
      if (answer.status !== 201) throw new Error(answer.text);
      const created = answer.body as TaskWithAttempts;
      if (cancel) await world.call(admin, "POST", `/tasks/${created.id}/cancel`, {});
      return created;
    };
    const automation = async (repo: string): Promise<{ id: string }> => {
      const answer = await world.call(admin, "POST", "/automations", automationBody(`auto-${repo}`, repo));
      if (answer.status !== 201) throw new Error(answer.text);
      return answer.body as { id: string };
    };
    fresh = await mkdtemp(join(tmpdir(), "cadre-matrix-fresh-"));
    await createFixtureRepo(fresh);
    ids = {
      repo: { granted, hidden },
      env: {
        granted: await env({ name: "env-granted", repoId: granted.id }),
        hidden: await env({ name: "env-hidden", repoId: hidden.id }),
        shared: await env({ name: "env-shared", allowedRepoIds: [granted.id] }),
        wide: await env({ name: "env-wide", repoId: granted.id, allowedRepoIds: [hidden.id] }),
      },
      task: {
        granted: await task("granted"),
        hidden: await task("hidden"),
        cancelled: await task("granted", true),
        cancelledHidden: await task("hidden", true),
      },
      automation: { granted: await automation("granted"), hidden: await automation("hidden") },
      victimTokenId: (victimToken.body as { info: { id: string } }).info.id,
      freshPath: fresh,
    };
  });
  afterAll(async () => {
    await world?.stop();
    if (fresh) await rm(fresh, { recursive: true, force: true });
  });

  function pathOf(name: RouteName, probe: Probe, who: Who): string {
    const path = routes[name].path;
    const on = probe.on ?? "granted";
    const filled = path.replace(/:(\w+)/g, (_match, param: string) => {
      if (param === "name") return probe.user === "self" ? names[who] : "victim";
      if (param === "repo") return ids.repo[on === "hidden" ? "hidden" : "granted"].id;
      if (path.startsWith("/repos")) return ids.repo[on === "hidden" ? "hidden" : "granted"].id;
      if (path.startsWith("/environments")) return ids.env[on as keyof Ids["env"]].id;
      if (path.startsWith("/tasks")) return ids.task[on as keyof Ids["task"]].id;
      if (path.startsWith("/attempts")) return ids.task[on as keyof Ids["task"]].attempts[0]?.id as string;
      if (path.startsWith("/tokens")) return ids.victimTokenId;
      if (path.startsWith("/automations")) return ids.automation[on === "hidden" ? "hidden" : "granted"].id;
      throw new Error(`no value for :${param} in ${path}`);
    });
    return probe.query ? `${filled}?${probe.query}` : filled;
  }

  it("has probes for exactly the routes of the route table", () => {
    expect(Object.keys(PROBES).sort()).toEqual(Object.keys(routes).sort());
    for (const [name, probes] of Object.entries(PROBES)) expect(probes.length, name).toBeGreaterThan(0);
  });

  it("every role gets the answer its grants call for, on every route", async () => {
    const wrong: string[] = [];
    let calls = 0;
    for (const [name, probes] of Object.entries(PROBES) as [RouteName, Probe[]][]) {
      const def = routes[name];
      for (const probe of probes) {
        for (const who of WHO) {
          const path = pathOf(name, probe, who);
          const body = probe.body?.(ids);
          const answer: Answer = await world.call(tokens[who], def.method, path, body);
          calls++;
          if (!meets(answer.status, probe.expect[who]))
            wrong.push(
              `${name} ${def.method} ${path}${probe.note ? ` (${probe.note})` : ""} as ${who}: expected ${probe.expect[who]}, got ${answer.status} ${answer.text.slice(0, 160)}`,
            );
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(calls).toBeGreaterThan(300);
    expect(world.server.child.exitCode).toBeNull();
  });

  it("lists hold only what each caller may see", async () => {
    const hiddenIds = [ids.repo.hidden.id, ids.env.hidden.id, ids.task.hidden.id, ids.task.cancelledHidden.id];
    for (const who of ["member", "viewer", "outsider"] as const) {
      for (const path of ["/repos", "/environments", "/tasks", "/queue"]) {
        const answer = await world.call(tokens[who], "GET", path);
        expect(answer.status).toBe(200);
        for (const id of hiddenIds) expect(answer.text, `${path} as ${who}`).not.toContain(id);
      }
      const me = await world.call(tokens[who], "GET", "/me");
      expect(me.text).not.toContain(ids.repo.hidden.id);
    }
    const all = await world.call(tokens.admin, "GET", "/tasks");
    expect(all.text).toContain(ids.task.hidden.id);
  });
});
