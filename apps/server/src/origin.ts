import { realpath, stat } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import { CadreError, looksLikeHostPath } from "@cadre/protocol";

/** Where a repo comes from: a directory on the server (symlinks and `..` resolved) or a remote URL. */
export type Origin = { kind: "local"; path: string } | { kind: "remote"; url: string };

const REMOTE_URL = /^(https?|ssh|git):\/\/[^\s]+$/;
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/;

/** A URL with its user and password left out, for messages. */
function withoutUserInfo(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * Credentials in a URL would be shown to everyone who can see the repo and land in logs and
 * error messages: Cadre takes them from git's credential helpers or SSH keys instead.
 */
function refuseCredentials(origin: string): void {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new CadreError("bad_request", "the repository URL is not a valid URL: check it");
  }
  const http = url.protocol === "http:" || url.protocol === "https:";
  if (url.password || (http && url.username))
    throw new CadreError(
      "bad_request",
      `the repository URL ${withoutUserInfo(url)} carries credentials: leave them out and give the server access through a git credential helper or SSH key (a URL's credentials would be shown to everyone who can see the repo)`,
    );
}

function localPathOf(origin: string): string {
  if (!origin.startsWith("file://")) return origin;
  try {
    return fileURLToPath(origin);
  } catch {
    throw new CadreError(
      "bad_request",
      "the file:// URL is not valid (a malformed percent-escape or a host other than localhost): give the absolute path instead",
    );
  }
}

/**
 * Parses a repo origin: a URL of a transport that only fetches, or an absolute local path to an
 * existing directory, resolved to its real path. `ext::` and `fd::` are refused (they make git
 * run commands), and so are relative paths: the server's working directory means nothing to a client.
 */
export async function parseOrigin(origin: string): Promise<Origin> {
  if (REMOTE_URL.test(origin)) {
    refuseCredentials(origin);
    return { kind: "remote", url: origin };
  }
  if (SCP_LIKE.test(origin)) return { kind: "remote", url: origin };
  const scheme = /^([a-z][a-z0-9+.-]*)(::|:\/\/)/i.exec(origin);
  if (scheme && !origin.startsWith("file://"))
    throw new CadreError(
      "bad_request",
      `unsupported repository URL ('${scheme[1]}${scheme[2]}…'): use a local path, https://, ssh://, git:// or user@host:path`,
    );
  const path = localPathOf(origin);
  if (looksLikeHostPath(path))
    throw new CadreError(
      "bad_request",
      `'${origin}' looks like a URL without a scheme: write https://${origin} (or git@${origin.replace("/", ":")} for SSH)`,
    );
  if (!isAbsolute(path))
    throw new CadreError(
      "bad_request",
      `'${origin}' is a relative path: give the absolute path of the repository on the server ('cadre repo add' makes a path absolute for you)`,
    );
  const real = await realpath(path).catch(() => null);
  const st = real ? await stat(real).catch(() => null) : null;
  if (!real || !st?.isDirectory())
    throw new CadreError(
      "bad_request",
      `repository not found at ${path}: check the path (it must be a git repository directory the server can read)`,
    );
  return { kind: "local", path: real };
}
