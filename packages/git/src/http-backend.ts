import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { CadreError } from "@cadre/protocol";

const BACKEND = "/usr/lib/git-core/git-http-backend";

export interface HttpBackendRequest {
  /** Directory holding the repositories (`<root>/<name>.git`). */
  projectRoot: string;
  /** `/<name>.git/info/refs`, `/<name>.git/git-upload-pack` or `/<name>.git/git-receive-pack`. */
  pathInfo: string;
  method: string;
  query: string;
  contentType: string;
  contentEncoding: string;
  /** The client's `Git-Protocol` header (protocol v2). */
  gitProtocol: string;
  /** Who authenticated: git-http-backend refuses pushes from anonymous users. */
  remoteUser: string;
  body: Buffer;
  /** Git configuration for this request only (e.g. receive.fsckObjects), never written to a file. */
  config: Record<string, string>;
}

export interface HttpBackendResponse {
  status: number;
  headers: [string, string][];
  body: ReadableStream<Uint8Array>;
}

function configEnv(config: Record<string, string>): Record<string, string> {
  const entries = Object.entries(config);
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

function parseHeaders(head: string): { status: number; headers: [string, string][] } {
  let status = 200;
  const headers: [string, string][] = [];
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]) || 500;
    else headers.push([name, value]);
  }
  return { status, headers };
}

/**
 * Serves one smart-HTTP request with git's own CGI program (`git http-backend`), the request body
 * already read (and checked) by the caller. Resolves once the CGI has sent its headers; the body
 * streams on.
 */
export function runHttpBackend(request: HttpBackendRequest): Promise<HttpBackendResponse> {
  const child = spawn(BACKEND, [], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: request.projectRoot,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_PROJECT_ROOT: request.projectRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: request.pathInfo,
      QUERY_STRING: request.query,
      REQUEST_METHOD: request.method,
      CONTENT_TYPE: request.contentType,
      CONTENT_LENGTH: String(request.body.length),
      HTTP_CONTENT_ENCODING: request.contentEncoding,
      GIT_PROTOCOL: request.gitProtocol,
      REMOTE_USER: request.remoteUser,
      REMOTE_ADDR: "127.0.0.1",
      ...configEnv(request.config),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.on("error", () => undefined);
  child.stdin.end(request.body);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      child.stdout.off("data", onData);
      child.stdout.pause();
      const { status, headers } = parseHeaders(head.subarray(0, end).toString("latin1"));
      const rest = head.subarray(end + 4);
      const body = Readable.from(
        (async function* () {
          if (rest.length > 0) yield rest;
          for await (const piece of child.stdout) yield piece as Buffer;
        })(),
      );
      resolve({ status, headers, body: Readable.toWeb(body) as ReadableStream<Uint8Array> });
    };
    child.stdout.on("data", onData);
    child.on("error", (error) =>
      reject(new CadreError("git_failed", `could not run git http-backend: ${error.message}. Install git`)),
    );
    child.on("close", (code) => {
      reject(new CadreError("git_failed", `git http-backend exited with ${code} before answering: ${stderr.trim()}`));
    });
  });
}
