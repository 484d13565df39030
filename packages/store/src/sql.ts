/** The one small SQL interface every query is written against (PostgreSQL dialect). */
export type SqlParam = string | number | boolean | null | Date | string[];

export interface Sql {
  query<T extends object = Record<string, unknown>>(text: string, params?: SqlParam[]): Promise<T[]>;
  /** Runs `fn` in one transaction; nested calls reuse it. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
}

export interface Database extends Sql {
  readonly kind: "pglite" | "postgres";
  /** Subscribes to NOTIFY on `channel`; resolves once listening. Returns the unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
