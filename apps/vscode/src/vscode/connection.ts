import * as vscode from "vscode";
import { CadreClient, checkServerUrl } from "@cadre/client";

export const TOKEN_SECRET = "cadre.token";

/**
 * The client from the settings: the URL from `cadre.serverUrl` (else $CADRE_URL, else the local
 * default), the token from VS Code's secret storage (else $CADRE_TOKEN, for dev containers and CI).
 */
export async function clientFromSettings(secrets: vscode.SecretStorage): Promise<CadreClient> {
  const configured = vscode.workspace.getConfiguration("cadre").get<string>("serverUrl")?.trim();
  const url = configured
    ? checkServerUrl(configured, "the setting cadre.serverUrl")
    : process.env.CADRE_URL
      ? checkServerUrl(process.env.CADRE_URL, "CADRE_URL")
      : "http://127.0.0.1:7700";
  const token = (await secrets.get(TOKEN_SECRET)) ?? process.env.CADRE_TOKEN;
  return new CadreClient({ baseUrl: url, token });
}
