import type { ForgeStatus } from "@cadre/protocol";
import type { Sql } from "./sql.ts";
import { newId } from "./new-id.ts";
import { iso, isoOrNull } from "./rows.ts";

/** A forge as stored: its secrets still encrypted (the server decrypts them when it connects). */
export interface ForgeRecord {
  id: string;
  name: string;
  kind: string;
  apiUrl: string;
  webUrl: string;
  botName: string;
  authKind: "token" | "app";
  appId: string | null;
  installationId: number | null;
  /** `token` or `privateKey`, and `webhookSecret`: each encrypted. */
  encryptedSecrets: Record<string, string>;
  pollSeconds: number | null;
  polledAt: string | null;
  pacing: boolean;
  serviceUser: string;
  status: ForgeStatus;
  createdBy: string;
  createdAt: string;
}

interface ForgeRow {
  id: string;
  name: string;
  kind: string;
  api_url: string;
  web_url: string;
  bot_name: string;
  auth_kind: "token" | "app";
  app_id: string | null;
  installation_id: string | number | null;
  secrets: unknown;
  poll_seconds: number | null;
  polled_at: Date | null;
  pacing: boolean;
  service_user: string;
  status: unknown;
  created_by: string;
  created_at: Date;
}

function parsed<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

function toRecord(r: ForgeRow): ForgeRecord {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    apiUrl: r.api_url,
    webUrl: r.web_url,
    botName: r.bot_name,
    authKind: r.auth_kind,
    appId: r.app_id,
    installationId: r.installation_id === null ? null : Number(r.installation_id),
    encryptedSecrets: parsed<Record<string, string>>(r.secrets),
    pollSeconds: r.poll_seconds,
    polledAt: isoOrNull(r.polled_at),
    pacing: r.pacing,
    serviceUser: r.service_user,
    status: parsed<ForgeStatus>(r.status),
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
  };
}

export type NewForge = Omit<ForgeRecord, "id" | "polledAt" | "status" | "createdAt">;

/** Connected forges. */
export class ForgeQueries {
  constructor(private readonly sql: Sql) {}

  async create(f: NewForge): Promise<ForgeRecord> {
    const rows = await this.sql.query<ForgeRow>(
      `insert into forges (id, name, kind, api_url, web_url, bot_name, auth_kind, app_id, installation_id, secrets, poll_seconds, pacing, service_user, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14) returning *`,
      [
        newId("forge"),
        f.name,
        f.kind,
        f.apiUrl,
        f.webUrl,
        f.botName,
        f.authKind,
        f.appId,
        f.installationId,
        JSON.stringify(f.encryptedSecrets),
        f.pollSeconds,
        f.pacing,
        f.serviceUser,
        f.createdBy,
      ],
    );
    return toRecord(rows[0] as ForgeRow);
  }

  /** Replaces what an update may change. */
  async update(
    id: string,
    f: Pick<
      ForgeRecord,
      "botName" | "authKind" | "appId" | "installationId" | "encryptedSecrets" | "pollSeconds" | "pacing"
    >,
  ): Promise<ForgeRecord> {
    const rows = await this.sql.query<ForgeRow>(
      `update forges set bot_name = $2, auth_kind = $3, app_id = $4, installation_id = $5, secrets = $6::jsonb, poll_seconds = $7, pacing = $8,
         status = '{"state":"unknown","message":null,"at":null}', updated_at = now() where id = $1 returning *`,
      [
        id,
        f.botName,
        f.authKind,
        f.appId,
        f.installationId,
        JSON.stringify(f.encryptedSecrets),
        f.pollSeconds,
        f.pacing,
      ],
    );
    return toRecord(rows[0] as ForgeRow);
  }

  async list(): Promise<ForgeRecord[]> {
    return (await this.sql.query<ForgeRow>("select * from forges order by name")).map(toRecord);
  }

  /** By id or by name. */
  async find(idOrName: string): Promise<ForgeRecord | null> {
    const rows = await this.sql.query<ForgeRow>("select * from forges where id = $1 or name = $1 limit 1", [idOrName]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async remove(id: string): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query("delete from forge_links where forge_id = $1", [id]);
      await tx.query("delete from forges where id = $1", [id]);
    });
  }

  /** What the forge last said about Cadre's credentials (shown on its page). */
  async setStatus(id: string, status: ForgeStatus): Promise<void> {
    await this.sql.query("update forges set status = $2::jsonb where id = $1", [id, JSON.stringify(status)]);
  }

  /**
   * Takes the forge's polling turn if it is due: one server instance polls per interval, and the
   * time it polled from is returned (null when it is not due or another instance took it).
   */
  async takePollTurn(id: string): Promise<{ since: string } | null> {
    const rows = await this.sql.query<{ since: Date }>(
      `with due as (
         select id, coalesce(polled_at, created_at) as since from forges
         where id = $1 and poll_seconds is not null and (polled_at is null or polled_at < now() - make_interval(secs => poll_seconds))
         for update skip locked)
       update forges f set polled_at = now() from due where f.id = due.id returning due.since`,
      [id],
    );
    return rows[0] ? { since: iso(rows[0].since) } : null;
  }
}
