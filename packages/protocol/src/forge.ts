import { z } from "zod";
import { Id, Timestamp } from "./ids.ts";
import { SEVERITIES } from "./review-findings.ts";
import { AutomationTaskOrigin } from "./automation.ts";

/** Forge kinds Cadre speaks (each an adapter in packages/forge). */
export const ForgeKind = z.enum(["github", "gitlab", "gitea"]);
export type ForgeKind = z.infer<typeof ForgeKind>;

export const ForgeName = z
  .string()
  .min(1)
  .max(60)
  .regex(
    /^[a-z0-9][a-z0-9._-]*$/,
    "a forge name may contain lowercase letters, digits, '.', '_' and '-', and must start with a letter or digit",
  );

/** http(s) only: GitHub Enterprise Server on a private network and loopback test doubles use http://. */
const ForgeUrl = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const url = new URL(s);
      return (url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.password === "";
    } catch {
      return false;
    }
  }, "must be an http:// or https:// URL without credentials, e.g. https://api.github.com");

/** A login on a forge (GitHub allows letters, digits and '-'; apps end in [bot]). */
export const ForgeLogin = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*(\[bot\])?$/, "not a forge login");

/** `forge:login`, e.g. `github:octocat`, for mapping a forge user to a Cadre user. */
export const ForgeLoginRef = z
  .string()
  .max(170)
  .refine((s) => {
    const colon = s.indexOf(":");
    return (
      colon > 0 && ForgeName.safeParse(s.slice(0, colon)).success && ForgeLogin.safeParse(s.slice(colon + 1)).success
    );
  }, "a forge login is written FORGE:LOGIN, e.g. github:octocat");

/** `owner/name` on the forge (GitLab groups may nest: `group/sub/name`). */
export const ForgeRepoPath = z
  .string()
  .min(3)
  .max(300)
  .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/, "a forge repository is named owner/name")
  .refine((s) => !s.split("/").some((part) => part === "." || part === ".."), "a forge repository is named owner/name");

const SecretText = z
  .string()
  .min(1)
  .max(64 * 1024);

export const ForgeAuthInput = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("token"), token: SecretText }),
  z.strictObject({
    kind: z.literal("app"),
    appId: z.string().regex(/^[0-9]{1,20}$/, "an app id is a number"),
    privateKey: SecretText.refine((s) => s.includes("PRIVATE KEY"), "the private key must be a PEM file"),
    installationId: z.number().int().positive(),
  }),
]);

export const ForgeStatus = z.object({
  /** `error` when the forge refused Cadre's credentials or a permission; the message says what to do. */
  state: z.enum(["unknown", "ok", "error"]),
  message: z.string().nullable(),
  at: Timestamp.nullable(),
});
export type ForgeStatus = z.infer<typeof ForgeStatus>;

export const Forge = z.object({
  id: Id,
  name: z.string(),
  kind: ForgeKind,
  apiUrl: z.string(),
  webUrl: z.string(),
  botName: z.string(),
  /** Secrets are never returned: only how Cadre signs in. */
  auth: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("token") }),
    z.object({ kind: z.literal("app"), appId: z.string(), installationId: z.number() }),
  ]),
  /** Where the forge sends webhooks: `<server>/api/v1/forges/<name>/webhook`. */
  webhookUrl: z.string(),
  /** Poll the API every N seconds (where webhooks cannot reach Cadre); null: webhooks only. */
  pollSeconds: z.number().int().nullable(),
  /** Pace writes as the forge asks of busy clients (one a second on github.com). */
  pacing: z.boolean(),
  /** The Cadre user that creates tasks for forge users mapped to no Cadre user. */
  serviceUser: z.string(),
  status: ForgeStatus,
  createdAt: Timestamp,
});
export type Forge = z.infer<typeof Forge>;

export const CreateForge = z.strictObject({
  name: ForgeName,
  kind: ForgeKind,
  /** The REST base: https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server. */
  apiUrl: ForgeUrl,
  /** Where people and git reach the forge; from the API URL when omitted. */
  webUrl: ForgeUrl.optional(),
  auth: ForgeAuthInput,
  webhookSecret: SecretText,
  botName: ForgeLogin.optional(),
  pollSeconds: z.number().int().min(10).max(86_400).nullable().optional(),
  pacing: z.boolean().optional(),
});
export type CreateForge = z.infer<typeof CreateForge>;

export const UpdateForge = z.strictObject({
  auth: ForgeAuthInput.optional(),
  webhookSecret: SecretText.optional(),
  botName: ForgeLogin.optional(),
  pollSeconds: z.number().int().min(10).max(86_400).nullable().optional(),
  pacing: z.boolean().optional(),
});
export type UpdateForge = z.infer<typeof UpdateForge>;

/** How a repo on a forge behaves; every field has a default. */
export const RepoForgeSettings = z.strictObject({
  /** Review every pull request when it is opened or updated. */
  autoReview: z.boolean().default(false),
  /** Review drafts too (with autoReview). */
  reviewDrafts: z.boolean().default(false),
  /** A failed check on Cadre's pull request starts a follow-up (at most 2 per pull request). */
  ciFeedback: z.boolean().default(true),
  /** The "Cadre review" check fails on findings at or above this severity; null: it never fails. */
  failOn: z.enum(SEVERITIES).nullable().default(null),
});
export type RepoForgeSettings = z.infer<typeof RepoForgeSettings>;
export const DEFAULT_REPO_FORGE_SETTINGS: RepoForgeSettings = RepoForgeSettings.parse({});

export const RepoForge = z.object({
  name: z.string(),
  /** The forge's kind, so clients name its change requests as it does (optional: older servers leave it out). */
  kind: ForgeKind.optional(),
  repoPath: z.string(),
  settings: RepoForgeSettings,
  /** How the forge's webhook reaches Cadre: created by Cadre, already there, the app's, or to add by hand. */
  webhook: z.enum(["created", "exists", "app", "manual", "poll"]),
});
export type RepoForge = z.infer<typeof RepoForge>;

export const ForgeDelivery = z.object({
  deliveryId: z.string(),
  event: z.string(),
  state: z.enum(["pending", "done", "ignored", "failed"]),
  outcome: z.string().nullable(),
  attempts: z.number().int(),
  receivedAt: Timestamp,
  processedAt: Timestamp.nullable(),
});
export type ForgeDelivery = z.infer<typeof ForgeDelivery>;

/** Where a task came from on a forge: the issue or change request, and who asked. */
export const ForgeTaskOrigin = z.object({
  kind: z.literal("forge"),
  forge: z.string(),
  /** Names the thread as the forge does ("merge request !4"); absent on records from before it was kept. */
  forgeKind: ForgeKind.optional(),
  repoPath: z.string(),
  thread: z.object({ kind: z.enum(["issue", "change_request"]), number: z.number().int() }),
  url: z.string(),
  author: z.string(),
});
export type ForgeTaskOrigin = z.infer<typeof ForgeTaskOrigin>;

/** Where a task came from: a forge thread, or an automation's run. */
export const TaskOrigin = z.discriminatedUnion("kind", [ForgeTaskOrigin, AutomationTaskOrigin]);
export type TaskOrigin = z.infer<typeof TaskOrigin>;

export const WebhookAnswer = z.object({ ok: z.literal(true), delivery: z.string(), duplicate: z.boolean() });
