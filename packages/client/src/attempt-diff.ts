import type { FileStat } from "@cadre/protocol";
import type { CadreClient } from "./cadre-client.ts";

export interface WholeDiff {
  base: string;
  head: string;
  files: FileStat[];
  totalFiles: number;
  additions: number;
  deletions: number;
  patch: string;
}

/** An attempt's whole diff (or one turn's), following the server's file pages to the end. */
export async function fetchWholeDiff(
  client: CadreClient,
  attemptId: string,
  opts: { turn?: number | undefined } = {},
): Promise<WholeDiff> {
  const out: WholeDiff = { base: "", head: "", files: [], totalFiles: 0, additions: 0, deletions: 0, patch: "" };
  let cursor: string | undefined;
  do {
    const page = await client.call("attemptDiff", {
      params: { id: attemptId },
      query: { limit: 1000, ...(opts.turn ? { turn: opts.turn } : {}), ...(cursor ? { cursor } : {}) },
    });
    out.files.push(...page.files);
    out.patch += page.patch;
    Object.assign(out, {
      base: page.base,
      head: page.head,
      totalFiles: page.totalFiles,
      additions: page.additions,
      deletions: page.deletions,
    });
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}
