/**
 * Environment that makes git send `username:password` as HTTP Basic auth to one forge host, and
 * nowhere else: an `http.<origin>/.extraHeader` set through GIT_CONFIG_COUNT. The secret lives
 * only in the git process's environment: never in a config file, a remote URL or an argv.
 */
export function gitCredentialEnv(
  url: string,
  credentials: { username: string; password: string },
): Record<string, string> {
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return {};
  const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
  return {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: `http.${parsed.origin}/.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}
