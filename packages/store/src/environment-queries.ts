import type { Environment, Limits, NetworkPolicy } from "@cadre/protocol";
import type { Sql } from "./sql.ts";
import { newId } from "./new-id.ts";
import { toEnvironment, type EnvironmentRow } from "./rows.ts";

export interface EnvironmentRecord {
  name: string;
  repoId: string | null;
  allowedRepoIds: string[];
  setupScript: string;
  maintenanceScript: string;
  variables: Record<string, string>;
  /** Secret name → encrypted value (never plaintext: the server encrypts before storing). */
  encryptedSecrets: Record<string, string>;
  networkPolicy: NetworkPolicy;
  limits: Limits;
  testCommand: string;
  instructions: string;
  setupTtlMs: number;
  image: string | null;
}

export class EnvironmentQueries {
  constructor(private readonly sql: Sql) {}

  async create(e: EnvironmentRecord): Promise<Environment> {
    const rows = await this.sql.query<EnvironmentRow>(
      `insert into environments (id, name, repo_id, setup_script, maintenance_script, variables, secrets, network_policy, limits, test_command, instructions, setup_ttl_ms, image, allowed_repo_ids)
       values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11, $12, $13, $14::jsonb) returning *`,
      [
        newId("env"),
        e.name,
        e.repoId,
        e.setupScript,
        e.maintenanceScript,
        JSON.stringify(e.variables),
        JSON.stringify(e.encryptedSecrets),
        JSON.stringify(e.networkPolicy),
        JSON.stringify(e.limits),
        e.testCommand,
        e.instructions,
        e.setupTtlMs,
        e.image,
        JSON.stringify(e.allowedRepoIds),
      ],
    );
    return toEnvironment(rows[0] as EnvironmentRow);
  }

  async update(id: string, e: EnvironmentRecord): Promise<Environment> {
    const rows = await this.sql.query<EnvironmentRow>(
      `update environments set name = $2, repo_id = $3, setup_script = $4, maintenance_script = $5, variables = $6::jsonb, secrets = $7::jsonb,
         network_policy = $8::jsonb, limits = $9::jsonb, test_command = $10, instructions = $11, setup_ttl_ms = $12, image = $13,
         allowed_repo_ids = $14::jsonb, updated_at = clock_timestamp()
       where id = $1 returning *`,
      [
        id,
        e.name,
        e.repoId,
        e.setupScript,
        e.maintenanceScript,
        JSON.stringify(e.variables),
        JSON.stringify(e.encryptedSecrets),
        JSON.stringify(e.networkPolicy),
        JSON.stringify(e.limits),
        e.testCommand,
        e.instructions,
        e.setupTtlMs,
        e.image,
        JSON.stringify(e.allowedRepoIds),
      ],
    );
    return toEnvironment(rows[0] as EnvironmentRow);
  }

  async list(): Promise<Environment[]> {
    return (await this.sql.query<EnvironmentRow>("select * from environments order by name")).map(toEnvironment);
  }

  async find(idOrName: string): Promise<Environment | null> {
    // an id wins over a name that happens to be equal to it
    const rows = await this.sql.query<EnvironmentRow>(
      "select * from environments where id = $1 or name = $1 order by (id = $1) desc limit 1",
      [idOrName],
    );
    return rows[0] ? toEnvironment(rows[0]) : null;
  }

  /** Encrypted secret values, for the runner (setup phase) and for updates. */
  async encryptedSecrets(id: string): Promise<Record<string, string>> {
    const rows = await this.sql.query<{ secrets: Record<string, string> | string }>(
      "select secrets from environments where id = $1",
      [id],
    );
    const s = rows[0]?.secrets ?? {};
    return typeof s === "string" ? (JSON.parse(s) as Record<string, string>) : s;
  }
}
