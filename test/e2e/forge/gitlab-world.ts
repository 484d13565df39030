import type { Forge, Repo, TaskWithAttempts } from "@cadre/protocol";
import { startHarness, type Harness, type HarnessOptions } from "../../support/cadre-harness.ts";
import { GitlabDouble, type ProjectState, type Role } from "../../support/gitlab-double/index.ts";
import { CALC_FILES } from "./forge-world.ts";

export const GITLAB_SECRET = "glwh-7c1e9b2d4f6a8c0e";

export interface GitlabWorld {
  gl: GitlabDouble;
  h: Harness;
  forge: Forge;
  secrets: string[];
  addProject(path: string, members?: Record<string, Role>): Promise<{ project: ProjectState; repo: Repo }>;
  task(id: string): Promise<TaskWithAttempts>;
  tasks(): Promise<TaskWithAttempts[]>;
  stop(): Promise<void>;
}

/** The GitLab double, `cadre serve` with the scripted model, and forge `gl` added with the real CLI. */
export async function startGitlabWorld(options: Pick<HarnessOptions, "script">): Promise<GitlabWorld> {
  const gl = await GitlabDouble.start();
  const h = await startHarness({ script: options.script, fixtureRepo: false, slots: 2 });
  const token = gl.createToken("cadre-bot");
  h.env = { ...h.env, GL_TOKEN: token, GL_WEBHOOK_SECRET: GITLAB_SECRET };
  const forge = await h.json<Forge>([
    "forge",
    "add",
    "gl",
    "--kind",
    "gitlab",
    "--api-url",
    gl.apiUrl,
    "--token-env",
    "GL_TOKEN",
    "--webhook-secret-env",
    "GL_WEBHOOK_SECRET",
  ]);
  const world: GitlabWorld = {
    gl,
    h,
    forge,
    secrets: [token, GITLAB_SECRET],
    async addProject(path, members = {}) {
      const project = await gl.createProject(path, {
        files: CALC_FILES,
        members: { "cadre-bot": "maintainer", alice: "developer", bob: "reporter", ...members },
      });
      const name = path.split("/").at(-1) ?? "repo";
      const repo = await h.json<Repo>(["repo", "add", gl.cloneUrl(project), "--forge", "gl", "--name", name]);
      return { project, repo };
    },
    task: (id) => h.server.client.call("getTask", { params: { id } }),
    async tasks() {
      const { items } = await h.server.client.call("listTasks", { query: { limit: 100 } });
      return Promise.all(items.map((t) => world.task(t.id)));
    },
    async stop() {
      await h.stop();
      await gl.close();
    },
  };
  return world;
}
