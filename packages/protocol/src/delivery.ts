import { z } from "zod";
import { Id, Timestamp } from "./ids.ts";
import { ForgeKind } from "./forge.ts";
import { changeRequestName, forgeNouns } from "./forge-nouns.ts";

/** A full object id as git prints it (SHA-1 or SHA-256). */
export const CommitId = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "must be a full commit id (40 hex digits)");

/** How much of a change a delivery or a local pull took; whole-file changes count as one hunk. */
export const SelectionCounts = z
  .strictObject({
    hunks: z.number().int().min(0),
    totalHunks: z.number().int().min(0),
    files: z.number().int().min(0),
    totalFiles: z.number().int().min(0),
  })
  .refine((c) => c.hunks <= c.totalHunks && c.files <= c.totalFiles, "a selection cannot hold more than the change");
export type SelectionCounts = z.infer<typeof SelectionCounts>;

/** Set on deliveries made from part of a change; absent when the whole attempt was delivered. */
const Selected = { selected: SelectionCounts.optional() };
/** The attempt's checkpoint the delivered commit was cut from (follow-ups are delivered relative to it). */
const AttemptHead = { attemptHead: z.string().optional() };

export const Delivery = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("merge"), branch: z.string(), commit: z.string(), ...AttemptHead, ...Selected }),
  z.object({ kind: z.literal("push_branch"), branch: z.string(), commit: z.string(), ...AttemptHead, ...Selected }),
  z.object({ kind: z.literal("pulled_locally"), ...Selected }),
  /** Pushed to `branch` and opened as a pull (merge) request on the repo's forge; its state follows the forge. */
  z.object({
    kind: z.literal("pull_request"),
    forge: z.string(),
    /** Names it as the forge does ("merge request !4"); absent on records from before it was kept. */
    forgeKind: ForgeKind.optional(),
    number: z.number().int(),
    url: z.string(),
    branch: z.string(),
    commit: z.string(),
    state: z.enum(["open", "merged", "closed"]),
    ...AttemptHead,
    ...Selected,
  }),
]);
export type Delivery = z.infer<typeof Delivery>;

/** Largest selection patch accepted (bodies are capped at 1 MiB). */
export const MAX_SELECTION_PATCH = 1_000_000;

/**
 * The hunks to deliver: a git patch of accepted hunks against the attempt's base, in the format
 * `git diff` writes and `cadre apply --patch` takes. Every file and hunk in it must be one of the
 * attempt's own (line numbers may shift where earlier hunks were skipped); anything else, or a
 * `head` other than the attempt's current head, is refused as stale.
 */
export const HunkSelection = z.strictObject({
  patch: z.string().min(1, "the selection patch is empty: accept at least one hunk").max(MAX_SELECTION_PATCH),
  /** The attempt head the patch was cut from (the diff's `head`). */
  head: CommitId.optional(),
});
export type HunkSelection = z.infer<typeof HunkSelection>;

/** Part of a change pulled into a local working tree: recorded, while the review stays pending. */
export const PartialPull = z.object({
  attemptId: Id,
  selected: SelectionCounts,
  by: z.string(),
  at: Timestamp,
});
export type PartialPull = z.infer<typeof PartialPull>;

/** "2 of 3 hunks in 1 of 2 files" (the words the web dialog, the CLI and the record use). */
export function describeSelection(c: SelectionCounts): string {
  const hunks = `${c.hunks} of ${c.totalHunks} hunk${c.totalHunks === 1 ? "" : "s"}`;
  return `${hunks} in ${c.files} of ${c.totalFiles} file${c.totalFiles === 1 ? "" : "s"}`;
}

/** "merged into main (abc123def456): 2 of 3 hunks in 1 of 2 files", for the CLI and the editor. */
export function describeDelivery(d: Delivery): string {
  const part = d.selected ? `: ${describeSelection(d.selected)}` : "";
  if (d.kind === "pulled_locally") return `pulled into a local working tree${part}`;
  if (d.kind === "pull_request")
    return `${changeRequestName(forgeNouns(d.forgeKind), d.number)} (${d.state}) from ${d.branch} (${d.commit.slice(0, 12)})${part}`;
  return `${d.kind === "merge" ? "merged into" : "pushed as"} ${d.branch} (${d.commit.slice(0, 12)})${part}`;
}
