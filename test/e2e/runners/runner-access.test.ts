import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CadreApiError, CadreClient } from "@cadre/client";
import {
  commitChanges,
  ensureCacheRepository,
  fetchCommits,
  httpHeaderEnv,
  missingCommits,
  pushRefs,
  readRef,
  remoteEnv,
  runGitIn,
} from "@cadre/git";
import {
  routes,
  runnerGitPath,
  runnerRoutes,
  type HeldAttempt,
  type RouteDef,
  type RunnerSession,
} from "@cadre/protocol";
import { createFixtureRepo } from "../../support/fixture-repo.ts";
import { postgresAvailable, tempHome } from "../../support/databases.ts";
import { startScriptedModel, type ScriptedModel } from "../../support/scripted-model/index.ts";
import { Cluster, waitFor } from "../scale/cluster.ts";

/** A path of the route table with every parameter filled by a value the schemas accept. */
function filled(path: string): string {
  return path.replace(/:([a-zA-Z]+)/g, (_, name: string) => (name === "id" ? "task_abc123" : "someone"));
}

async function statusOf(url: string, method: string, token: string | null): Promise<number> {
  const res = await fetch(url, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), "Content-Type": "application/json" },
    ...(method === "GET" ? {} : { body: "{}" }),
  });
  await res.body?.cancel();
  return res.status;
}

async function refusal(call: Promise<unknown>): Promise<{ status: number | null; code: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof CadreApiError) return { status: error.status, code: error.code };
    throw error;
  }
  throw new Error("the call was expected to be refused");
}

/**
 * What a runner credential may do: nothing on a user route, nothing on another runner's attempt,
 * no push but to its own attempts' checkpoint refs, and nothing at all once its token is revoked.
 * The runners here are real HTTP clients of the runner API (and of git's smart HTTP).
 */
