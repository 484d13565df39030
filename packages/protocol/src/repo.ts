import { z } from "zod";
import { BranchName, Id, Timestamp } from "./ids.ts";

export const Repo = z.object({
  id: Id,
  name: z.string(),
  /** Where Cadre fetches from: an absolute local path or a remote URL. */
  origin: z.string(),
  defaultBranch: z.string(),
  createdAt: Timestamp,
});
export type Repo = z.infer<typeof Repo>;

export const RepoName = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    "a repo name may contain letters, digits, '.', '_' and '-', and must start with a letter or digit",
  );

export const CreateRepo = z.strictObject({
  /** Absolute local path or URL (https://, ssh://, git@host:path, file://). */
  origin: z
    .string()
    .min(1)
    .max(2048)
    .refine((s) => !s.startsWith("-"), "an origin may not start with '-'"),
  name: RepoName.optional(),
  defaultBranch: BranchName.optional(),
});
export type CreateRepo = z.infer<typeof CreateRepo>;
