import { createAppAuth } from "@octokit/auth-app";
import { request } from "@octokit/request";

/** A token this close to its expiry is replaced before use (git pushes and API calls may take a while). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

interface Minted {
  token: string;
  expiresAt: number;
}

/**
 * A GitHub App's credentials: app JWTs signed with its private key, and installation tokens minted
 * from them (through @octokit/auth-app) and replaced before they expire or once GitHub refuses one.
 */
export class AppTokens {
  private readonly auth: ReturnType<typeof createAppAuth>;
  private current: Minted | null = null;
  private pending: Promise<Minted> | null = null;

  constructor(app: { appId: string; privateKey: string; installationId: number; baseUrl: string }) {
    this.auth = createAppAuth({
      appId: app.appId,
      privateKey: app.privateKey,
      installationId: app.installationId,
      request: request.defaults({ baseUrl: app.baseUrl.replace(/\/+$/, ""), headers: { "user-agent": "cadre/0.1.0" } }),
    });
  }

  /** A JWT for the app's own endpoints (GET /app); signed with the private key, valid for minutes. */
  async jwt(): Promise<string> {
    const result = await this.auth({ type: "app" });
    return result.token;
  }

  /** An installation token with at least REFRESH_MARGIN_MS left, minting a new one when needed. */
  async token(): Promise<string> {
    if (this.current && this.current.expiresAt - Date.now() > REFRESH_MARGIN_MS) return this.current.token;
    return (await this.mint()).token;
  }

  /** Drops the current token (GitHub refused it before its expiry) so the next use mints another. */
  invalidate(): void {
    this.current = null;
  }

  private mint(): Promise<Minted> {
    // One mint at a time: concurrent callers share it.
    this.pending ??= this.auth({ type: "installation", refresh: true })
      .then((result) => {
        const minted = { token: result.token, expiresAt: Date.parse(result.expiresAt) };
        this.current = minted;
        return minted;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}
