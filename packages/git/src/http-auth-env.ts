/**
 * Environment that makes git send `header` (e.g. `Authorization: Bearer …`) to one HTTP origin and
 * nowhere else: an `http.<origin>/.extraHeader` set through GIT_CONFIG_COUNT. The secret lives
 * only in the git process's environment: never in a config file, a remote URL or an argv.
 */
export function httpHeaderEnv(url: string, header: string): Record<string, string> {
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return {};
  return {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: `http.${parsed.origin}/.extraHeader`,
    GIT_CONFIG_VALUE_0: header,
  };
}
