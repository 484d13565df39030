import { z } from "zod";
import { Diff } from "./diff.ts";
import { HunkSelection, SelectionCounts } from "./delivery.ts";
import { CreateEnvironment, Environment, UpdateEnvironment } from "./environment.ts";
import { Event } from "./events.ts";
import { BranchName, Id, RepoPath } from "./ids.ts";
import { CreateRepo, Repo, UpdateRepo } from "./repo.ts";
import { CreateForge, Forge, ForgeDelivery, ForgeName, UpdateForge, WebhookAnswer } from "./forge.ts";
import { route } from "./route-definition.ts";
import { AttemptStatus } from "./status.ts";
import { Attempt, CreateTask, Task, TaskWithAttempts, Turn } from "./task.ts";
import { ConflictMatrix } from "./conflicts.ts";
import { Runner } from "./runner.ts";
import { CreateRunnerToken, NewRunnerToken, RunnerName, RunnerToken } from "./runner-tokens.ts";
import { QueueEntry } from "./queue.ts";
import { AttemptMessage, SendMessageBody } from "./message.ts";
import { ListModelsQuery, ModelList } from "./models.ts";
import { Automation, CreateAutomation, CreatedAutomation, FireAnswer, FireAutomation } from "./automation.ts";
import { ApiToken, CreateToken, CreateUser, GrantBody, Me, NewApiToken, UpdateUser, User, UserName } from "./users.ts";

const None = z.strictObject({});
const IdParam = z.strictObject({ id: Id });
/** Repos and environments are addressed by id or by name. */
const NameOrIdParam = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be an id or a name (letters, digits, . _ -)"),
});
const UserParam = z.strictObject({ name: UserName });
const ForgeParam = z.strictObject({ name: ForgeName });
const UserRepoParam = z.strictObject({ name: UserName, repo: GrantBody.shape.repo });
const Limit = z.coerce.number().int().min(1).max(1000);
const Ok = z.object({ ok: z.literal(true) });
const AttemptIndex = z.number().int().min(1).max(8);

export const ListTasksQuery = z.strictObject({
  status: AttemptStatus.optional(),
  repo: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
  limit: Limit.default(50),
  /** Opaque cursor from a previous page. */
  cursor: z.string().max(200).optional(),
});

export const EventsQuery = z.strictObject({
  /** Return events with seq greater than this. */
  after: z.coerce.number().int().min(0).default(0),
  limit: Limit.default(500),
});

export const DiffQuery = z.strictObject({
  /** Diff of one turn (against the previous turn's checkpoint) instead of the whole attempt. */
  turn: z.coerce.number().int().min(1).optional(),
  cursor: z.string().max(200).optional(),
  /** Diff against another attempt of the same task (its head) instead of the base: what one attempt did differently. */
  against: Id.optional(),
  /** Files per page. */
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** Only these files (comma-separated is not accepted: repeat the parameter). */
  path: z.union([RepoPath, z.array(RepoPath).max(1000)]).optional(),
});

export const FollowupBody = z
  .strictObject({
    text: z.string().trim().max(100_000).default(""),
    attempt: AttemptIndex.optional(),
    resolveConflicts: z.boolean().default(false),
  })
  .refine((b) => b.resolveConflicts || b.text.length > 0, {
    message: "a follow-up needs text (or resolveConflicts: true)",
    path: ["text"],
  });

export const AnswerBody = z.strictObject({
  text: z.string().trim().min(1, "the answer may not be empty").max(100_000),
  attempt: AttemptIndex.optional(),
});
export const PlanDecisionBody = z.strictObject({
  attempt: AttemptIndex.optional(),
  comment: z.string().max(100_000).optional(),
});

/**
 * How to deliver: merge into a branch (one commit on top of its head), push as a branch Cadre
 * owns, or record a pull into a local working tree. `selection` delivers only those hunks;
 * `selected` says how much of the change a local pull took (omitted: all of it).
 */
export const ApproveBody = z.union([
  z.strictObject({ attempt: AttemptIndex.optional(), merge: BranchName, selection: HunkSelection.optional() }),
  z.strictObject({
    attempt: AttemptIndex.optional(),
    pushBranch: BranchName.nullable(),
    selection: HunkSelection.optional(),
  }),
  z.strictObject({
    attempt: AttemptIndex.optional(),
    pulledLocally: z.literal(true),
    selected: SelectionCounts.optional(),
  }),
  /** Push to cadre/<slug> and open a pull request on the repo's forge (into `base`, default: the task's base branch). */
  z.strictObject({
    attempt: AttemptIndex.optional(),
    pullRequest: z.strictObject({ draft: z.boolean().default(false), base: BranchName.optional() }),
    selection: HunkSelection.optional(),
  }),
]);
export const RejectBody = z.strictObject({ reason: z.string().max(10_000).optional() });

