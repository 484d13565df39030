import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";

const BACKEND = "/usr/lib/git-core/git-http-backend";

/** The identity and config every forge double's own git commands run with (commits the "forge" makes). */
export const DOUBLE_GIT_ENV = {
  GIT_AUTHOR_NAME: "Double",
  GIT_AUTHOR_EMAIL: "double@example.com",
  GIT_COMMITTER_NAME: "Double",
  GIT_COMMITTER_EMAIL: "double@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
};

/**
 * Serves one smart-HTTP request with git's own CGI program, as GitHub serves `<owner>/<repo>.git`.
 * `user` is who authenticated (git-http-backend refuses pushes from anonymous users).
 */
export function serveGit(input: {
  root: string;
  /** /owner/repo.git/info/refs and the like. */
  pathInfo: string;
  query: string;
  user: string;
  req: IncomingMessage;
  res: ServerResponse;
}): Promise<void> {
  const { req, res } = input;
  const child = spawn(BACKEND, [], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_PROJECT_ROOT: input.root,
      GIT_HTTP_EXPORT_ALL: "1",
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: input.root,
      PATH_INFO: input.pathInfo,
      QUERY_STRING: input.query,
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"] ?? ""),
      GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      REMOTE_USER: input.user,
      REMOTE_ADDR: "127.0.0.1",
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on("data", (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => {
    child.on("close", (code) => {
      if (!headersDone) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.write(`git-http-backend exited with ${code}: ${stderr}`);
      }
      res.end();
      resolve();
    });
  });
}

/** A person's commit of `files` on `branch`, pushed to a double as the forge would take it. */
export interface FilePush {
  by: string;
  branch: string;
  files: Record<string, string>;
  message: string;
}
