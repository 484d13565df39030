import type { CadreClient } from "@cadre/client";
import type { FileStat } from "@cadre/protocol";

export interface AttemptPatch {
  files: FileStat[];
  patch: string;
  additions: number;
  deletions: number;
}

/** The whole unified diff of an attempt (or of one turn), following the server's file pages. */
export async function fetchAttemptPatch(client: CadreClient, attemptId: string, turn?: number): Promise<AttemptPatch> {
  const out: AttemptPatch = { files: [], patch: "", additions: 0, deletions: 0 };
  let cursor: string | undefined;
  do {
    const page = await client.call("attemptDiff", { params: { id: attemptId }, query: { limit: 1000, ...(turn ? { turn } : {}), ...(cursor ? { cursor } : {}) } });
    out.files.push(...page.files);
    out.patch += page.patch;
    out.additions = page.additions;
    out.deletions = page.deletions;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}
