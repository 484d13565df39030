import { gitPathBytes, type GitPath } from "./git-path.ts";

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const SPACE = 0x20;
const COLON = 0x3a;

const lower = (byte: number | undefined): number | undefined =>
  byte !== undefined && byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;

/** Whether `bytes` at `at` starts with the ASCII `word`, ignoring case. */
function startsWithIgnoringCase(bytes: Buffer, at: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (lower(bytes[at + i]) !== word.charCodeAt(i)) return false;
  return true;
}

/** From `at`, only spaces and dots up to the end or one of the `stops` bytes. */
function onlySpacesAndDots(bytes: Buffer, at: number, stops: number[]): boolean {
  for (let i = at; ; i++) {
    const byte = bytes[i];
    if (byte === undefined || stops.includes(byte)) return true;
    if (byte !== SPACE && byte !== DOT) return false;
  }
}

/** `.git` or its 8.3 short name `git~1`, as NTFS reads them (git's is_ntfs_dotgit). */
function ntfsDotGit(bytes: Buffer, at: number): boolean {
  const stops = [SLASH, BACKSLASH, COLON];
  if (startsWithIgnoringCase(bytes, at, ".git")) return onlySpacesAndDots(bytes, at + 4, stops);
  if (startsWithIgnoringCase(bytes, at, "git~1")) return onlySpacesAndDots(bytes, at + 5, stops);
  return false;
}

/** `.gitmodules` or one of its NTFS short names (git's is_ntfs_dotgitmodules). */
function ntfsDotGitmodules(bytes: Buffer, at: number): boolean {
  const stops = [COLON];
  if (startsWithIgnoringCase(bytes, at, ".gitmodules")) return onlySpacesAndDots(bytes, at + 11, stops);
  const tilde = bytes[at + 6] === 0x7e;
  const digit = bytes[at + 7];
  if (startsWithIgnoringCase(bytes, at, "gitmod") && tilde && digit !== undefined && digit >= 0x31 && digit <= 0x34)
    return onlySpacesAndDots(bytes, at + 8, stops);
  return fallbackShortName(bytes, at, "gi7eba") && onlySpacesAndDots(bytes, at + 8, stops);
}

/** An 8.3 fall-back short name: up to six characters of `prefix`, '~', then digits, eight bytes in all. */
function fallbackShortName(bytes: Buffer, at: number, prefix: string): boolean {
  let sawTilde = false;
  for (let i = 0; i < 8; i++) {
    const byte = bytes[at + i];
    if (byte === undefined) return false;
    if (sawTilde) {
      if (byte < 0x30 || byte > 0x39) return false;
    } else if (byte === 0x7e) {
      const next = bytes[at + ++i];
      if (next === undefined || next < 0x31 || next > 0x39) return false;
      sawTilde = true;
    } else if (i >= 6 || byte >= 0x80 || lower(byte) !== prefix.charCodeAt(i)) return false;
  }
  return true;
}

/** What git's verify_dotfile refuses after a component's leading dot: ".", "..", ".git" (and symlinked ".gitmodules"). */
function badDotComponent(bytes: Buffer, at: number, symlink: boolean): string | null {
  const next = bytes[at + 1];
  if (next === undefined || next === SLASH) return "the path has a '.' segment";
  if (next === DOT && (bytes[at + 2] === undefined || bytes[at + 2] === SLASH)) return "the path has a '..' segment";
  if (startsWithIgnoringCase(bytes, at, ".git")) {
    const after = bytes[at + 4];
    if (after === undefined || after === SLASH) return "the path goes into a .git directory";
    if (symlink && startsWithIgnoringCase(bytes, at + 4, "modules")) {
      const end = bytes[at + 11];
      if (end === undefined || end === SLASH) return "git does not store .gitmodules as a symbolic link";
    }
  }
  return null;
}

/**
 * Why git would refuse to put `path` in an index or tree (its verify_path rules with the defaults
 * on Linux: core.protectNTFS on, core.protectHFS off), or null when git can store it. A test asks
 * git itself about each awkward name so the two stay in step.
 */
export function unstorablePathReason(path: GitPath, mode: "100644" | "100755" | "120000"): string | null {
  const bytes = gitPathBytes(path);
  const symlink = mode === "120000";
  if (bytes.includes(0)) return "the path contains a NUL byte";
  for (let at = 0; at <= bytes.length; at++) {
    const componentStart = at === 0 || bytes[at - 1] === SLASH;
    const checked = componentStart || bytes[at - 1] === BACKSLASH;
    if (!checked) continue;
    if (ntfsDotGit(bytes, at)) return "the path goes into a .git directory (as Windows reads the name)";
    if (symlink && ntfsDotGitmodules(bytes, at)) return "git does not store .gitmodules as a symbolic link";
    if (!componentStart) continue;
    const byte = bytes[at];
    if (byte === undefined) return bytes.length === 0 ? "the path is empty" : "the path ends with '/'";
    if (byte === SLASH) return at === 0 ? "the path is absolute" : "the path has an empty segment";
    if (byte === DOT) {
      const reason = badDotComponent(bytes, at, symlink);
      if (reason) return reason;
    }
  }
  return null;
}
