import { commitTree, matchSelection, parsePatch, selectPatch, treeOf, treeWithPatch, type PatchFile } from "@cadre/git";
import { CadreError, describeSelection, type HunkSelection, type SelectionCounts } from "@cadre/protocol";
import { wholeChange } from "./attempt-change.ts";
import { deliveryMessage } from "./commit-message.ts";
import type { DeliveryIdentities } from "./delivery-identity.ts";

/** What of a task and its attempt the delivered commit is made from. */
export interface DeliverySource {
  taskId: string;
  title: string;
  /** The attempt's base (its own after a rebase, else the task's). */
  base: string;
  /** The attempt's latest checkpoint. */
  head: string;
  attemptIndex: number;
  summary: string | null;
}

export interface DeliveryContentInput {
  gitDir: string;
  source: DeliverySource;
  /** Only these hunks (omitted: the whole attempt). */
  selection?: HunkSelection | undefined;
  identities: DeliveryIdentities;
  /** The delivered commit's parent (default: the attempt's base). Its tree does not matter: the content is absolute. */
  parent?: string | undefined;
}

export interface DeliveryContent {
  /** One commit: the chosen content, the task's title as subject, its summary as body, a `Cadre-Task` trailer. */
  commit: string;
  tree: string;
  parent: string;
  message: string;
  /** How much of the change it holds; absent when it is all of it. */
  selected?: SelectionCounts;
}

function stale(source: DeliverySource, why: string): CadreError {
  return new CadreError(
    "conflict",
    `the selection no longer matches attempt ${source.attemptIndex} of ${source.taskId} (${why}): the change moved on since the hunks were chosen; choose them again from the current diff. Nothing was changed`,
  );
}

function parseSelection(source: DeliverySource, selection: HunkSelection): PatchFile[] {
  if (selection.head && selection.head !== source.head)
    throw stale(
      source,
      `it was cut from ${selection.head.slice(0, 12)}, the attempt is now at ${source.head.slice(0, 12)}`,
    );
  let chosen: PatchFile[];
  try {
    chosen = parsePatch(selection.patch);
  } catch (error) {
    throw new CadreError(
      "bad_request",
      `the selection is not a valid patch (${error instanceof Error ? error.message : String(error)}): send the accepted hunks as git diff text`,
    );
  }
  if (chosen.length === 0)
    throw new CadreError("bad_request", "the selection holds no file changes: accept at least one hunk");
  return chosen;
}

/** The tree with only the chosen hunks, and how much of the change that is (undefined: all of it). */
async function selectedTree(
  gitDir: string,
  source: DeliverySource,
  selection: HunkSelection,
): Promise<{ tree: string; selected?: SelectionCounts }> {
  const chosen = parseSelection(source, selection);
  const change = await wholeChange(gitDir, source.base, source.head);
  const match = matchSelection(change, chosen);
  if (match.unmatched.length > 0) throw stale(source, match.unmatched.slice(0, 3).join("; "));
  if (match.whole) return { tree: await treeOf(gitDir, source.head) };
  // Cadre's own hunks of the change, never the client's text, make the content.
  const tree = await treeWithPatch(gitDir, source.base, selectPatch(change, match.selection)).catch(
    (error: unknown) => {
      throw stale(source, error instanceof Error ? error.message : String(error));
    },
  );
  return { tree, selected: match.counts };
}

/**
 * The delivery content of an attempt: one commit holding the whole attempt or only the selected
 * hunks, authored by the task's creator and committed by Cadre, on `parent` (default the base).
 * It moves no ref and pushes nothing: merge, push-branch and pull-request delivery start here.
 * A selection that is not a part of the attempt's current change is refused as stale.
 */
export async function deliveryContent(input: DeliveryContentInput): Promise<DeliveryContent> {
  const { gitDir, source } = input;
  const { tree, selected } = input.selection
    ? await selectedTree(gitDir, source, input.selection)
    : { tree: await treeOf(gitDir, source.head) };
  const note = selected
    ? `Delivers ${describeSelection(selected)} of the change Cadre's attempt ${source.attemptIndex} made.`
    : undefined;
  const message = deliveryMessage({ title: source.title, summary: source.summary, note, taskId: source.taskId });
  const parent = input.parent ?? source.base;
  const commit = await commitTree(gitDir, {
    tree,
    parents: [parent],
    message,
    author: input.identities.author,
    committer: input.identities.committer,
  });
  return { commit, tree, parent, message, ...(selected ? { selected } : {}) };
}
