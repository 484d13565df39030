import type { Command } from "commander";
import type { CadreClient } from "@cadre/client";
import { connect } from "./connection.ts";

export interface Output {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
}

export const stdio: Output = {
  out: (s) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`),
  err: (s) => process.stderr.write(s.endsWith("\n") ? s : `${s}\n`),
  isTTY: Boolean(process.stdout.isTTY),
};

/** The client for a command, from the global --url/--token flags. */
export function clientFor(cmd: Command): Promise<CadreClient> {
  const root = cmd.optsWithGlobals<{ url?: string; token?: string }>();
  return connect({ ...(root.url ? { url: root.url } : {}), ...(root.token ? { token: root.token } : {}) });
}

export function printJson(o: Output, value: unknown): void {
  o.out(JSON.stringify(value, null, 2));
}
