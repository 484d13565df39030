import type { RepoAccess } from "./repo-access.ts";

/** The embedded runner's view: the server's mirrors themselves, so a checkpoint is published once committed. */
export class LocalRepoAccess implements RepoAccess {
  constructor(private readonly mirrorPath: (repoId: string) => string) {}

  async prepare(repoId: string): Promise<string> {
    return this.mirrorPath(repoId);
  }

  async publish(): Promise<void> {}
}
