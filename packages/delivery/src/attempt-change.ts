import { diffCommits, MAX_DIFF_PAGE, parsePatch, type PatchFile } from "@cadre/git";

/**
 * The whole change between two commits as parsed files, page by page through the same
 * `diffCommits` the diff route serves, so its hunks are exactly the ones a reviewer was shown.
 */
export async function wholeChange(gitDir: string, base: string, head: string): Promise<PatchFile[]> {
  const files: PatchFile[] = [];
  let cursor: string | null = null;
  do {
    const page = await diffCommits({ gitDir, base, head, cursor, limit: MAX_DIFF_PAGE });
    files.push(...parsePatch(page.patch));
    cursor = page.nextCursor;
  } while (cursor);
  return files;
}
