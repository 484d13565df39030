import type { z } from "zod";

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

/** One API route: the server registers it, the client calls it, both from this definition. */
export interface RouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** Hono-style path with `:name` parameters, under /api/v1. */
  path: string;
  params: P;
  query: Q;
  body: B;
  response: R;
  /** A server-sent-events stream rather than a JSON response. */
  sse?: true;
  /** Called by a forge: authenticated by the forge's signature over the raw body, not by a token. */
  webhook?: true;
  /** Called by an alerting system or a script: authenticated by an automation's fire token. */
  fire?: true;
}

export function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  def: RouteDef<P, Q, B, R>,
): RouteDef<P, Q, B, R> {
  return def;
}
