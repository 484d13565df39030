import type { ForgeConnection } from "../forge-client.ts";
import { forgeError, statusOf } from "../forge-error.ts";
import { AppTokens } from "./app-tokens.ts";
import { createOctokit, type GithubOctokit } from "./github-octokit.ts";

/** What every GitHub call shares: the REST client, how it authenticates, and error translation. */
export class GithubContext {
  readonly octokit: GithubOctokit;
  /** For app endpoints (GET /app), authenticated with a JWT instead of an installation token. */
  readonly appOctokit: GithubOctokit | null;
  readonly tokens: AppTokens | null;
  readonly isApp: boolean;

  constructor(readonly connection: ForgeConnection) {
    const log = connection.log ?? (() => undefined);
    const credentials = connection.credentials;
    this.isApp = credentials.kind === "app";
    this.tokens =
      credentials.kind === "app"
        ? new AppTokens({
            appId: credentials.appId,
            privateKey: credentials.privateKey,
            installationId: credentials.installationId,
            baseUrl: connection.apiUrl,
          })
        : null;
    const base = { forge: connection.name, baseUrl: connection.apiUrl, pacing: connection.pacing, log };
    this.octokit = createOctokit({
      ...base,
      authorize: async (headers) => {
        headers.authorization = `token ${await this.password()}`;
      },
    });
    const tokens = this.tokens;
    this.appOctokit = tokens
      ? createOctokit({
          ...base,
          authorize: async (headers) => {
            headers.authorization = `bearer ${await tokens.jwt()}`;
          },
        })
      : null;
  }

  /** The token requests and git use now: the configured token, or a fresh installation token. */
  async password(): Promise<string> {
    const credentials = this.connection.credentials;
    return credentials.kind === "token" ? credentials.token : (this.tokens as AppTokens).token();
  }

  /**
   * Runs one API call, translating failures into ForgeErrors that say what to do. An app's
   * installation token refused with 401 (revoked early) is replaced once and the call repeated.
   */
  async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (this.tokens && statusOf(error).status === 401) {
        this.tokens.invalidate();
        try {
          return await run();
        } catch (again) {
          throw forgeError({ forge: this.connection.name, title: "GitHub", what, error: again });
        }
      }
      throw forgeError({ forge: this.connection.name, title: "GitHub", what, error });
    }
  }
}

/** `owner/name` split for the REST paths. */
export function ownerRepo(repoPath: string): { owner: string; repo: string } {
  const slash = repoPath.indexOf("/");
  return { owner: repoPath.slice(0, slash), repo: repoPath.slice(slash + 1) };
}
