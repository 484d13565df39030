import type { Repo } from "@cadre/protocol";
import type { HarnessOptions } from "../../support/cadre-harness.ts";
import { GitlabDouble, type ProjectState, type Role } from "../../support/gitlab-double/index.ts";
import { startDoubleWorld, type DoubleWorld } from "./double-world.ts";
import { CALC_FILES } from "./forge-world.ts";

export const GITLAB_SECRET = "glwh-7c1e9b2d4f6a8c0e";

export interface GitlabWorld extends DoubleWorld<ProjectState, Role> {
  gl: GitlabDouble;
  addProject(path: string, members?: Record<string, Role>): Promise<{ project: ProjectState; repo: Repo }>;
}

/** The GitLab double, `cadre serve` with the scripted model, and forge `gl` added with the real CLI. */
export async function startGitlabWorld(options: Pick<HarnessOptions, "script">): Promise<GitlabWorld> {
  const gl = await GitlabDouble.start();
  const world = await startDoubleWorld<ProjectState, Role>({
    script: options.script,
    double: gl,
    kind: "gitlab",
    name: "gl",
    secret: GITLAB_SECRET,
    create: (path, members) =>
      gl.createProject(path, {
        files: CALC_FILES,
        members: { "cadre-bot": "maintainer", alice: "developer", bob: "reporter", ...members },
      }),
  });
  return {
    ...world,
    gl,
    async addProject(path, members) {
      const { place, repo } = await world.add(path, members);
      return { project: place, repo };
    },
  };
}
