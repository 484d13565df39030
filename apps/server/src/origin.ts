import { stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { CadreError } from "@cadre/protocol";

/**
 * Normalises a repo origin: an existing local directory (made absolute) or a URL of a transport
 * that only fetches. `ext::` and `fd::` are refused: they make git run commands.
 */
export async function normalizeOrigin(origin: string, cwd = process.cwd()): Promise<string> {
  if (/^(https?|ssh|git):\/\/[^\s]+$/.test(origin) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/.test(origin))
    return origin;
  let path = origin;
  if (origin.startsWith("file://")) path = decodeURIComponent(new URL(origin).pathname);
  else if (/^[a-z][a-z0-9+.-]*::/i.test(origin) || /^[a-z][a-z0-9+.-]*:\/\//i.test(origin)) {
    throw new CadreError(
      "bad_request",
      `unsupported repository URL '${origin}': use a local path, https://, ssh://, git:// or user@host:path`,
    );
  }
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  const st = await stat(abs).catch(() => null);
  if (!st?.isDirectory())
    throw new CadreError(
      "bad_request",
      `repository not found at ${abs}: check the path (it must be a git repository directory)`,
    );
  return abs;
}
