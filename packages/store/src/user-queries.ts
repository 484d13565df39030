import { createHash, randomBytes } from "node:crypto";
import { CadreError, type ApiToken, type NewApiToken, type Role, type User } from "@cadre/protocol";
import type { Sql } from "./sql.ts";
import { newId } from "./new-id.ts";
import { iso, isoOrNull } from "./rows.ts";

interface UserRow {
  id: string;
  name: string;
  email: string | null;
  display_name: string | null;
  role: Role;
  created_by: string;
  created_at: Date;
  repos: string[] | null;
  forge_logins: string[] | null;
}
interface TokenRow {
  id: string;
  user_name: string;
  label: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

/** The name and email on a user's delivered commits; unset parts stay as they are. */
export interface UserIdentity {
  email?: string | undefined;
  displayName?: string | undefined;
}

/** Tokens are stored only as their SHA-256: they are long random strings, so a slow hash adds nothing. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const USER_SELECT = `select u.*,
  coalesce((select array_agg(g.repo_id order by g.repo_id) from repo_grants g where g.user_id = u.id), '{}') as repos,
  coalesce((select array_agg(f.name || ':' || l.login order by f.name, l.login) from forge_logins l join forges f on f.id = l.forge_id where l.user_id = u.id), '{}') as forge_logins
  from users u`;

function toUser(r: UserRow): User {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    displayName: r.display_name,
    role: r.role,
    repos: r.repos ?? [],
    forgeLogins: r.forge_logins ?? [],
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
  };
}
function toToken(r: TokenRow): ApiToken {
  return {
    id: r.id,
    user: r.user_name,
    label: r.label,
    createdAt: iso(r.created_at),
    revokedAt: isoOrNull(r.revoked_at),
    lastUsedAt: isoOrNull(r.last_used_at),
  };
}

/** Named users, their hashed API tokens and their per-repository grants. */
export class UserQueries {
  constructor(private readonly sql: Sql) {}

  /** Creates the user unless one with this name exists; returns whether it was created. */
  async ensure(name: string, role: Role, createdBy: string, identity: UserIdentity = {}): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      "insert into users (id, name, role, created_by, email, display_name) values ($1, $2, $3, $4, $5, $6) on conflict (name) do nothing returning id",
      [newId("user"), name, role, createdBy, identity.email ?? null, identity.displayName ?? null],
    );
    return rows.length > 0;
  }

  /** Sets the given parts of a user's identity (what their delivered commits are authored as). */
  async setIdentity(name: string, identity: UserIdentity): Promise<User | null> {
    await this.sql.query(
      "update users set email = coalesce($2, email), display_name = coalesce($3, display_name) where name = $1",
      [name, identity.email ?? null, identity.displayName ?? null],
    );
    return this.find(name);
  }

  async find(name: string): Promise<User | null> {
    const rows = await this.sql.query<UserRow>(`${USER_SELECT} where u.name = $1`, [name]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async list(): Promise<User[]> {
    return (await this.sql.query<UserRow>(`${USER_SELECT} order by u.name`)).map(toUser);
  }

  async createToken(userName: string, label: string): Promise<NewApiToken> {
    const token = `cadre_${randomBytes(24).toString("base64url")}`;
    const rows = await this.sql.query<TokenRow>(
      `with ins as (insert into api_tokens (id, user_id, token_hash, label) select $1, u.id, $2, $3 from users u where u.name = $4 returning *)
       select ins.*, $4::text as user_name from ins`,
      [newId("tok"), hashToken(token), label, userName],
    );
    if (!rows[0]) throw new CadreError("not_found", `no user named ${userName}`);
    return { token, info: toToken(rows[0]) };
  }

  async tokens(userName: string): Promise<ApiToken[]> {
    const rows = await this.sql.query<TokenRow>(
      "select t.*, u.name as user_name from api_tokens t join users u on u.id = t.user_id where u.name = $1 order by t.created_at",
      [userName],
    );
    return rows.map(toToken);
  }

  async token(id: string): Promise<ApiToken | null> {
    const rows = await this.sql.query<TokenRow>(
      "select t.*, u.name as user_name from api_tokens t join users u on u.id = t.user_id where t.id = $1",
      [id],
    );
    return rows[0] ? toToken(rows[0]) : null;
  }

  async revokeToken(id: string): Promise<ApiToken | null> {
    await this.sql.query("update api_tokens set revoked_at = coalesce(revoked_at, now()) where id = $1", [id]);
    return this.token(id);
  }

  /**
   * The user a live token belongs to. Read on every request (no cache), so a revoked token is
   * refused by every instance at once.
   */
  async authenticate(token: string): Promise<{ name: string; role: Role } | null> {
    const rows = await this.sql.query<{ id: string; name: string; role: Role; stale: boolean }>(
      `select t.id, u.name, u.role, (t.last_used_at is null or t.last_used_at < now() - interval '1 minute') as stale
       from api_tokens t join users u on u.id = t.user_id where t.token_hash = $1 and t.revoked_at is null`,
      [hashToken(token)],
    );
    const row = rows[0];
    if (!row) return null;
    // last use is kept to the minute: a write per request would cost more than it tells
    if (row.stale) await this.sql.query("update api_tokens set last_used_at = now() where id = $1", [row.id]);
    return { name: row.name, role: row.role };
  }

  async grant(userName: string, repoId: string, by: string): Promise<void> {
    await this.sql.query(
      "insert into repo_grants (user_id, repo_id, granted_by) select id, $2, $3 from users where name = $1 on conflict do nothing",
      [userName, repoId, by],
    );
  }

  async ungrant(userName: string, repoId: string): Promise<void> {
    await this.sql.query(
      "delete from repo_grants g using users u where u.id = g.user_id and u.name = $1 and g.repo_id = $2",
      [userName, repoId],
    );
  }

  /** Repo ids the user was granted. */
  async grantedRepos(userName: string): Promise<string[]> {
    const rows = await this.sql.query<{ repo_id: string }>(
      "select g.repo_id from repo_grants g join users u on u.id = g.user_id where u.name = $1",
      [userName],
    );
    return rows.map((r) => r.repo_id);
  }

  /** Tasks this user created in the last `windowMs` (rate limits count rows PostgreSQL already keeps). */
  async tasksCreatedSince(userName: string, windowMs: number): Promise<number> {
    const rows = await this.sql.query<{ n: string }>(
      "select count(*) as n from tasks where created_by = $1 and created_at > now() - make_interval(secs => $2::float8 / 1000)",
      [userName, windowMs],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Maps a forge login to the user (one Cadre user per login; the latest mapping wins). */
  async mapForgeLogin(userName: string, forgeId: string, login: string): Promise<void> {
    await this.sql.query(
      `insert into forge_logins (forge_id, login, user_id) select $2, lower($3), id from users where name = $1
       on conflict (forge_id, login) do update set user_id = excluded.user_id`,
      [userName, forgeId, login],
    );
  }

  /** The Cadre user a forge login is mapped to, or null. */
  async byForgeLogin(forgeId: string, login: string): Promise<string | null> {
    const rows = await this.sql.query<{ name: string }>(
      "select u.name from forge_logins l join users u on u.id = l.user_id where l.forge_id = $1 and l.login = lower($2)",
      [forgeId, login],
    );
    return rows[0]?.name ?? null;
  }
}
