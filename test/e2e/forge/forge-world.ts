import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import type { Forge, Repo, TaskWithAttempts } from "@cadre/protocol";
import { startHarness, type Harness, type HarnessOptions } from "../../support/cadre-harness.ts";
import { BUGGY_CALC, CALC_TEST } from "../../support/fixture-repo.ts";
import { GithubDouble, type Permission, type RepoState } from "../../support/github-double/index.ts";

export const WEBHOOK_SECRET = "whsec-0f3c9d8e7b6a5f4e3d2c1b0a";
export const CALC_FILES = { "calc.mjs": BUGGY_CALC, "test.mjs": CALC_TEST, "README.md": "# calc\n" };

/** Polls until `check` returns a value (not undefined/false/null), failing with `what` after `ms`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  ms = 120_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export interface ForgeWorld {
  gh: GithubDouble;
  h: Harness;
  forge: Forge;
  /** The secrets that must never show up in Cadre's files, logs, events or answers. */
  secrets: string[];
  addRepo(
    fullName: string,
    options?: { collaborators?: Record<string, Permission>; name?: string; hook?: boolean },
  ): Promise<{ state: RepoState; repo: Repo }>;
  task(id: string): Promise<TaskWithAttempts>;
  tasks(): Promise<TaskWithAttempts[]>;
  stop(): Promise<void>;
}

export interface ForgeWorldOptions extends Pick<HarnessOptions, "script" | "slots" | "serverEnv" | "recordRequests"> {
  /** Sign in as a GitHub App instead of with a personal token. */
  app?: {
    id: number;
    slug: string;
    installationId: number;
    privateKeyPem: string;
    publicKeyPem: string;
    tokenLifetimeMs?: number;
  };
  /** Extra `cadre forge add` flags. */
  forgeFlags?: string[];
}

/**
 * The GitHub double, `cadre serve` with the scripted model, and a forge `gh` connected with the
 * real CLI (a token, or an app), webhooks from the double's repositories pointed at Cadre.
 */
export async function startForgeWorld(options: ForgeWorldOptions): Promise<ForgeWorld> {
  const gh = await GithubDouble.start();
  const h = await startHarness({
    script: options.script,
    fixtureRepo: false,
    slots: options.slots ?? 2,
    ...(options.serverEnv ? { serverEnv: options.serverEnv } : {}),
    ...(options.recordRequests ? { recordRequests: true } : {}),
  });
  const token = gh.createToken("cadre-bot");
  h.env = { ...h.env, GH_TOKEN: token, GH_WEBHOOK_SECRET: WEBHOOK_SECRET };
  const secrets = [token, WEBHOOK_SECRET];
  const auth: string[] = ["--token-env", "GH_TOKEN"];
  if (options.app) {
    const keyFile = join(h.home, "..", `${h.home.split("/").pop()}-app.pem`);
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(keyFile, options.app?.privateKeyPem ?? "", { mode: 0o600 }),
    );
    auth.splice(
      0,
      2,
      "--app-id",
      String(options.app.id),
      "--private-key-file",
      keyFile,
      "--installation-id",
      String(options.app.installationId),
    );
    secrets.push(options.app.privateKeyPem.split("\n")[1] ?? "");
  }
  const forgeHolder: { forge: Forge | null } = { forge: null };
  if (options.app) {
    gh.installApp({
      id: options.app.id,
      slug: options.app.slug,
      publicKeyPem: options.app.publicKeyPem,
      installationId: options.app.installationId,
      repos: [],
      webhook: { url: `${h.server.url}/api/v1/forges/gh/webhook`, secret: WEBHOOK_SECRET },
      ...(options.app.tokenLifetimeMs ? { tokenLifetimeMs: options.app.tokenLifetimeMs } : {}),
    });
  }
  forgeHolder.forge = await h.json<Forge>([
    "forge",
    "add",
    "gh",
    "--kind",
    "github",
    "--api-url",
    gh.apiUrl,
    ...auth,
    "--webhook-secret-env",
    "GH_WEBHOOK_SECRET",
    ...(options.forgeFlags ?? []),
  ]);
  const world: ForgeWorld = {
    gh,
    h,
    forge: forgeHolder.forge,
    secrets,
    async addRepo(fullName, o = {}) {
      const state = await gh.createRepo(fullName, {
        files: CALC_FILES,
        collaborators: { "cadre-bot": "write", alice: "write", bob: "read", ...o.collaborators },
      });
      if (gh.state.app) gh.state.app.repos.add(fullName);
      const name = o.name ?? fullName.split("/")[1] ?? "repo";
      const repo = await h.json<Repo>(["repo", "add", gh.cloneUrl(state), "--forge", "gh", "--name", name]);
      if (o.hook !== false && !gh.state.app) gh.addHook(state, world.forge.webhookUrl, WEBHOOK_SECRET);
      return { state, repo };
    },
    task: (id) => h.server.client.call("getTask", { params: { id } }),
    async tasks() {
      const { items } = await h.server.client.call("listTasks", { query: { limit: 100 } });
      return Promise.all(items.map((t) => world.task(t.id)));
    },
    async stop() {
      await h.stop();
      await gh.close();
    },
  };
  return world;
}

/** Every file under `dir` that contains any of `needles` (for "the token is nowhere on disk"). */
export async function filesContaining(dir: string, needles: string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const info = await stat(path).catch(() => null);
    if (!info) return;
    if (info.isDirectory()) {
      for (const entry of await readdir(path)) await walk(join(path, entry));
      return;
    }
    if (!info.isFile() || info.size > 64 * 1024 * 1024) return;
    const text = (await readFile(path)).toString("latin1");
    if (needles.some((n) => n && text.includes(n))) found.push(path);
  };
  await walk(dir);
  return found;
}

/**
 * Watches every process's argv on this machine while `during` runs; returns the argvs that held a
 * needle (a token must never be a command-line argument).
 */
export async function argvContaining(needles: string[], during: () => Promise<void>): Promise<string[]> {
  const hits: string[] = [];
  let done = false;
  const sample = async () => {
    while (!done) {
      for (const pid of await readdir("/proc").catch(() => [] as string[])) {
        if (!/^\d+$/.test(pid)) continue;
        const argv = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
        if (needles.some((n) => n && argv.includes(n))) hits.push(argv.replace(/\0/g, " "));
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const sampler = sample();
  try {
    await during();
  } finally {
    done = true;
    await sampler;
  }
  return hits;
}

export function expectNoProblems(world: ForgeWorld): void {
  expect(world.gh.problems()).toEqual([]);
}
