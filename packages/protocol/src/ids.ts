import { z } from "zod";

/** Ids are short prefixed random strings, e.g. `task_3k9x...`; never user text. */
export const Id = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[a-z]+_[A-Za-z0-9]+$/, "must be a Cadre id such as task_abc123");

export const Timestamp = z.string().describe("ISO-8601 timestamp");

/**
 * A git ref or commit-ish given by a user. Refused if it could be read as a git option
 * or breaks git's ref rules; the git package checks again before any command runs.
 */
export const GitRef = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => !s.startsWith("-"), "a ref may not start with '-'")
  .refine((s) => /^[A-Za-z0-9._/\-~^@{}]+$/.test(s), "a ref may contain only letters, digits and ._/-~^@{}")
  .refine(
    (s) => !s.includes("..") && !s.includes("//") && !s.endsWith("/") && !s.endsWith(".lock") && !s.endsWith("."),
    "not a valid git ref name",
  )
  .refine(
    (s) => !s.includes("@{") || /^[A-Za-z0-9._/-]*@\{[0-9]+\}$/.test(s),
    "reflog syntax other than name@{N} is not accepted",
  );

export const BranchName = GitRef.refine((s) => !/[~^{}@]/.test(s), "a branch name may not contain ~ ^ { } @");

/** A path relative to the repository root; never absolute, never leaving the tree. */
export const RepoPath = z
  .string()
  .min(1)
  .max(4096)
  .refine(
    (s) => !s.startsWith("/") && !s.startsWith("-"),
    "a path must be relative to the repository root and not start with '-'",
  )
  .refine((s) => !s.split("/").some((seg) => seg === ".."), "a path may not contain '..'")
  .refine((s) => !s.includes("\0"), "a path may not contain NUL");

/** `provider/model`, e.g. `openai/gpt-5-codex` or `local/qwen3-coder`. */
export const ModelName = z
  .string()
  .max(200)
  .regex(/^[a-z0-9][a-z0-9_-]*\/[^\s]+$/, "a model is named provider/model, e.g. openai/gpt-5-codex");
