import type { Repo, RepoForge, RepoForgeSettings } from "@cadre/protocol";
import type { Sql } from "./sql.ts";
import { newId } from "./new-id.ts";
import { toRepo, type RepoRow } from "./rows.ts";

const REPO_SELECT =
  "select r.*, f.name as forge_name, f.kind as forge_kind from repos r left join forges f on f.id = r.forge_id";

/** A repo's link to its forge: which forge, its `owner/name` there, and how the webhook reaches Cadre. */
export interface RepoForgeLink {
  forgeId: string;
  repoPath: string;
  webhook: RepoForge["webhook"];
}

export class RepoQueries {
  constructor(private readonly sql: Sql) {}

  async create(input: {
    id?: string;
    name: string;
    origin: string;
    defaultBranch: string;
    forge?: RepoForgeLink | null;
  }): Promise<Repo> {
    const rows = await this.sql.query<{ id: string }>(
      "insert into repos (id, name, origin, default_branch, forge_id, forge_repo, forge_webhook) values ($1, $2, $3, $4, $5, $6, $7) returning id",
      [
        input.id ?? newId("repo"),
        input.name,
        input.origin,
        input.defaultBranch,
        input.forge?.forgeId ?? null,
        input.forge?.repoPath ?? null,
        input.forge?.webhook ?? null,
      ],
    );
    return (await this.find((rows[0] as { id: string }).id)) as Repo;
  }

  async list(): Promise<Repo[]> {
    return (await this.sql.query<RepoRow>(`${REPO_SELECT} order by r.name`)).map(toRepo);
  }

  /** By id or by name; an id wins over a name that happens to be equal to it. */
  async find(idOrName: string): Promise<Repo | null> {
    const rows = await this.sql.query<RepoRow>(
      `${REPO_SELECT} where r.id = $1 or r.name = $1 order by (r.id = $1) desc limit 1`,
      [idOrName],
    );
    return rows[0] ? toRepo(rows[0]) : null;
  }

  async findByName(name: string): Promise<Repo | null> {
    const rows = await this.sql.query<RepoRow>(`${REPO_SELECT} where r.name = $1`, [name]);
    return rows[0] ? toRepo(rows[0]) : null;
  }

  /** The repo that is `repoPath` on a forge (compared case-insensitively, as forges do). */
  async byForgeRepo(forgeId: string, repoPath: string): Promise<Repo | null> {
    const rows = await this.sql.query<RepoRow>(
      `${REPO_SELECT} where r.forge_id = $1 and lower(r.forge_repo) = lower($2)`,
      [forgeId, repoPath],
    );
    return rows[0] ? toRepo(rows[0]) : null;
  }

  async forForge(forgeId: string): Promise<Repo[]> {
    return (await this.sql.query<RepoRow>(`${REPO_SELECT} where r.forge_id = $1 order by r.name`, [forgeId])).map(
      toRepo,
    );
  }

  async setForgeWebhook(id: string, webhook: RepoForge["webhook"]): Promise<void> {
    await this.sql.query("update repos set forge_webhook = $2 where id = $1", [id, webhook]);
  }

  async setForgeSettings(id: string, settings: RepoForgeSettings): Promise<void> {
    await this.sql.query("update repos set forge_settings = $2::jsonb where id = $1", [id, JSON.stringify(settings)]);
  }

  /** Detaches every repo from a forge (it is being removed): they stay plain git repos. */
  async detachForge(forgeId: string): Promise<void> {
    await this.sql.query(
      "update repos set forge_id = null, forge_repo = null, forge_webhook = null where forge_id = $1",
      [forgeId],
    );
  }
}
