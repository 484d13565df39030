import { z } from "zod";
import { BranchName, Id, Timestamp } from "./ids.ts";
import { ForgeName, ForgeRepoPath, RepoForge, RepoForgeSettings } from "./forge.ts";

export const Repo = z.object({
  id: Id,
  name: z.string(),
  /** Where Cadre fetches from: an absolute local path or a remote URL. */
  origin: z.string(),
  defaultBranch: z.string(),
  /** The forge the repo lives on (its pull requests, issues and checks), or null for plain git. */
  forge: RepoForge.nullable(),
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

/** A name for a new repo. Repos are found by id or name: a name shaped like an id could stand in for another repo. */
export const NewRepoName = RepoName.refine(
  (s) => !s.startsWith("repo_"),
  "a repo name may not start with 'repo_' (ids do)",
);

export const CreateRepo = z.strictObject({
  /** Absolute local path or URL (https://, ssh://, git@host:path, file://). */
  origin: z
    .string()
    .min(1)
    .max(2048)
    .refine((s) => !s.startsWith("-"), "an origin may not start with '-'"),
  name: NewRepoName.optional(),
  defaultBranch: BranchName.optional(),
  /** A connected forge (`cadre forge add`): fetch and push use its credentials, its events start work. */
  forge: ForgeName.optional(),
  /** `owner/name` on the forge; from the URL when omitted. */
  forgeRepo: ForgeRepoPath.optional(),
});
export type CreateRepo = z.infer<typeof CreateRepo>;

export const UpdateRepo = z.strictObject({ forgeSettings: RepoForgeSettings.partial().optional() });
export type UpdateRepo = z.infer<typeof UpdateRepo>;

/** "github.com/acme/app" or "git.example.org:8443/team/app": a host name (with a dot) and a path, no scheme. */
export function looksLikeHostPath(text: string): boolean {
  return /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?\/[^\s]+$/.test(text) && !text.startsWith(".");
}
