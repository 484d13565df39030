import { z } from "zod";
import type { ChangeRequest, ForgeComment, ForgePermission, ForgeUser } from "../forge-model.ts";

/**
 * The fields of GitLab's REST objects Cadre reads (docs.gitlab.com/api/: users, projects, notes,
 * merge_requests, discussions, jobs), checked where they cross into Cadre.
 */
export const GlUser = z.object({ id: z.number(), username: z.string(), bot: z.boolean().optional() });
export const GlNote = z.object({
  id: z.number(),
  body: z.string(),
  author: GlUser,
  created_at: z.string(),
  system: z.boolean().optional(),
  type: z.string().nullable().optional(),
  position: z
    .object({ new_path: z.string().nullable().optional(), new_line: z.number().nullable().optional() })
    .nullable()
    .optional(),
});
export const GlIssue = z.object({
  iid: z.number(),
  title: z.string(),
  description: z.string().nullable().optional(),
  author: GlUser,
  web_url: z.string(),
  created_at: z.string(),
});
export const GlMergeRequest = z.object({
  iid: z.number(),
  web_url: z.string(),
  title: z.string(),
  description: z.string().nullable().optional(),
  state: z.string(),
  draft: z.boolean().optional(),
  author: GlUser,
  source_branch: z.string(),
  target_branch: z.string(),
  source_project_id: z.number(),
  target_project_id: z.number(),
  sha: z.string().nullable().optional(),
  diff_refs: z
    .object({ base_sha: z.string().nullable(), head_sha: z.string().nullable(), start_sha: z.string().nullable() })
    .nullable()
    .optional(),
});
export const GlProject = z.object({
  id: z.number(),
  path_with_namespace: z.string(),
  default_branch: z.string().nullable().optional(),
  http_url_to_repo: z.string(),
  web_url: z.string(),
  permissions: z
    .object({
      project_access: z.object({ access_level: z.number() }).nullable().optional(),
      group_access: z.object({ access_level: z.number() }).nullable().optional(),
    })
    .optional(),
});

/** GitLab's access levels (docs.gitlab.com/api/members/#roles). */
export const ACCESS = { guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;

/** Developer may push and is who may start work (Cadre's `write`); Maintainer and Owner administer. */
export function permissionOf(level: number): ForgePermission {
  if (level >= ACCESS.maintainer) return "admin";
  if (level >= ACCESS.developer) return "write";
  if (level > 0) return "read";
  return "none";
}

export function toUser(user: { username: string; bot?: boolean | undefined }): ForgeUser {
  return { login: user.username, isBot: user.bot === true };
}

/** A note as a Cadre comment; a note on a diff line (a DiffNote) carries its file and new line. */
export function toComment(note: z.infer<typeof GlNote>, threadUrl: string): ForgeComment {
  const file = note.type === "DiffNote" ? (note.position?.new_path ?? undefined) : undefined;
  const line = file ? (note.position?.new_line ?? undefined) : undefined;
  return {
    id: String(note.id),
    kind: file ? "review_comment" : "comment",
    author: toUser(note.author),
    body: note.body,
    url: `${threadUrl}#note_${note.id}`,
    createdAt: note.created_at,
    ...(file ? { file } : {}),
    ...(line ? { line } : {}),
  };
}

const STATES: Record<string, ChangeRequest["state"]> = { opened: "open", merged: "merged", closed: "closed" };

export function toChangeRequest(mr: z.infer<typeof GlMergeRequest>, repoPath: string): ChangeRequest {
  const head = mr.diff_refs?.head_sha ?? mr.sha ?? "";
  return {
    number: mr.iid,
    url: mr.web_url,
    title: mr.title,
    body: mr.description ?? "",
    state: STATES[mr.state] ?? "closed",
    draft: mr.draft ?? false,
    author: toUser(mr.author),
    // A fork's merge request names its source project by id only; Cadre pushes only to its own.
    head: {
      branch: mr.source_branch,
      commit: head,
      repoPath: mr.source_project_id === mr.target_project_id ? repoPath : `project-${mr.source_project_id}`,
    },
    base: { branch: mr.target_branch, commit: mr.diff_refs?.base_sha ?? "" },
  };
}
