import { CadreError } from "@cadre/protocol";

const MAX_REF_LENGTH = 1024;
const MAX_PATH_LENGTH = 4096;

function describe(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(shown);
}

function hasControlChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Why `name` breaks a rule of `git check-ref-format` (plus Cadre's no-option rule), or null. */
function refProblem(name: string): string | null {
  if (name.length === 0) return "it is empty";
  if (name.length > MAX_REF_LENGTH) return `it is longer than ${MAX_REF_LENGTH} characters`;
  if (name.startsWith("-")) return "it starts with '-'";
  if (hasControlChar(name)) return "it contains a control character";
  if (name.includes(" ")) return "it contains a space";
  for (const ch of ["~", "^", ":", "?", "*", "[", "\\"]) {
    if (name.includes(ch)) return `it contains '${ch}'`;
  }
  if (name.includes("..")) return "it contains '..'";
  if (name.includes("@{")) return "it contains '@{'";
  if (name === "@") return "it is '@'";
  if (name.startsWith("/") || name.endsWith("/")) return "it starts or ends with '/'";
  if (name.includes("//")) return "it contains '//'";
  if (name.endsWith(".")) return "it ends with '.'";
  for (const part of name.split("/")) {
    if (part.startsWith(".")) return "a path component starts with '.'";
    if (part.endsWith(".lock")) return "a path component ends with '.lock'";
  }
  return null;
}

/**
 * Accepts a ref or revision name that is safe to hand to git: a full or short ref name following
 * `git check-ref-format` rules (one-level names such as `main` or `HEAD` allowed) or a hex object id.
 * Revision syntax (`~`, `^`, `@{…}`, `:`) and anything that could be read as an option is refused.
 */
export function assertSafeRef(ref: string): void {
  if (typeof ref !== "string") throw new CadreError("bad_request", "ref must be a string");
  const problem = refProblem(ref);
  if (problem) {
    throw new CadreError(
      "bad_request",
      `invalid ref ${describe(ref)}: ${problem}; use a branch name, tag, full ref (refs/…) or commit sha`,
    );
  }
}

/** A branch name (without `refs/heads/`) as `git check-ref-format --branch` would accept it. */
export function assertSafeBranchName(name: string): void {
  if (typeof name !== "string") throw new CadreError("bad_request", "branch name must be a string");
  let problem = refProblem(name);
  if (!problem && name === "HEAD") problem = "'HEAD' is reserved";
  if (!problem && name.startsWith("refs/")) problem = "give the branch name without the 'refs/' prefix";
  if (problem) {
    throw new CadreError(
      "bad_request",
      `invalid branch name ${describe(name)}: ${problem}; use letters, digits, '-', '_', '.' and '/' (e.g. cadre/fix-login)`,
    );
  }
}

/**
 * A repository-relative path: not absolute, no `..`/`.` segments, no empty segments, no `.git`
 * segment, no leading '-', no NUL. A single trailing '/' (a directory) is allowed.
 */
export function assertSafeRelPath(path: string): void {
  if (typeof path !== "string") throw new CadreError("bad_request", "path must be a string");
  const bad = (why: string): never => {
    throw new CadreError(
      "bad_request",
      `invalid path ${describe(path)}: ${why}; paths must be relative to the repository root`,
    );
  };
  if (path.length === 0) bad("it is empty");
  if (path.length > MAX_PATH_LENGTH) bad(`it is longer than ${MAX_PATH_LENGTH} characters`);
  if (path.includes("\0")) bad("it contains a NUL byte");
  if (path.startsWith("-")) bad("it starts with '-'");
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) bad("it is absolute");
  const body = path.endsWith("/") ? path.slice(0, -1) : path;
  for (const seg of body.split("/")) {
    if (seg === "") bad("it contains an empty segment ('//')");
    if (seg === "..") bad("it contains a '..' segment");
    if (seg === ".") bad("it contains a '.' segment");
    if (seg.toLowerCase() === ".git") bad("it points into a .git directory");
  }
}

/** A full object id (sha-1 or sha-256, lowercase hex). */
export function isFullObjectId(value: string): boolean {
  return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(value);
}

/**
 * A repository location (absolute local path or URL) that is safe to pass to git: no leading '-',
 * no control characters, and no `ext::`-style remote helpers that run commands.
 */
export function assertSafeRemote(remote: string): void {
  if (typeof remote !== "string" || remote.length === 0)
    throw new CadreError("bad_request", "repository location is empty");
  if (remote.startsWith("-"))
    throw new CadreError("bad_request", `invalid repository location ${describe(remote)}: it starts with '-'`);
  if (hasControlChar(remote))
    throw new CadreError(
      "bad_request",
      `invalid repository location ${describe(remote)}: it contains a control character`,
    );
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(remote)) {
    throw new CadreError(
      "bad_request",
      `invalid repository location ${describe(remote)}: remote helpers ('<helper>::') are not allowed; use https://, ssh://, git:// or a local path`,
    );
  }
}

/** Protocols git may use when Cadre fetches or pushes (no `ext`, no remote helpers that run commands). */
export const ALLOWED_PROTOCOLS = "file:git:http:https:ssh";
