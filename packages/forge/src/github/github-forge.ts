import type { Finding } from "@cadre/protocol";
import type { ForgeClient, ForgeConnection, NewChangeRequest, NewCheck, PollRequest } from "../forge-client.ts";
import type { CheckResult, ForgeComment, ThreadRef } from "../forge-model.ts";
import { GithubContext } from "./github-context.ts";
import { poll } from "./github-poll.ts";
import { changeRequest, discussion, findChangeRequest, permission, repository, whoami } from "./github-reads.ts";
import { checkLog, postReview, reviewComments, setCheck } from "./github-reviews.ts";
import { acknowledge, comment, ensureWebhook, openChangeRequest, updateChangeRequest } from "./github-writes.ts";

/** GitHub (github.com or Enterprise Server) through its REST API, in Cadre's terms. */
export class GithubForge implements ForgeClient {
  private readonly gh: GithubContext;

  constructor(connection: ForgeConnection) {
    this.gh = new GithubContext(connection);
  }

  whoami = () => whoami(this.gh);
  repository = (repoPath: string) => repository(this.gh, repoPath);
  permission = (repoPath: string, login: string) => permission(this.gh, repoPath, login);
  discussion = (repoPath: string, thread: ThreadRef) => discussion(this.gh, repoPath, thread);
  changeRequest = (repoPath: string, number: number) => changeRequest(this.gh, repoPath, number);
  findChangeRequest = (repoPath: string, branch: string) => findChangeRequest(this.gh, repoPath, branch);
  openChangeRequest = (repoPath: string, request: NewChangeRequest) => openChangeRequest(this.gh, repoPath, request);
  updateChangeRequest = (repoPath: string, number: number, change: { title?: string; body?: string }) =>
    updateChangeRequest(this.gh, repoPath, number, change);
  comment = (repoPath: string, thread: ThreadRef, body: string) => comment(this.gh, repoPath, thread, body);
  acknowledge = (repoPath: string, thread: ThreadRef, target: ForgeComment) =>
    acknowledge(this.gh, repoPath, thread, target);
  reviewComments = (repoPath: string, number: number) => reviewComments(this.gh, repoPath, number);
  postReview = (repoPath: string, number: number, review: { commit: string; summary: string; findings: Finding[] }) =>
    postReview(this.gh, repoPath, number, review);
  setCheck = (repoPath: string, check: NewCheck & { id?: string }) => setCheck(this.gh, repoPath, check);
  checkLog = (repoPath: string, check: CheckResult) => checkLog(this.gh, repoPath, check);
  ensureWebhook = (repoPath: string, url: string, secret: string) => ensureWebhook(this.gh, repoPath, url, secret);
  poll = (request: PollRequest) => poll(this.gh, request);

  async gitCredentials(): Promise<{ username: string; password: string }> {
    return { username: "x-access-token", password: await this.gh.password() };
  }
}
