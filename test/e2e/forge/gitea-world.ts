import type { Repo } from "@cadre/protocol";
import type { HarnessOptions } from "../../support/cadre-harness.ts";
import { GiteaDouble, type Permission, type RepoState } from "../../support/gitea-double/index.ts";
import { startDoubleWorld, type DoubleWorld } from "./double-world.ts";
import { CALC_FILES } from "./forge-world.ts";

export const GITEA_SECRET = "gtwh-3b5d7f9a1c2e4f60";

export interface GiteaWorld extends DoubleWorld<RepoState, Permission> {
  gt: GiteaDouble;
  addRepo(fullName: string, collaborators?: Record<string, Permission>): Promise<{ repo: RepoState; cadreRepo: Repo }>;
}

/**
 * The Gitea double (or, with `flavor: "forgejo"`, sending Forgejo's headers), `cadre serve` with the
 * scripted model, and forge `gt` added with the real CLI.
 */
export async function startGiteaWorld(
  options: Pick<HarnessOptions, "script"> & { flavor?: "gitea" | "forgejo" },
): Promise<GiteaWorld> {
  const gt = await GiteaDouble.start({ flavor: options.flavor ?? "gitea" });
  const world = await startDoubleWorld<RepoState, Permission>({
    script: options.script,
    double: gt,
    kind: "gitea",
    name: "gt",
    secret: GITEA_SECRET,
    create: (fullName, collaborators) =>
      gt.createRepo(fullName, {
        files: CALC_FILES,
        collaborators: { "cadre-bot": "admin", alice: "write", bob: "read", ...collaborators },
      }),
  });
  return {
    ...world,
    gt,
    async addRepo(fullName, collaborators) {
      const { place, repo } = await world.add(fullName, collaborators);
      return { repo: place, cadreRepo: repo };
    },
  };
}
