/**
 * What the agent needs from a sandbox. The agent knows nothing else of where it runs:
 * @cadre/sandbox's Workspace satisfies this interface structurally, and tests may use any
 * implementation. Paths are relative to the workspace root (`/workspace` inside the sandbox).
 */
export interface ExecOptions {
  /** Working directory relative to the workspace root. */
  cwd?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Live output, in arrival order, already redacted. */
  onOutput?: (stream: "stdout" | "stderr", chunk: string) => void;
}

export interface ExecResult {
  /** null when killed by a signal or timeout. */
  exitCode: number | null;
  timedOut: boolean;
  cancelled: boolean;
  /** stdout and stderr interleaved as they arrived, capped: head and tail kept. */
  output: string;
  truncated: boolean;
  totalBytes: number;
  durationMs: number;
  /** The sandbox limit that stopped or hampered the command, when the sandbox can tell (e.g. "killed: memory limit 512 MB"). */
  limit?: string;
}

export interface FileStatInfo {
  type: "file" | "dir" | "symlink" | "other";
  size: number;
  executable: boolean;
}

export interface AgentSandbox {
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** null when the file does not exist. Refuses paths that leave the workspace (also via symlinks). */
  readFile(path: string): Promise<Buffer | null>;
  writeFile(path: string, data: Buffer | string, opts?: { executable?: boolean }): Promise<void>;
  deleteFile(path: string): Promise<void>;
  stat(path: string): Promise<FileStatInfo | null>;
  /** Whether writes are refused (ask mode). */
  readonly readOnly: boolean;
  /** The environment's time limit per command: the default and the ceiling of every exec. */
  readonly commandTimeoutMs?: number;
}