export const Page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const routes = {
  version: route({
    method: "GET",
    path: "/version",
    params: None,
    query: None,
    body: z.undefined(),
    response: z.object({ protocol: z.string(), server: z.string() }),
  }),

  /** The models tasks can use, with the default marked. */
  listModels: route({
    method: "GET",
    path: "/models",
    params: None,
    query: ListModelsQuery,
    body: z.undefined(),
    response: ModelList,
  }),

  listRepos: route({
    method: "GET",
    path: "/repos",
    params: None,
    query: None,
    body: z.undefined(),
    response: Page(Repo),
  }),
  createRepo: route({ method: "POST", path: "/repos", params: None, query: None, body: CreateRepo, response: Repo }),
  getRepo: route({
    method: "GET",
    path: "/repos/:id",
    params: NameOrIdParam,
    query: None,
    body: z.undefined(),
    response: Repo,
  }),
  updateRepo: route({
    method: "PATCH",
    path: "/repos/:id",
    params: NameOrIdParam,
    query: None,
    body: UpdateRepo,
    response: Repo,
  }),
  repoConflicts: route({
    method: "GET",
    path: "/repos/:id/conflicts",
    params: NameOrIdParam,
    query: z.strictObject({ target: BranchName.optional() }),
    body: z.undefined(),
    response: ConflictMatrix,
  }),

  listEnvironments: route({
    method: "GET",
    path: "/environments",
    params: None,
    query: None,
    body: z.undefined(),
    response: Page(Environment),
  }),
  createEnvironment: route({
    method: "POST",
    path: "/environments",
    params: None,
    query: None,
    body: CreateEnvironment,
    response: Environment,
  }),
  getEnvironment: route({
    method: "GET",
    path: "/environments/:id",
    params: NameOrIdParam,
    query: None,
    body: z.undefined(),
    response: Environment,
  }),
  /** Output of the environment's most recent setup run (the setup_output events of that attempt). */
  environmentSetupLog: route({
    method: "GET",
    path: "/environments/:id/setup-log",
    params: NameOrIdParam,
    query: None,
    body: z.undefined(),
    response: z.object({
      taskId: z.string().nullable(),
      attemptId: z.string().nullable(),
      at: z.string().nullable(),
      log: z.string(),
    }),
  }),
  updateEnvironment: route({
    method: "PATCH",
    path: "/environments/:id",
    params: NameOrIdParam,
    query: None,
    body: UpdateEnvironment,
    response: Environment,
  }),

  listTasks: route({
    method: "GET",
    path: "/tasks",
    params: None,
    query: ListTasksQuery,
    body: z.undefined(),
    response: Page(Task),
  }),
  createTask: route({
    method: "POST",
    path: "/tasks",
    params: None,
    query: None,
    body: CreateTask,
    response: TaskWithAttempts,
  }),
  getTask: route({
    method: "GET",
    path: "/tasks/:id",
    params: IdParam,
    query: None,
    body: z.undefined(),
    response: TaskWithAttempts,
  }),
  cancelTask: route({
    method: "POST",
    path: "/tasks/:id/cancel",
    params: IdParam,
    query: None,
    body: z.strictObject({}).optional(),
    response: TaskWithAttempts,
  }),
  followupTask: route({
    method: "POST",
    path: "/tasks/:id/followup",
    params: IdParam,
    query: None,
    body: FollowupBody,
    response: TaskWithAttempts,
  }),
  answerTask: route({
    method: "POST",
    path: "/tasks/:id/answer",
    params: IdParam,
    query: None,
    body: AnswerBody,
    response: TaskWithAttempts,
  }),
  /** A message to a running attempt, read by the agent at its next step (the run goes on). */
  sendMessage: route({
    method: "POST",
    path: "/tasks/:id/messages",
    params: IdParam,
    query: None,
    body: SendMessageBody,
    response: AttemptMessage,
  }),
  approvePlan: route({
    method: "POST",
    path: "/tasks/:id/plan/approve",
    params: IdParam,
    query: None,
    body: PlanDecisionBody,
    response: TaskWithAttempts,
  }),
  rejectPlan: route({
    method: "POST",
    path: "/tasks/:id/plan/reject",
    params: IdParam,
    query: None,
    body: PlanDecisionBody,
    response: TaskWithAttempts,
  }),
  approveTask: route({
    method: "POST",
    path: "/tasks/:id/approve",
    params: IdParam,
    query: None,
    body: ApproveBody,
    response: TaskWithAttempts,
  }),
  rejectTask: route({
    method: "POST",
    path: "/tasks/:id/reject",
    params: IdParam,
    query: None,
    body: RejectBody,
    response: TaskWithAttempts,
  }),

  getAttempt: route({
    method: "GET",
    path: "/attempts/:id",
    params: IdParam,
    query: None,
    body: z.undefined(),
    response: Attempt,
  }),
  listTurns: route({
    method: "GET",
    path: "/attempts/:id/turns",
    params: IdParam,
    query: None,
    body: z.undefined(),
    response: z.object({ items: z.array(Turn) }),
  }),
  listEvents: route({
    method: "GET",
    path: "/attempts/:id/events",
    params: IdParam,
    query: EventsQuery,
    body: z.undefined(),
    response: z.object({ items: z.array(Event), lastSeq: z.number().int() }),
  }),
  streamEvents: route({
    method: "GET",
    path: "/attempts/:id/events/stream",
    params: IdParam,
    query: z.strictObject({ after: z.coerce.number().int().min(0).optional() }),
    body: z.undefined(),
    response: Event,
    sse: true,
  }),
  attemptDiff: route({
    method: "GET",
    path: "/attempts/:id/diff",
    params: IdParam,
    query: DiffQuery,
    body: z.undefined(),
    response: Diff,
  }),
  /** Task-level changes (created, status, review) for live lists. */
  streamTasks: route({
    method: "GET",
    path: "/tasks/stream",
    params: None,
    query: None,
    body: z.undefined(),
    response: Task,
    sse: true,
  }),

  whoami: route({ method: "GET", path: "/me", params: None, query: None, body: z.undefined(), response: Me }),
  listUsers: route({
    method: "GET",
    path: "/users",
    params: None,
    query: None,
    body: z.undefined(),
    response: z.object({ items: z.array(User) }),
  }),
  createUser: route({
    method: "POST",
    path: "/users",
    params: None,
    query: None,
    body: CreateUser,
    response: z.object({ user: User, token: NewApiToken }),
  }),
  /** Sets a user's email and display name (their own, or anyone's for an admin). */
  updateUser: route({
    method: "PATCH",
    path: "/users/:name",
    params: UserParam,
    query: None,
    body: UpdateUser,
    response: User,
  }),
  createToken: route({
    method: "POST",
    path: "/users/:name/tokens",
    params: UserParam,
    query: None,
    body: CreateToken,
    response: NewApiToken,
  }),
  listTokens: route({
    method: "GET",
    path: "/users/:name/tokens",
    params: UserParam,
    query: None,
    body: z.undefined(),
    response: z.object({ items: z.array(ApiToken) }),
  }),
  revokeToken: route({
    method: "POST",
    path: "/tokens/:id/revoke",
    params: IdParam,
    query: None,
    body: z.strictObject({}).optional(),
    response: ApiToken,
  }),
  grantRepo: route({
    method: "POST",
    path: "/users/:name/grants",
    params: UserParam,
    query: None,
    body: GrantBody,
    response: User,
  }),
  revokeGrant: route({
    method: "DELETE",
    path: "/users/:name/grants/:repo",
    params: UserRepoParam,
    query: None,
    body: z.undefined(),
    response: User,
  }),

  listForges: route({
    method: "GET",
    path: "/forges",
    params: None,
    query: None,
    body: z.undefined(),
    response: z.object({ items: z.array(Forge) }),
  }),
  createForge: route({
    method: "POST",
    path: "/forges",
    params: None,
    query: None,
    body: CreateForge,
    response: Forge,
  }),
  getForge: route({
    method: "GET",
    path: "/forges/:name",
    params: ForgeParam,
    query: None,
    body: z.undefined(),
    response: Forge,
  }),
  updateForge: route({
    method: "PATCH",
    path: "/forges/:name",
    params: ForgeParam,
    query: None,
    body: UpdateForge,
    response: Forge,
  }),
  /** Refused while repos use the forge, unless `force` (they become plain git repos). */
  deleteForge: route({
    method: "DELETE",
    path: "/forges/:name",
    params: ForgeParam,
    query: z.strictObject({ force: z.enum(["true", "false"]).optional() }),
    body: z.undefined(),
    response: Ok,
  }),
  /** The latest webhook deliveries (and polled events) and what Cadre did with each. */
  listForgeDeliveries: route({
    method: "GET",
    path: "/forges/:name/deliveries",
    params: ForgeParam,
    query: z.strictObject({ limit: Limit.default(50) }),
    body: z.undefined(),
    response: z.object({ items: z.array(ForgeDelivery) }),
  }),
  /**
   * Where the forge sends its webhooks. Authenticated by the forge's signature over the raw body
   * (X-Hub-Signature-256 for GitHub), not by a bearer token; the body is the forge's own payload.
   */
  forgeWebhook: route({
    method: "POST",
    path: "/forges/:name/webhook",
    params: ForgeParam,
    query: None,
    body: z.unknown(),
    response: WebhookAnswer,
    webhook: true,
  }),

  listAutomations: route({
    method: "GET",
    path: "/automations",
    params: None,
    query: z.strictObject({ repo: z.string().max(100).optional() }),
    body: z.undefined(),
    response: z.object({ items: z.array(Automation) }),
  }),
  /** The answer holds the fire token, shown this once. */
  createAutomation: route({
    method: "POST",
    path: "/automations",
    params: None,
    query: None,
    body: CreateAutomation,
    response: CreatedAutomation,
  }),
  getAutomation: route({
    method: "GET",
    path: "/automations/:id",
    params: NameOrIdParam,
    query: None,
    body: z.undefined(),
    response: Automation,
  }),
  pauseAutomation: route({
    method: "POST",
    path: "/automations/:id/pause",
    params: NameOrIdParam,
    query: None,
    body: z.strictObject({}).optional(),
    response: Automation,
  }),
  /** Clears the failure count; a schedule counts its slots from now on (none missed while paused runs). */
  resumeAutomation: route({
    method: "POST",
    path: "/automations/:id/resume",
    params: NameOrIdParam,
    query: None,
    body: z.strictObject({}).optional(),
    response: Automation,
  }),
  deleteAutomation: route({
    method: "DELETE",
    path: "/automations/:id",
    params: NameOrIdParam,
    query: None,
    body: z.undefined(),
    response: Ok,
  }),
  /**
   * Starts a run now. Authenticated by the automation's own fire token
   * (`Authorization: Bearer <token>`), not by a user's token; `text` is added to the prompt.
   */
  fireAutomation: route({
    method: "POST",
    path: "/automations/:id/fire",
    params: IdParam,
    query: None,
    body: FireAutomation,
    response: FireAnswer,
    fire: true,
  }),

  /** Waiting attempts in claim order, with their position. */
  listQueue: route({
    method: "GET",
    path: "/queue",
    params: None,
    query: None,
    body: z.undefined(),
    response: z.object({ items: z.array(QueueEntry) }),
  }),
  listRunners: route({
    method: "GET",
    path: "/runners",
    params: None,
    query: None,
    body: z.undefined(),
    response: z.object({ items: z.array(Runner) }),
  }),
  /** Admin: a token a runner machine registers with (printed once). */
  createRunnerToken: route({
    method: "POST",
    path: "/runner-tokens",
    params: None,
    query: None,
    body: CreateRunnerToken,
    response: NewRunnerToken,
  }),
  listRunnerTokens: route({
    method: "GET",
    path: "/runner-tokens",
    params: None,
    query: None,
    body: z.undefined(),
    response: z.object({ items: z.array(RunnerToken) }),
  }),
  /** Admin: the token and every runner registered with it stop at once; their attempts go back to the queue. */
  revokeRunnerToken: route({
    method: "POST",
    path: "/runner-tokens/:name/revoke",
    params: z.strictObject({ name: RunnerName }),
    query: None,
    body: z.strictObject({}).optional(),
    response: RunnerToken,
  }),
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
export { Ok, IdParam };

/** Routes answered with a server-sent-events stream rather than JSON. */
export type SseRouteName = "streamEvents" | "streamTasks";
/** Routes a forge calls, authenticated by its signature rather than a token. */
export type WebhookRouteName = "forgeWebhook";
/** Routes authenticated by an automation's fire token rather than a user's. */
export type FireRouteName = "fireAutomation";
export type JsonRouteName = Exclude<RouteName, SseRouteName | WebhookRouteName | FireRouteName>;
