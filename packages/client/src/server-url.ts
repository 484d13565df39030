import { CadreError } from "@cadre/protocol";

/**
 * A server URL as given (flag, environment, setting), checked: it needs an http:// or https://
 * scheme, and one left out ("127.0.0.1:7700", "cadre.example.com") is reported as such.
 */
export function checkServerUrl(url: string, from: string): string {
  const text = url.trim();
  if (/^https?:\/\/[^\s/]+/i.test(text)) return text;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    throw new CadreError(
      "bad_request",
      `${from} '${text}' is not an http:// or https:// URL: use e.g. http://127.0.0.1:7700`,
    );
  throw new CadreError(
    "bad_request",
    `${from} '${text}' has no scheme: write http://${text} (or https://${text} for a server behind TLS)`,
  );
}
