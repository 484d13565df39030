import type { Forge, Repo, TaskWithAttempts } from "@cadre/protocol";
import { startHarness, type Harness, type HarnessOptions } from "../../support/cadre-harness.ts";
import { GiteaDouble, type Permission, type RepoState } from "../../support/gitea-double/index.ts";
import { CALC_FILES } from "./forge-world.ts";

export const GITEA_SECRET = "gtwh-3b5d7f9a1c2e4f60";

export interface GiteaWorld {
  gt: GiteaDouble;
  h: Harness;
  forge: Forge;
  secrets: string[];
  addRepo(fullName: string, collaborators?: Record<string, Permission>): Promise<{ repo: RepoState; cadreRepo: Repo }>;
  task(id: string): Promise<TaskWithAttempts>;
  tasks(): Promise<TaskWithAttempts[]>;
  stop(): Promise<void>;
}

/**
 * The Gitea double (or, with `flavor: "forgejo"`, sending Forgejo's headers), `cadre serve` with the
 * scripted model, and forge `gt` added with the real CLI.
 */
export async function startGiteaWorld(
  options: Pick<HarnessOptions, "script"> & { flavor?: "gitea" | "forgejo" },
): Promise<GiteaWorld> {
  const gt = await GiteaDouble.start({ flavor: options.flavor ?? "gitea" });
  const h = await startHarness({ script: options.script, fixtureRepo: false, slots: 2 });
  const token = gt.createToken("cadre-bot");
  h.env = { ...h.env, GT_TOKEN: token, GT_WEBHOOK_SECRET: GITEA_SECRET };
  const forge = await h.json<Forge>([
    "forge",
    "add",
    "gt",
    "--kind",
    "gitea",
    "--api-url",
    gt.apiUrl,
    "--token-env",
    "GT_TOKEN",
    "--webhook-secret-env",
    "GT_WEBHOOK_SECRET",
  ]);
  const world: GiteaWorld = {
    gt,
    h,
    forge,
    secrets: [token, GITEA_SECRET],
    async addRepo(fullName, collaborators = {}) {
      const repo = await gt.createRepo(fullName, {
        files: CALC_FILES,
        collaborators: { "cadre-bot": "admin", alice: "write", bob: "read", ...collaborators },
      });
      const name = fullName.split("/").at(-1) ?? "repo";
      const cadreRepo = await h.json<Repo>(["repo", "add", gt.cloneUrl(repo), "--forge", "gt", "--name", name]);
      return { repo, cadreRepo };
    },
    task: (id) => h.server.client.call("getTask", { params: { id } }),
    async tasks() {
      const { items } = await h.server.client.call("listTasks", { query: { limit: 100 } });
      return Promise.all(items.map((t) => world.task(t.id)));
    },
    async stop() {
      await h.stop();
      await gt.close();
    },
  };
  return world;
}
