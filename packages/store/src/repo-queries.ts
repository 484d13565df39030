import type { Repo } from "@cadre/protocol";
import type { Sql } from "./sql.ts";
import { newId } from "./new-id.ts";
import { toRepo, type RepoRow } from "./rows.ts";

export class RepoQueries {
  constructor(private readonly sql: Sql) {}

  async create(input: { id?: string; name: string; origin: string; defaultBranch: string }): Promise<Repo> {
    const rows = await this.sql.query<RepoRow>(
      "insert into repos (id, name, origin, default_branch) values ($1, $2, $3, $4) returning *",
      [input.id ?? newId("repo"), input.name, input.origin, input.defaultBranch],
    );
    return toRepo(rows[0] as RepoRow);
  }

  async list(): Promise<Repo[]> {
    return (await this.sql.query<RepoRow>("select * from repos order by name")).map(toRepo);
  }

  /** By id or by name; an id wins over a name that happens to be equal to it. */
  async find(idOrName: string): Promise<Repo | null> {
    const rows = await this.sql.query<RepoRow>(
      "select * from repos where id = $1 or name = $1 order by (id = $1) desc limit 1",
      [idOrName],
    );
    return rows[0] ? toRepo(rows[0]) : null;
  }

  async findByName(name: string): Promise<Repo | null> {
    const rows = await this.sql.query<RepoRow>("select * from repos where name = $1", [name]);
    return rows[0] ? toRepo(rows[0]) : null;
  }
}
