/**
 * Where a runner reads an attempt's repository and where its checkpoints go. Remote runners keep
 * a mirror cache filled over git's smart HTTP from the server and push each checkpoint back; the
 * embedded runner works in the server's own mirrors.
 */
export interface RepoAccess {
  /** The git directory to work in, holding `commits` (fetched when missing). */
  prepare(repoId: string, commits: string[]): Promise<string>;
  /** Makes `ref` point at `commit` on the server before the checkpoint is recorded as an event. */
  publish(repoId: string, ref: string, commit: string): Promise<void>;
}
