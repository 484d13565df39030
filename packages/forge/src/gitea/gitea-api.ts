import { CadreError } from "@cadre/protocol";
import type { ForgeConnection } from "../forge-client.ts";
import { forgeError } from "../forge-error.ts";

/** How often a request Gitea answered with 429 is tried again, waiting as its Retry-After says. */
const RATE_LIMIT_RETRIES = 3;

/** A failed answer, shaped as forgeError reads a client library's error (status, Gitea's message). */
class GiteaAnswer extends Error {
  constructor(
    readonly status: number,
    readonly response: { data: { message: string } },
  ) {
    super(response.data.message);
  }
}

/** Gitea's (and Forgejo's) REST API v1 over fetch: `Authorization: token …`, JSON bodies, errors in Cadre's terms. */
export class GiteaApi {
  readonly base: string;

  constructor(readonly connection: ForgeConnection) {
    if (connection.credentials.kind !== "token")
      throw new CadreError("bad_request", "Gitea and Forgejo sign in with an access token: use --token-env");
    this.base = `${connection.apiUrl.replace(/\/+$/, "").replace(/\/api\/v1$/, "")}/api/v1`;
  }

  get token(): string {
    return this.connection.credentials.kind === "token" ? this.connection.credentials.token : "";
  }

  /** `/repos/{owner}/{repo}` with both parts escaped. */
  repo(repoPath: string): string {
    const [owner = "", name = ""] = repoPath.split("/");
    return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  }

  async request(what: string, method: string, path: string, body?: unknown): Promise<unknown> {
    try {
      return await this.send(method, path, body, 0);
    } catch (error) {
      throw forgeError({ forge: this.connection.name, title: "Gitea", what, error });
    }
  }

  get = (what: string, path: string) => this.request(what, "GET", path);
  post = (what: string, path: string, body: unknown) => this.request(what, "POST", path, body);
  patch = (what: string, path: string, body: unknown) => this.request(what, "PATCH", path, body);

  private async send(method: string, path: string, body: unknown, attempt: number): Promise<unknown> {
    const answer = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `token ${this.token}`,
        accept: "application/json",
        "user-agent": "cadre/0.1.0",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await answer.text();
    if (answer.status === 429 && attempt < RATE_LIMIT_RETRIES) {
      const wait = Number(answer.headers.get("retry-after") ?? "1");
      this.connection.log?.(`forge ${this.connection.name}: rate limited on ${method} ${path}; retrying in ${wait}s`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(wait, 1), 60) * 1000));
      return this.send(method, path, body, attempt + 1);
    }
    if (!answer.ok) {
      let message = text.slice(0, 500) || answer.statusText;
      try {
        const parsed = JSON.parse(text) as { message?: unknown };
        if (typeof parsed.message === "string") message = parsed.message;
      } catch {
        // Not JSON: the text itself says what went wrong.
      }
      throw new GiteaAnswer(answer.status, { data: { message } });
    }
    if (text === "") return null;
    return answer.headers.get("content-type")?.includes("json") ? (JSON.parse(text) as unknown) : text;
  }
}
