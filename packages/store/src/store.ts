import { join } from "node:path";
import type { Database } from "./sql.ts";
import { openPgliteDatabase } from "./pglite-database.ts";
import { openPostgresDatabase } from "./postgres-database.ts";
import { migrate } from "./migrate.ts";
import { RepoQueries } from "./repo-queries.ts";
import { EnvironmentQueries } from "./environment-queries.ts";
import { TaskQueries } from "./task-queries.ts";
import { AttemptQueries } from "./attempt-queries.ts";
import { EventQueries } from "./event-queries.ts";
import { QueueQueries } from "./queue-queries.ts";
import { RunnerQueries } from "./runner-queries.ts";
import { UserQueries } from "./user-queries.ts";
import { ForgeQueries } from "./forge-queries.ts";
import { ForgeWorkQueries } from "./forge-work-queries.ts";
import { ForgeLinkQueries } from "./forge-link-queries.ts";
import { MessageQueries } from "./message-queries.ts";
import { AutomationQueries } from "./automation-queries.ts";
import { RunnerTokenQueries } from "./runner-token-queries.ts";

export class Store {
  readonly repos: RepoQueries;
  readonly environments: EnvironmentQueries;
  readonly tasks: TaskQueries;
  readonly attempts: AttemptQueries;
  readonly events: EventQueries;
  readonly queue: QueueQueries;
  readonly runners: RunnerQueries;
  readonly users: UserQueries;
  readonly forges: ForgeQueries;
  readonly forgeWork: ForgeWorkQueries;
  readonly forgeLinks: ForgeLinkQueries;
  readonly messages: MessageQueries;
  readonly automations: AutomationQueries;
  readonly runnerTokens: RunnerTokenQueries;

  constructor(readonly db: Database) {
    this.repos = new RepoQueries(db);
    this.environments = new EnvironmentQueries(db);
    this.tasks = new TaskQueries(db);
    this.attempts = new AttemptQueries(db);
    this.events = new EventQueries(db);
    this.queue = new QueueQueries(db);
    this.runners = new RunnerQueries(db);
    this.users = new UserQueries(db);
    this.forges = new ForgeQueries(db);
    this.forgeWork = new ForgeWorkQueries(db);
    this.forgeLinks = new ForgeLinkQueries(db);
    this.messages = new MessageQueries(db);
    this.automations = new AutomationQueries(db);
    this.runnerTokens = new RunnerTokenQueries(db);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** PostgreSQL when `databaseUrl` is given, else PGlite under `<home>/db`. Migrations run on open. */
export async function openStore(opts: { home: string; databaseUrl?: string | undefined }): Promise<Store> {
  const db = opts.databaseUrl
    ? await openPostgresDatabase(opts.databaseUrl)
    : await openPgliteDatabase(join(opts.home, "db"));
  await migrate(db);
  return new Store(db);
}
