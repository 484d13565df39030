import { CadreError } from "@cadre/protocol";
import { Gitlab } from "@gitbeaker/rest";
import type { ForgeConnection } from "../forge-client.ts";
import { forgeError } from "../forge-error.ts";

export type GitlabApi = InstanceType<typeof Gitlab>;

/** The instance's root for @gitbeaker/rest: `https://gitlab.example.com` from `.../api/v4` or the root itself. */
export function gitlabHost(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, "").replace(/\/api\/v4$/, "");
}

/** The HTTP status and GitLab's message from an error @gitbeaker threw (`cause.response`, `cause.description`). */
function statusAndMessage(error: unknown): { status?: number; response?: { data: { message: string } } } {
  const cause = (error as { cause?: { response?: { status?: unknown }; description?: unknown } }).cause;
  const status = typeof cause?.response?.status === "number" ? cause.response.status : undefined;
  const description = typeof cause?.description === "string" ? cause.description : (error as Error).message;
  return { ...(status ? { status } : {}), response: { data: { message: description } } };
}

/** What every GitLab call shares: the REST client and error translation. */
export class GitlabContext {
  readonly api: GitlabApi;

  constructor(readonly connection: ForgeConnection) {
    if (connection.credentials.kind !== "token")
      throw new CadreError(
        "bad_request",
        "GitLab signs in with a token (a personal, group or project access token): use --token-env",
      );
    // @gitbeaker/rest retries 429 and 502 answers itself, waiting longer each time.
    this.api = new Gitlab({ host: gitlabHost(connection.apiUrl), token: connection.credentials.token });
  }

  get token(): string {
    return this.connection.credentials.kind === "token" ? this.connection.credentials.token : "";
  }

  async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw forgeError({ forge: this.connection.name, title: "GitLab", what, error: statusAndMessage(error) });
    }
  }
}

/** HTTP status of an error a call threw (after translation), or null. */
export function statusOfForgeError(error: unknown): number | null {
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" ? status : null;
}
