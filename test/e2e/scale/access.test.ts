import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { CadreClient, CadreApiError } from "@cadre/client";
import { createFixtureRepo } from "../../support/fixture-repo.ts";
import { runCli, startCadreServe, writeScriptedConfig, type CadreServeProcess } from "../../support/cadre-process.ts";
import { freshPostgresUrl, postgresAvailable, tempHome } from "../../support/databases.ts";
import { startScriptedModel, type ScriptedModel } from "../../support/scripted-model/index.ts";

/** Users, roles, per-repository grants and revocation, across two server instances on one PostgreSQL. */
describe.skipIf(!postgresAvailable())("users and access on two instances", () => {
  let a: CadreServeProcess;
  let b: CadreServeProcess;
  let model: ScriptedModel;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const db = await freshPostgresUrl();
    if (!db) throw new Error("no PostgreSQL");
    cleanup.push(db.drop);
    const h = await tempHome();
    cleanup.push(h.remove);
    model = await startScriptedModel({ script: [] });
    await writeScriptedConfig(h.home, model.url);
    for (const name of ["one", "two"])
      await createFixtureRepo(join(h.home, "..", `${h.home.split("/").pop()}-${name}`));
    const env = { CADRE_DATABASE_URL: db.url, CADRE_TASKS_PER_MINUTE: "3" };
    a = await startCadreServe({ home: h.home, slots: 0, env });
    b = await startCadreServe({ home: h.home, slots: 0, env });
    for (const name of ["one", "two"])
      await a.client.call("createRepo", {
        body: { origin: join(h.home, "..", `${h.home.split("/").pop()}-${name}`), name },
      });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await model?.close();
    for (const c of cleanup.reverse()) await c();
  });

  async function refused(p: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
    try {
      await p;
    } catch (e) {
      if (e instanceof CadreApiError) return { status: e.status ?? 0, code: e.code, message: e.message };
      throw e;
    }
    throw new Error("the call was expected to be refused");
  }

  async function addUser(
    name: string,
    role: "viewer" | "member" | "admin",
  ): Promise<{ token: string; tokenId: string; onA: CadreClient; onB: CadreClient }> {
    const r = await a.client.call("createUser", { body: { name, role } });
    return {
      token: r.token.token,
      tokenId: r.token.info.id,
      onA: new CadreClient({ baseUrl: a.url, token: r.token.token }),
      onB: new CadreClient({ baseUrl: b.url, token: r.token.token }),
    };
  }

  it("a viewer reads what it was granted but cannot create, cancel or approve", async () => {
    const viewer = await addUser("vera", "viewer");
    await a.client.call("grantRepo", { params: { name: "vera" }, body: { repo: "one" } });
    const task = await a.client.call("createTask", { body: { prompt: "do it", repo: "one" } });

    expect((await viewer.onB.call("getTask", { params: { id: task.id } })).createdBy).toBe("admin");
    expect((await viewer.onA.call("listTasks", { query: {} })).items.map((t) => t.id)).toEqual([task.id]);
    for (const call of [
      () => viewer.onA.call("createTask", { body: { prompt: "x", repo: "one" } }),
      () => viewer.onB.call("approveTask", { params: { id: task.id }, body: { merge: "main" } }),
      () => viewer.onA.call("cancelTask", { params: { id: task.id } }),
      () => viewer.onA.call("createRepo", { body: { origin: "/tmp", name: "x" } }),
      () => viewer.onA.call("createUser", { body: { name: "mallory", role: "admin" } }),
    ]) {
      const r = await refused(call());
      expect(r.status).toBe(403);
      expect(r.message).toMatch(/viewer|role/);
    }
    const after = await a.client.call("listTasks", { query: {} });
    expect(after.items.map((t) => t.id)).toEqual([task.id]);
    expect((await a.client.call("getTask", { params: { id: task.id } })).review.state).toBe("pending");
  });

  it("a member sees only the repositories granted, on every route", async () => {
    const member = await addUser("mia", "member");
    await a.client.call("grantRepo", { params: { name: "mia" }, body: { repo: "two" } });
    const hidden = await a.client.call("createTask", { body: { prompt: "secret work", repo: "one" } });
    const attemptId = hidden.attempts[0]?.id as string;

    expect((await member.onA.call("listRepos")).items.map((r) => r.name)).toEqual(["two"]);
    expect((await member.onB.call("listTasks", { query: {} })).items).toEqual([]);
    expect((await member.onB.call("listTasks", { query: { q: "secret" } })).items).toEqual([]);
    // the queue shows the hidden task to the admin only
    expect((await a.client.call("listQueue")).items.map((q) => q.taskId)).toContain(hidden.id);
    expect((await member.onB.call("listQueue")).items.map((q) => q.taskId)).not.toContain(hidden.id);
    for (const call of [
      () => member.onA.call("getRepo", { params: { id: "one" } }),
      () => member.onA.call("getTask", { params: { id: hidden.id } }),
      () => member.onB.call("getAttempt", { params: { id: attemptId } }),
      () => member.onB.call("listEvents", { params: { id: attemptId }, query: {} }),
      () => member.onB.call("attemptDiff", { params: { id: attemptId }, query: {} }),
      () => member.onA.call("cancelTask", { params: { id: hidden.id } }),
      () => member.onA.call("createTask", { body: { prompt: "x", repo: "one" } }),
      () => member.onA.call("listTasks", { query: { repo: "one" } }),
    ]) {
      expect((await refused(call())).status).toBe(404);
    }
    const stream = await fetch(`${b.url}/api/v1/attempts/${attemptId}/events/stream`, {
      headers: { Authorization: `Bearer ${member.token}` },
    });
    expect(stream.status).toBe(404);

    const own = await member.onB.call("createTask", { body: { prompt: "my work", repo: "two" } });
    expect(own.createdBy).toBe("mia");
    expect((await member.onA.call("listTasks", { query: {} })).items.map((t) => t.id)).toEqual([own.id]);
    // the CLI shows who created it
    const shown = await runCli(["task", "show", own.id], { CADRE_URL: a.url, CADRE_TOKEN: member.token });
    expect(shown.stdout).toContain("by mia");

    await a.client.call("revokeGrant", { params: { name: "mia", repo: "two" } });
    expect((await refused(member.onB.call("getTask", { params: { id: own.id } }))).status).toBe(404);
  });

  it("a revoked token is refused at once by every instance; other tokens of the user still work", async () => {
    const user = await addUser("rob", "member");
    const second = await user.onA.call("createToken", { params: { name: "rob" }, body: { label: "ci" } });
    expect((await user.onB.call("whoami")).user).toBe("rob");

    const revoked = await runCli(["user", "revoke-token", user.tokenId], { CADRE_URL: b.url, CADRE_TOKEN: a.token });
    expect(revoked.code, revoked.stderr).toBe(0);
    for (const client of [user.onA, user.onB]) {
      const r = await refused(client.call("whoami"));
      expect(r.status).toBe(401);
      expect(r.message).toMatch(/revoked/);
    }
    expect((await new CadreClient({ baseUrl: a.url, token: second.token }).call("whoami")).user).toBe("rob");
    // tokens are stored only as hashes
    const listed = await a.client.call("listTokens", { params: { name: "rob" } });
    expect(JSON.stringify(listed)).not.toContain(second.token);
    expect(listed.items.find((t) => t.id === user.tokenId)?.revokedAt).not.toBeNull();
    // a member cannot revoke someone else's token or list other users
    expect((await refused(new CadreClient({ baseUrl: a.url, token: second.token }).call("listUsers"))).status).toBe(
      403,
    );
  });

  it("task creation is rate limited per user across instances", async () => {
    const user = await addUser("rita", "member");
    await a.client.call("grantRepo", { params: { name: "rita" }, body: { repo: "two" } });
    await user.onA.call("createTask", { body: { prompt: "1", repo: "two" } });
    await user.onB.call("createTask", { body: { prompt: "2", repo: "two" } });
    await user.onA.call("createTask", { body: { prompt: "3", repo: "two" } });
    const r = await refused(user.onB.call("createTask", { body: { prompt: "4", repo: "two" } }));
    expect(r.status).toBe(429);
    expect(r.message).toMatch(/limit 3/);
  });

  it("cadre user and token commands", async () => {
    const env = { CADRE_URL: a.url, CADRE_TOKEN: a.token };
    const added = await runCli(["user", "add", "cleo", "--role", "viewer"], env);
    expect(added.code, added.stderr).toBe(0);
    const token = /\n\s+(cadre_\S+)/.exec(added.stdout)?.[1] as string;
    expect((await runCli(["whoami"], { CADRE_URL: b.url, CADRE_TOKEN: token })).stdout).toContain("cleo (viewer)");
    expect((await runCli(["user", "grant", "cleo", "one"], env)).code).toBe(0);
    const listed = await runCli(["user", "list"], env);
    expect(listed.stdout).toMatch(/cleo\s+viewer\s+repo_/);
    const created = await runCli(["token", "create", "--label", "laptop"], { CADRE_URL: b.url, CADRE_TOKEN: token });
    expect(created.code, created.stderr).toBe(0);
    const refusedCli = await runCli(["user", "add", "eve"], { CADRE_URL: b.url, CADRE_TOKEN: token });
    expect(refusedCli.code).not.toBe(0);
    expect(refusedCli.stderr).toMatch(/viewer.*admin role/);
  });
});
