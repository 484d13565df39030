import type { CreateForge, ForgeKind } from "@cadre/protocol";

/** One forge's double, as the forge-webhooks benchmark drives it (GitHub, GitLab, Gitea). */
export interface ForgeBenchSubject {
  /** The forge kind Cadre connects with (`github`). */
  kind: ForgeKind;
  /** The row's name in the table ("GitHub"). */
  title: string;
  start(): Promise<ForgeBenchDouble>;
}

export interface ForgeBenchDouble {
  apiUrl: string;
  auth: CreateForge["auth"];
  webhookSecret: string;
  /** A repository Cadre may push to, whose events go to `webhookUrl`; its clone URL. */
  createRepo(fullName: string, webhookUrl: string): Promise<string>;
  /**
   * Opens issue `title` and comments `mention` on it as a writer: resolves when the forge's webhook
   * was answered, with the number and when the comment was made (ms since the epoch).
   */
  mention(fullName: string, title: string, mention: string): Promise<{ number: number; sentAt: number }>;
  /** When the change request from `branch` was opened (ms since the epoch), or null while it is not. */
  changeRequestOpenedAt(branch: string): number | null;
  close(): Promise<void>;
}
