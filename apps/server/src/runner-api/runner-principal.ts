/** A registered runner process calling with its session (or the embedded runner, in-process). */
export interface RunnerPrincipal {
  runnerId: string;
  name: string;
  /** The runner token it registered with; null for a server's embedded runner. */
  tokenId: string | null;
}

/** A runner token presented to register a process. */
export interface RunnerTokenPrincipal {
  tokenId: string;
  tokenName: string;
}
