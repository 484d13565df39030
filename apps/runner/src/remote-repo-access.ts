import { join } from "node:path";
import { ensureCacheRepository, fetchCommits, httpHeaderEnv, missingCommits, pushRefs } from "@cadre/git";
import { CadreError, runnerGitPath } from "@cadre/protocol";
import type { RepoAccess } from "./repo-access.ts";
import { retryUnavailable } from "./retry-unavailable.ts";

/** What git says when the server could not be reached or answered 5xx: worth trying again (a 4xx is a refusal). */
function gitTransient(error: unknown): boolean {
  if (!(error instanceof CadreError) || error.code !== "git_failed") return false;
  if (/returned error: 4\d\d/.test(error.message)) return false;
  return /unable to access|returned error: 5\d\d|Connection refused|Could not resolve|timed out|Empty reply|early EOF|RPC failed/i.test(
    error.message,
  );
}

/**
 * A remote runner's repositories: a bare cache per repository under `cacheDir`, filled over git's
 * smart HTTP from the server with the runner's session (sent as a header from the git process's
 * environment only), and checkpoints pushed back to the one ref of the attempt. Fetches into one
 * cache run one at a time; what is already cached is not fetched again.
 */
export class RemoteRepoAccess implements RepoAccess {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly cacheDir: string,
    private readonly serverUrl: string,
    private readonly session: () => string,
  ) {}

  private gitDir(repoId: string): string {
    return join(this.cacheDir, "mirrors", `${repoId}.git`);
  }

  private url(repoId: string): string {
    return `${this.serverUrl.replace(/\/+$/, "")}${runnerGitPath(repoId)}`;
  }

  private env(): Record<string, string> {
    return httpHeaderEnv(this.serverUrl, `Authorization: Bearer ${this.session()}`);
  }

  private serialized<T>(repoId: string, work: () => Promise<T>): Promise<T> {
    const before = this.locks.get(repoId) ?? Promise.resolve();
    const run = before.then(work, work);
    this.locks.set(
      repoId,
      run.catch(() => undefined),
    );
    return run;
  }

  async prepare(repoId: string, commits: string[]): Promise<string> {
    const gitDir = this.gitDir(repoId);
    return this.serialized(repoId, async () => {
      await ensureCacheRepository(gitDir);
      const missing = await missingCommits(gitDir, commits);
      if (missing.length > 0)
        await retryUnavailable(
          `fetching ${repoId} from the server`,
          () => fetchCommits(gitDir, this.url(repoId), missing, { env: this.env() }),
          { isTransient: gitTransient },
        );
      return gitDir;
    });
  }

  async publish(repoId: string, ref: string, commit: string): Promise<void> {
    // Every checkpoint is one commit on the attempt's base, so the ref moves sideways: forced.
    await retryUnavailable(
      `pushing ${ref} to the server`,
      () =>
        pushRefs(this.gitDir(repoId), this.url(repoId), [{ src: commit, dst: ref, force: true }], { env: this.env() }),
      { isTransient: gitTransient },
    );
  }
}
