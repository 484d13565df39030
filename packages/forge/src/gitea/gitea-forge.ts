import type { Finding } from "@cadre/protocol";
import type { ForgeClient, ForgeConnection, NewChangeRequest, NewCheck } from "../forge-client.ts";
import type { CheckResult, ForgeComment, ForgeEvent, ForgeUser, ThreadRef } from "../forge-model.ts";
import { ForgeError } from "../forge-error.ts";
import { GiteaApi } from "./gitea-api.ts";
import { changeRequest, discussion, findChangeRequest, permission, repository, whoami } from "./gitea-reads.ts";
import { actionsLog } from "./gitea-actions-log.ts";
import { postReview, reviewComments, setCheck } from "./gitea-reviews.ts";
import { acknowledge, comment, ensureWebhook, openChangeRequest, updateChangeRequest } from "./gitea-writes.ts";

/** Gitea or Forgejo (Forgejo speaks Gitea's API) through REST API v1, in Cadre's terms. */
export class GiteaForge implements ForgeClient {
  private readonly api: GiteaApi;
  private me: Promise<ForgeUser> | null = null;

  constructor(connection: ForgeConnection) {
    this.api = new GiteaApi(connection);
  }

  whoami = () => {
    this.me ??= whoami(this.api).catch((error: unknown) => {
      this.me = null;
      throw error;
    });
    return this.me;
  };
  repository = (repoPath: string) => repository(this.api, repoPath);
  permission = (repoPath: string, login: string) => permission(this.api, repoPath, login);
  discussion = (repoPath: string, thread: ThreadRef) => discussion(this.api, repoPath, thread);
  changeRequest = (repoPath: string, number: number) => changeRequest(this.api, repoPath, number);
  findChangeRequest = (repoPath: string, branch: string) => findChangeRequest(this.api, repoPath, branch);
  openChangeRequest = (repoPath: string, request: NewChangeRequest) => openChangeRequest(this.api, repoPath, request);
  updateChangeRequest = (repoPath: string, number: number, change: { title?: string; body?: string }) =>
    updateChangeRequest(this.api, repoPath, number, change);
  comment = (repoPath: string, thread: ThreadRef, body: string) => comment(this.api, repoPath, thread, body);
  acknowledge = (repoPath: string, thread: ThreadRef, target: ForgeComment) =>
    acknowledge(this.api, repoPath, thread, target);
  reviewComments = (repoPath: string, number: number) => reviewComments(this.api, repoPath, number);
  postReview = (repoPath: string, number: number, review: { commit: string; summary: string; findings: Finding[] }) =>
    postReview(this.api, repoPath, number, review);
  setCheck = (repoPath: string, check: NewCheck & { id?: string }) => setCheck(this.api, repoPath, check);
  checkLog = (repoPath: string, check: CheckResult) => actionsLog(this.api, repoPath, check);
  ensureWebhook = (repoPath: string, url: string, secret: string) => ensureWebhook(this.api, repoPath, url, secret);

  poll(): Promise<ForgeEvent[]> {
    const name = this.api.connection.name;
    return Promise.reject(
      new ForgeError(
        "invalid",
        `Gitea (forge '${name}') is not polled: add Cadre's webhook to the repository and turn polling off with 'cadre forge update ${name} --no-poll'`,
        null,
      ),
    );
  }

  /** Gitea takes the token as the password of its user over HTTPS. */
  async gitCredentials(): Promise<{ username: string; password: string }> {
    return { username: (await this.whoami()).login, password: this.api.token };
  }
}
