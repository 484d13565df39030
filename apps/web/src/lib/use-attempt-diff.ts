import { useEffect, useState } from "react";
import type { FileStat } from "@cadre/protocol";
import { useApi } from "./api-context.tsx";
import { errorMessage } from "./error-message.ts";
import { parseUnifiedDiff, type DiffFile } from "./unified-diff.ts";

export interface AttemptDiff {
  files: DiffFile[];
  stats: Map<string, FileStat>;
  totalFiles: number;
  additions: number;
  deletions: number;
  head: string;
  loading: boolean;
  error: string | null;
}

const EMPTY: AttemptDiff = {
  files: [],
  stats: new Map(),
  totalFiles: 0,
  additions: 0,
  deletions: 0,
  head: "",
  loading: true,
  error: null,
};
/** Files per page: the first page shows quickly, the rest stream in behind it. */
const PAGE = 400;

/**
 * An attempt's diff against the task's base (or one turn's, or against another attempt's head),
 * loaded page by page. `key` reloads it (e.g. after a new turn).
 */
export function useAttemptDiff(
  attemptId: string | null,
  key: string,
  turn: number | null = null,
  against: string | null = null,
): AttemptDiff {
  const { client, check } = useApi();
  const [diff, setDiff] = useState<AttemptDiff>(EMPTY);
  useEffect(() => {
    setDiff(EMPTY);
    if (!attemptId) return;
    let live = true;
    void (async () => {
      let cursor: string | undefined;
      let files: DiffFile[] = [];
      const stats = new Map<string, FileStat>();
      try {
        do {
          const page = await client.call("attemptDiff", {
            params: { id: attemptId },
            query: {
              limit: PAGE,
              ...(cursor ? { cursor } : {}),
              ...(turn ? { turn } : {}),
              ...(against ? { against } : {}),
            },
          });
          if (!live) return;
          files = files.concat(parseUnifiedDiff(page.patch));
          for (const s of page.files) stats.set(s.path, s);
          cursor = page.nextCursor ?? undefined;
          setDiff({
            files,
            stats,
            totalFiles: page.totalFiles,
            additions: page.additions,
            deletions: page.deletions,
            head: page.head,
            loading: Boolean(cursor),
            error: null,
          });
        } while (cursor && live);
      } catch (e) {
        if (!live) return;
        check(e);
        setDiff((d) => ({ ...d, loading: false, error: errorMessage(e) }));
      }
    })();
    return () => {
      live = false;
    };
  }, [attemptId, key, turn, against, client, check]);
  return diff;
}
