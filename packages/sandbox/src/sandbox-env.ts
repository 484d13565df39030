import { SANDBOX_HOME, SANDBOX_PATH } from "./bwrap-args.ts";

export const PROXY_PORT = 3128;

/**
 * The complete environment of a sandboxed command: fixed defaults, the environment's declared
 * variables, per-command extras, and — only in the setup and maintenance phases — secrets.
 */
export function sandboxEnv(input: {
  variables: Record<string, string>;
  extra?: Record<string, string>;
  secrets?: Record<string, string>;
  proxy: boolean;
}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: SANDBOX_PATH,
    HOME: SANDBOX_HOME,
    USER: "agent",
    LOGNAME: "agent",
    SHELL: "/bin/bash",
    LANG: "C.UTF-8",
    TERM: "dumb",
    PAGER: "cat",
    GIT_PAGER: "cat",
    GIT_TERMINAL_PROMPT: "0",
    CI: "1",
    ...input.variables,
    ...input.extra,
    ...input.secrets,
  };
  if (input.proxy) {
    const url = `http://127.0.0.1:${PROXY_PORT}`;
    for (const k of ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"]) env[k] = url;
    env.NO_PROXY = env.no_proxy = "localhost,127.0.0.1,::1";
  }
  return env;
}
