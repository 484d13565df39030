import type { Finding } from "@cadre/protocol";
import type { ForgeClient, ForgeConnection, NewChangeRequest, NewCheck } from "../forge-client.ts";
import type { CheckResult, ForgeComment, ForgeEvent, ThreadRef } from "../forge-model.ts";
import { ForgeError } from "../forge-error.ts";
import { GitlabContext } from "./gitlab-context.ts";
import { changeRequest, discussion, findChangeRequest, permission, repository, whoami } from "./gitlab-reads.ts";
import { checkLog, postReview, reviewComments, setCheck } from "./gitlab-reviews.ts";
import { acknowledge, comment, ensureWebhook, openChangeRequest, updateChangeRequest } from "./gitlab-writes.ts";

/** GitLab (gitlab.com or self-managed) through its REST API v4 with @gitbeaker/rest, in Cadre's terms. */
export class GitlabForge implements ForgeClient {
  private readonly gl: GitlabContext;

  constructor(connection: ForgeConnection) {
    this.gl = new GitlabContext(connection);
  }

  whoami = () => whoami(this.gl);
  repository = (repoPath: string) => repository(this.gl, repoPath);
  permission = (repoPath: string, login: string) => permission(this.gl, repoPath, login);
  discussion = (repoPath: string, thread: ThreadRef) => discussion(this.gl, repoPath, thread);
  changeRequest = (repoPath: string, number: number) => changeRequest(this.gl, repoPath, number);
  findChangeRequest = (repoPath: string, branch: string) => findChangeRequest(this.gl, repoPath, branch);
  openChangeRequest = (repoPath: string, request: NewChangeRequest) => openChangeRequest(this.gl, repoPath, request);
  updateChangeRequest = (repoPath: string, number: number, change: { title?: string; body?: string }) =>
    updateChangeRequest(this.gl, repoPath, number, change);
  comment = (repoPath: string, thread: ThreadRef, body: string) => comment(this.gl, repoPath, thread, body);
  acknowledge = (repoPath: string, thread: ThreadRef, target: ForgeComment) =>
    acknowledge(this.gl, repoPath, thread, target);
  reviewComments = (repoPath: string, number: number) => reviewComments(this.gl, repoPath, number);
  postReview = (repoPath: string, number: number, review: { commit: string; summary: string; findings: Finding[] }) =>
    postReview(this.gl, repoPath, number, review);
  setCheck = (repoPath: string, check: NewCheck & { id?: string }) => setCheck(this.gl, repoPath, check);
  checkLog = (repoPath: string, check: CheckResult) => checkLog(this.gl, repoPath, check);
  ensureWebhook = (repoPath: string, url: string, secret: string) => ensureWebhook(this.gl, repoPath, url, secret);

  /** GitLab has no repository-wide "comments since" listing Cadre could poll cheaply: webhooks only. */
  poll(): Promise<ForgeEvent[]> {
    return Promise.reject(
      new ForgeError(
        "invalid",
        `GitLab (forge '${this.gl.connection.name}') is not polled: add Cadre's webhook to the project and turn polling off with 'cadre forge update ${this.gl.connection.name} --no-poll'`,
        null,
      ),
    );
  }

  /** GitLab takes any username with an access token as the password over HTTPS (docs: "oauth2" for tokens). */
  async gitCredentials(): Promise<{ username: string; password: string }> {
    return { username: "oauth2", password: this.gl.token };
  }
}
