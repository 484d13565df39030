import { CadreApiError, CadreClient } from "@cadre/client";
import {
  LeaseLostError,
  runnerRoutes,
  type AttemptModel,
  type RegisterRunnerBody,
  type RouteDef,
  type RunnerSession,
  type RunnerSessionRouteName,
  InvariantError,
} from "@cadre/protocol";
import { DEFAULT_RETRY, retryUnavailable, type RetryPolicy } from "./retry-unavailable.ts";
import type { RunnerCallInput, RunnerCallOutput, RunnerTransport } from "./runner-transport.ts";

/** The server is away for now (unreachable, restarting, its database restarting): try again. */
function transient(error: unknown): boolean {
  return (
    error instanceof CadreApiError && (error.code === "unavailable" || [502, 503, 504].includes(error.status ?? 0))
  );
}

/**
 * The runner API over HTTP(S): the runner token registers this process once, and every later call
 * carries the session secret the server returned (never the token, never a database credential).
 * Calls are repeated while the server is away; an event append carries the seq it builds on, so a
 * repeated one is never stored twice.
 */
export class HttpRunnerTransport implements RunnerTransport {
  private session: RunnerSession | null = null;
  private client: CadreClient | null = null;

  constructor(
    private readonly serverUrl: string,
    private readonly token: string,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  /** The session secret (for git's requests), once registered. */
  get sessionSecret(): string {
    if (!this.session) throw new InvariantError("the runner has not registered yet");
    return this.session.session;
  }

  async register(body: RegisterRunnerBody): Promise<RunnerSession> {
    const client = new CadreClient({ baseUrl: this.serverUrl, token: this.token });
    const session = await retryUnavailable(
      `registering with ${this.serverUrl}`,
      () => client.callRoute(runnerRoutes.registerRunner, { body }),
      { isTransient: transient, policy: this.retry },
    );
    this.session = session;
    this.client = new CadreClient({ baseUrl: this.serverUrl, token: session.session });
    return session;
  }

  async call<K extends RunnerSessionRouteName>(
    name: K,
    input: RunnerCallInput<K>,
    signal?: AbortSignal,
  ): Promise<RunnerCallOutput<K>> {
    const client = this.client;
    if (!client) throw new InvariantError("the runner has not registered yet");
    const def = runnerRoutes[name] as RouteDef;
    try {
      return (await retryUnavailable(`${def.method} ${def.path}`, () => client.callRoute(def, input as never, signal), {
        isTransient: transient,
        policy: this.retry,
        signal,
      })) as RunnerCallOutput<K>;
    } catch (error) {
      if (error instanceof CadreApiError && error.code === "lease_lost") {
        const params = (input as { params?: { id?: string } }).params;
        throw new LeaseLostError(params?.id ?? "of this call");
      }
      throw error;
    }
  }

  /** With model calls through the server, the proxy's path is resolved against it and the session is the key. */
  modelSettings(settings: AttemptModel): AttemptModel {
    if (!settings.baseURL?.startsWith("/")) return settings;
    return {
      ...settings,
      baseURL: `${this.serverUrl.replace(/\/+$/, "")}${settings.baseURL}`,
      apiKey: this.sessionSecret,
    };
  }
}
