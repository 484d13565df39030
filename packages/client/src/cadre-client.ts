import { z } from "zod";
import { routes, type JsonRouteName, type RouteDef, type Routes } from "@cadre/protocol";
import { CadreApiError } from "./client-error.ts";
import { errorFromBody } from "./error-body.ts";

type Maybe<S extends z.ZodType, Key extends string> =
  z.input<S> extends undefined
    ? { [P in Key]?: undefined }
    : Record<string, never> extends z.input<S>
      ? { [P in Key]?: z.input<S> }
      : { [P in Key]: z.input<S> };

export type CallInput<R extends RouteDef> = Maybe<R["params"], "params"> &
  Maybe<R["query"], "query"> &
  Maybe<R["body"], "body">;
export type CallOutput<K extends JsonRouteName> = z.output<Routes[K]["response"]>;

export interface ClientOptions {
  baseUrl: string;
  token?: string | undefined;
  fetch?: typeof fetch;
}

/** The typed HTTP client, built from the protocol's route table (used by the CLI, web app, VS Code and MCP). */
export class CadreClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: ClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.token = opts.token;
    this.fetchImpl = opts.fetch ?? ((...args) => fetch(...args));
  }

  /** The URL of a route with its path parameters and query filled in. */
  url(path: string, params: Record<string, unknown> = {}, query: Record<string, unknown> = {}): string {
    const filled = path.replace(/:([a-zA-Z]+)/g, (_, k: string) => encodeURIComponent(String(params[k] ?? "")));
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null) continue;
      for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
    }
    const q = qs.toString();
    return `${this.baseUrl}/api/v1${filled}${q ? `?${q}` : ""}`;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  /** Sends one request to the server; a connection failure says how to start or find the server. */
  async request(
    method: string,
    url: string,
    init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    try {
      return await this.fetchImpl(url, {
        method,
        headers: this.headers({
          ...(init.body !== undefined ? { "Content-Type": "application/json" } : {}),
          ...init.headers,
        }),
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (e) {
      if ((e as Error).name === "AbortError") throw e;
      throw new CadreApiError(
        "unavailable",
        `cannot reach the Cadre server at ${this.baseUrl}: start it with 'cadre serve', or set --url / CADRE_URL (${(e as Error).message})`,
        null,
      );
    }
  }

  async call<K extends JsonRouteName>(
    name: K,
    input: CallInput<Routes[K]> = {} as CallInput<Routes[K]>,
  ): Promise<CallOutput<K>> {
    return this.callRoute(routes[name] as RouteDef, input as CallInput<RouteDef>) as Promise<CallOutput<K>>;
  }

  /** Calls any route definition (the runner API's table too), decoding the answer or the error envelope. */
  async callRoute<R extends RouteDef>(
    def: R,
    input: CallInput<R> = {} as CallInput<R>,
    signal?: AbortSignal,
  ): Promise<z.output<R["response"]>> {
    const { params, query, body } = input as {
      params?: Record<string, unknown>;
      query?: Record<string, unknown>;
      body?: unknown;
    };
    const res = await this.request(def.method, this.url(def.path, params, query), {
      body,
      ...(signal ? { signal } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new CadreApiError(
        "internal",
        `the server answered ${res.status} with a body that is not JSON: is ${this.baseUrl} a Cadre server?`,
        res.status,
      );
    }
    if (!res.ok) throw errorFromBody(res.status, json, `the server answered ${res.status}`);
    return def.response.parse(json) as z.output<R["response"]>;
  }
}
