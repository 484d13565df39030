import { z } from "zod";

export const FileStat = z.object({
  path: z.string(),
  /** Set for renames and copies. */
  oldPath: z.string().nullable(),
  status: z.enum(["added", "modified", "deleted", "renamed", "copied", "type_changed"]),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  binary: z.boolean(),
  oldMode: z.string().nullable(),
  newMode: z.string().nullable(),
});
export type FileStat = z.infer<typeof FileStat>;

export const Diff = z.object({
  base: z.string(),
  head: z.string(),
  files: z.array(FileStat),
  totalFiles: z.number().int(),
  additions: z.number().int(),
  deletions: z.number().int(),
  /** Unified diff (git format, with binary patches) of the files on this page. */
  patch: z.string(),
  /** Cursor for the next page of files, or null when this is the last. */
  nextCursor: z.string().nullable(),
});
export type Diff = z.infer<typeof Diff>;