describe.skipIf(!postgresAvailable())("runner tokens: least privilege", () => {
  let model: ScriptedModel;
  let cluster: Cluster;
  let admin: CadreClient;
  let baseUrl: string;
  let repoId: string;
  let mirror: string;
  const runners: Record<string, { token: string; session: RunnerSession; client: CadreClient }> = {};
  let held: HeldAttempt;
  let cacheHome: { home: string; remove: () => Promise<void> };

  async function register(name: string): Promise<void> {
    const { token } = await admin.call("createRunnerToken", { body: { name } });
    const session = await new CadreClient({ baseUrl, token }).callRoute(runnerRoutes.registerRunner, {
      body: { name, slots: 1 },
    });
    runners[name] = { token, session, client: new CadreClient({ baseUrl, token: session.session }) };
  }

  const runner = (name: string) => runners[name] as (typeof runners)[string];
  const gitUrl = () => `${baseUrl}${runnerGitPath(repoId)}`;
  const gitEnv = (name: string) => httpHeaderEnv(baseUrl, `Authorization: Bearer ${runner(name).session.session}`);

  beforeAll(async () => {
    model = await startScriptedModel({ script: [{ text: "done" }], recordBodies: false });
    cluster = await Cluster.create(model.url);
    const repoPath = join(cluster.home, "..", `${cluster.home.split("/").pop()}-repo`);
    await createFixtureRepo(repoPath);
    const server = await cluster.startServer();
    admin = server.client;
    baseUrl = server.url;
    repoId = (await admin.call("createRepo", { body: { origin: repoPath, name: "calc" } })).id;
    mirror = join(cluster.home, "mirrors", `${repoId}.git`);
    await register("runner-a");
    await register("runner-b");
    const task = await admin.call("createTask", { body: { prompt: "held by a", repo: "calc" } });
    const { claimed } = await runner("runner-a").client.callRoute(runnerRoutes.pollRunner, {
      body: { free: 1, waitMs: 10_000 },
    });
    expect(claimed.map((a) => a.id)).toEqual([task.attempts[0]!.id]);
    held = claimed[0]!;
    cacheHome = await tempHome("cadre-runner-cache-");
  });
  afterAll(async () => {
    await cacheHome?.remove();
    await cluster?.close();
    await model?.close();
  });

  it("a runner token or session gets 401 on every user route, and a user token on every runner route", async () => {
    const seen: string[] = [];
    let refused = 0;
    for (const [name, def] of Object.entries(routes) as [string, RouteDef][]) {
      const url = `${baseUrl}/api/v1${filled(def.path)}`;
      // A route open without a token (the version, forge webhooks signed by the forge) must answer a
      // runner credential exactly as it answers nobody: the credential adds nothing there.
      const anonymous = await statusOf(url, def.method, null);
      for (const token of [runner("runner-a").token, runner("runner-a").session.session]) {
        const status = await statusOf(url, def.method, token);
        const expected = anonymous === 401 ? [401, 403] : [anonymous];
        if (!expected.includes(status)) seen.push(`${def.method} ${def.path} (${name}): ${status}`);
        if (status === 401) refused++;
      }
    }
    // nearly every user route needs a token: the loop above is not vacuous
    expect(refused).toBeGreaterThan(Object.keys(routes).length);
    expect(seen).toEqual([]);
    for (const def of Object.values(runnerRoutes) as RouteDef[]) {
      const status = await statusOf(`${baseUrl}/api/v1${filled(def.path)}`, def.method, cluster.servers[0]!.token);
      if (status !== 401) seen.push(`${def.method} ${def.path}: ${status}`);
    }
    const gitStatus = await statusOf(`${gitUrl()}/info/refs?service=git-upload-pack`, "GET", cluster.servers[0]!.token);
    if (gitStatus !== 401) seen.push(`git info/refs with a user token: ${gitStatus}`);
    // A session is not a token: it cannot register another process.
    const reRegister = await statusOf(`${baseUrl}/api/v1/runner/sessions`, "POST", runner("runner-a").session.session);
    if (reRegister !== 401) seen.push(`register with a session: ${reRegister}`);
    expect(seen).toEqual([]);
  });

  it("another runner's attempt: append, lease renewal, context, results and release are all refused", async () => {
    const b = runner("runner-b").client;
    const id = held.id;
    const before = await admin.call("listEvents", { params: { id }, query: {} });
    // one call at a time: each is refused before the next is made
    const calls = [
      () =>
        b.callRoute(runnerRoutes.appendEvents, {
          params: { id },
          body: { turn: 0, afterSeq: before.lastSeq, events: [{ type: "notice", level: "info", message: "not mine" }] },
        }),
      () => b.callRoute(runnerRoutes.attemptContext, { params: { id } }),
      () => b.callRoute(runnerRoutes.attemptHistory, { params: { id } }),
      () => b.callRoute(runnerRoutes.attemptInbox, { params: { id } }),
      () => b.callRoute(runnerRoutes.recordAttempt, { params: { id }, body: { image: null } }),
      () => b.callRoute(runnerRoutes.pushFollowUp, { params: { id }, body: { commit: "a".repeat(40) } }),
    ];
    for (const call of calls) expect(await refusal(call())).toEqual({ status: 409, code: "lease_lost" });
    const beat = await b.callRoute(runnerRoutes.heartbeatRunner, { body: { attempts: [id] } });
    expect(beat.held).toEqual([]);
    await b.callRoute(runnerRoutes.releaseAttempt, { params: { id } });

    const after = await admin.call("getAttempt", { params: { id } });
    expect(after.runnerId).toBe(runner("runner-a").session.runnerId);
    expect(after.summary).toBeNull();
    expect((await admin.call("listEvents", { params: { id }, query: {} })).lastSeq).toBe(before.lastSeq);
    // the holder itself may: the lease is renewed and its context carries what the run needs
    expect(
      (await runner("runner-a").client.callRoute(runnerRoutes.heartbeatRunner, { body: { attempts: [id] } })).held,
    ).toEqual([id]);
    const context = await runner("runner-a").client.callRoute(runnerRoutes.attemptContext, { params: { id } });
    expect(context.model.ok && context.model.settings.baseURL).toBe(model.url);
  });

  it("a push of a ref outside the runner's attempts, or by a runner that does not hold it, is refused and changes nothing", async () => {
    const cache = join(cacheHome.home, "calc.git");
    await ensureCacheRepository(cache);
    const base = held.baseCommit ?? (await admin.call("getTask", { params: { id: held.taskId } })).baseCommit;
    // b holds nothing on this repository: it may not even read it
    await expect(fetchCommits(cache, gitUrl(), [base], { env: gitEnv("runner-b") })).rejects.toThrow(/403/);
    await fetchCommits(cache, gitUrl(), [base], { env: gitEnv("runner-a") });
    const file = join(cacheHome.home, "evil.txt");
    await writeFile(file, `pushed by a runner ${Date.now()}\n`);
    const ownRef = `refs/cadre/tasks/${held.taskId}/${held.id}`;
    const { commit } = await commitChanges({
      gitDir: cache,
      parent: base,
      changes: [{ kind: "upsert", path: "evil.txt", hostPath: Buffer.from(file), mode: "100644" }],
      ref: ownRef,
      message: "hostile",
    });
    const other = await admin.call("createTask", { body: { prompt: "not held by anyone", repo: "calc" } });
    const mainBefore = await readRef(mirror, "refs/heads/main");
    const ownBefore = await readRef(mirror, ownRef);
    const attacks: { who: string; dst: string }[] = [
      { who: "runner-a", dst: "refs/heads/main" },
      { who: "runner-a", dst: "refs/heads/cadre-evil" },
      { who: "runner-a", dst: "refs/tags/v-evil" },
      { who: "runner-a", dst: `refs/cadre/tasks/${other.id}/${other.attempts[0]!.id}` },
      { who: "runner-a", dst: `refs/cadre/tasks/${other.id}/${held.id}` },
      { who: "runner-b", dst: ownRef },
    ];
    for (const attack of attacks)
      await expect(
        pushRefs(cache, gitUrl(), [{ src: commit, dst: attack.dst, force: true }], { env: gitEnv(attack.who) }),
        `${attack.who} -> ${attack.dst}`,
      ).rejects.toThrow(/40[13]/);
    // the holder's push to its own attempt's ref goes through; deleting it is refused
    await pushRefs(cache, gitUrl(), [{ src: commit, dst: ownRef, force: true }], { env: gitEnv("runner-a") });
    const deletion = await runGitIn(cache, ["push", "--porcelain", gitUrl(), `:${ownRef}`], {
      env: { ...remoteEnv(), ...gitEnv("runner-a") },
      okCodes: [0, 1, 128],
    });
    expect(deletion.code).not.toBe(0);
    expect(await readRef(mirror, "refs/heads/main")).toBe(mainBefore);
    expect(await readRef(mirror, "refs/heads/cadre-evil")).toBeNull();
    expect(await readRef(mirror, "refs/tags/v-evil")).toBeNull();
    expect(await readRef(mirror, `refs/cadre/tasks/${other.id}/${other.attempts[0]!.id}`)).toBeNull();
    expect(ownBefore).toBeNull();
    expect(await readRef(mirror, ownRef)).toBe(commit);
  });

  it("a push refused before any ref is written leaves not even its objects on the server", async () => {
    const cache = join(cacheHome.home, "calc.git");
    const file = join(cacheHome.home, "objects-only.txt");
    await writeFile(file, `never stored ${Date.now()}\n`);
    const base = (await admin.call("getTask", { params: { id: held.taskId } })).baseCommit;
    const { commit } = await commitChanges({
      gitDir: cache,
      parent: base,
      changes: [{ kind: "upsert", path: "objects-only.txt", hostPath: Buffer.from(file), mode: "100644" }],
      ref: "refs/cadre/scratch",
      message: "objects only",
    });
    await expect(
      pushRefs(cache, gitUrl(), [{ src: commit, dst: "refs/heads/main", force: true }], { env: gitEnv("runner-a") }),
    ).rejects.toThrow(/403/);
    expect(await missingCommits(mirror, [commit])).toEqual([commit]);
  });

  it("revoked: a running runner process stops claiming at once, and the token's attempts go back to the queue", async () => {
    const process = await cluster.startRunner("runner-c", 1);
    await waitFor("runner-c to register", 60_000, async () =>
      (await admin.call("listRunners")).items.some((r) => r.name === "runner-c" && r.alive),
    );
    const exited = new Promise<number | null>((resolve) => process.child.once("exit", (code) => resolve(code)));
    await admin.call("revokeRunnerToken", { params: { name: "runner-c" } });
    expect(await exited).toBe(5);
    const task = await admin.call("createTask", { body: { prompt: "after the revocation", repo: "calc" } });
    const attempt = await admin.call("getAttempt", { params: { id: task.attempts[0]!.id } });
    expect(attempt.runnerId).toBeNull();
    expect(process.logs()).toMatch(/refused this runner/);

    // revoking a token that holds an attempt releases it and fences its session out
    await admin.call("revokeRunnerToken", { params: { name: "runner-a" } });
    expect((await admin.call("getAttempt", { params: { id: held.id } })).runnerId).toBeNull();
    expect(
      await refusal(
        runner("runner-a").client.callRoute(runnerRoutes.appendEvents, {
          params: { id: held.id },
          body: { turn: 0, afterSeq: null, events: [{ type: "notice", level: "info", message: "after revocation" }] },
        }),
      ),
    ).toEqual({ status: 401, code: "unauthorized" });
  });
});
