import {
  CadreError,
  type AttemptModel,
  type RegisterRunnerBody,
  type RunnerSession,
  InvariantError,
} from "@cadre/protocol";
import type { RunnerCallInput, RunnerCallOutput, RunnerTransport } from "@cadre/runner";
import type { RunnerApi, RunnerPrincipal } from "@cadre/server";
import { isTransient } from "@cadre/store";
import type { RunnerSessionRouteName } from "@cadre/protocol";

/**
 * The embedded runner's way to the server: the runner API's own handlers, called in-process with
 * the same schemas, fencing and answers as over HTTP (no token: it lives in the server's process).
 */
export class InProcessRunnerTransport implements RunnerTransport {
  private principal: RunnerPrincipal | null = null;

  constructor(private readonly api: RunnerApi) {}

  async register(body: RegisterRunnerBody): Promise<RunnerSession> {
    const { principal, session } = await this.api.registerEmbedded(body);
    this.principal = principal;
    return session;
  }

  async call<K extends RunnerSessionRouteName>(
    name: K,
    input: RunnerCallInput<K>,
    signal?: AbortSignal,
  ): Promise<RunnerCallOutput<K>> {
    if (!this.principal) throw new InvariantError("the embedded runner has not registered yet");
    try {
      return (await this.api.handle(name, input, this.principal as never, signal)) as RunnerCallOutput<K>;
    } catch (error) {
      // As over HTTP, a database that went away is "unavailable": the runner hands its attempt back.
      if (isTransient(error))
        throw new CadreError("unavailable", `the database is unavailable: ${(error as Error).message}`);
      throw error;
    }
  }

  modelSettings(settings: AttemptModel): AttemptModel {
    return settings;
  }
}
