import { useCallback, useEffect, useState } from "react";
import type { SelectionCounts } from "@cadre/protocol";
import type { AttemptDiff } from "./use-attempt-diff.ts";
import type { DiffFile } from "./unified-diff.ts";
import { buildPatch, countSelection, type HunkSelection } from "./build-patch.ts";

/** The hunks a reviewer skipped in the whole diff of one attempt head, with the files they refer to. */
export interface HunkPick {
  attemptId: string;
  head: string;
  files: readonly DiffFile[];
  /** Every page of the diff is in `files`. */
  complete: boolean;
  skipped: HunkSelection;
}

/** What Approve delivers: the whole change, or a patch of the accepted hunks with its counts. */
export type ApproveChoice =
  | { kind: "whole"; counts: SelectionCounts | null }
  | { kind: "part"; counts: SelectionCounts; patch: string; head: string }
  | { kind: "none" }
  | { kind: "loading" };

const NOTHING_SKIPPED: HunkSelection = new Map();

export function approveChoice(pick: HunkPick | null): ApproveChoice {
  if (!pick) return { kind: "whole", counts: null };
  if (!pick.complete) return { kind: "loading" };
  const counts = countSelection(pick.files, pick.skipped);
  if (counts.hunks === 0) return { kind: "none" };
  if (counts.hunks === counts.totalHunks) return { kind: "whole", counts };
  return { kind: "part", counts, patch: buildPatch(pick.files, pick.skipped), head: pick.head };
}

/**
 * The accept/skip choice of the attempt's whole diff, kept across tabs so Approve can deliver
 * it. A new head (a follow-up finished) starts over: the hunks are no longer the same.
 */
export function useHunkPick(attemptId: string, head: string | null, diff: AttemptDiff, wholeDiff: boolean) {
  const [pick, setPick] = useState<HunkPick | null>(null);
  const current = pick && pick.attemptId === attemptId && pick.head === head ? pick : null;
  // More pages of the same diff arrived: the choice now covers them too (they start accepted).
  useEffect(() => {
    if (!wholeDiff || !diff.head) return;
    setPick((p) =>
      p && p.attemptId === attemptId && p.head === diff.head && p.files !== diff.files
        ? { ...p, files: diff.files, complete: !diff.loading }
        : p,
    );
  }, [attemptId, diff, wholeDiff]);
  const setSkipped = useCallback(
    (skipped: HunkSelection) => {
      if (!wholeDiff || !diff.head) return;
      setPick({ attemptId, head: diff.head, files: diff.files, complete: !diff.loading, skipped });
    },
    [attemptId, diff, wholeDiff],
  );
  const skipped = current && wholeDiff && diff.head === current.head ? current.skipped : NOTHING_SKIPPED;
  return { pick: current, skipped, setSkipped };
}
