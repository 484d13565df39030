import { GithubDouble } from "../../test/support/github-double/index.ts";
import type { ForgeBenchDouble, ForgeBenchSubject } from "./forge-bench-subject.ts";

const WEBHOOK_SECRET = "whsec-bench-forge-webhooks";
const FILES = { "README.md": "# bench\n", "calc.mjs": "export const add = (a, b) => a + b;\n" };

/** GitHub, as the GitHub double plays it (REST checked against GitHub's description, signed webhooks). */
export const githubSubject: ForgeBenchSubject = {
  kind: "github",
  title: "GitHub",
  async start(): Promise<ForgeBenchDouble> {
    const gh = await GithubDouble.start();
    const token = gh.createToken("cadre-bot");
    return {
      apiUrl: gh.apiUrl,
      auth: { kind: "token", token },
      webhookSecret: WEBHOOK_SECRET,
      async createRepo(fullName, webhookUrl) {
        const repo = await gh.createRepo(fullName, {
          files: FILES,
          collaborators: { "cadre-bot": "write", alice: "write" },
        });
        gh.addHook(repo, webhookUrl, WEBHOOK_SECRET);
        return gh.cloneUrl(repo);
      },
      async mention(fullName, title, mention) {
        const repo = gh.state.repo(fullName);
        const { thread } = await gh.openIssue(repo, "alice", title, "Found by the benchmark.");
        const sentAt = Date.now();
        await gh.comment(repo, "alice", thread.number, mention);
        return { number: thread.number, sentAt };
      },
      changeRequestOpenedAt(branch) {
        const opened = gh.requests.find(
          (r) => r.operationId === "pulls/create" && r.status === 201 && (r.body as { head?: unknown }).head === branch,
        );
        return opened ? opened.answeredAt : null;
      },
      async close() {
        const problems = gh.problems();
        await gh.close();
        if (problems.length)
          throw new Error(`the GitHub double saw requests its description forbids:\n${problems.join("\n")}`);
      },
    };
  },
};
