import { GiteaDouble } from "../../test/support/gitea-double/index.ts";
import type { ForgeBenchDouble, ForgeBenchSubject } from "./forge-bench-subject.ts";

const WEBHOOK_SECRET = "gtwh-bench-forge-webhooks";
const FILES = { "README.md": "# bench\n", "calc.mjs": "export const add = (a, b) => a + b;\n" };

/** Gitea (and Forgejo), as the Gitea double plays it (documented API v1 routes only, signed webhooks). */
export const giteaSubject: ForgeBenchSubject = {
  kind: "gitea",
  title: "Gitea",
  async start(): Promise<ForgeBenchDouble> {
    const gt = await GiteaDouble.start();
    const token = gt.createToken("cadre-bot");
    return {
      apiUrl: gt.apiUrl,
      auth: { kind: "token", token },
      webhookSecret: WEBHOOK_SECRET,
      async createRepo(fullName, webhookUrl) {
        const repo = await gt.createRepo(fullName, {
          files: FILES,
          collaborators: { "cadre-bot": "admin", alice: "write" },
        });
        gt.addHook(repo, webhookUrl, WEBHOOK_SECRET, ["issues", "issue_comment", "pull_request"]);
        return gt.cloneUrl(repo);
      },
      async mention(fullName, title, mention) {
        const repo = gt.repos.get(fullName.toLowerCase());
        if (!repo) throw new Error(`the Gitea double has no repository ${fullName}`);
        const { thread } = await gt.openIssue(repo, "alice", title, "Found by the benchmark.");
        const sentAt = Date.now();
        await gt.comment(repo, { by: "alice", thread, body: mention });
        return { number: thread.number, sentAt };
      },
      changeRequestOpenedAt(branch) {
        for (const repo of gt.repos.values())
          for (const thread of repo.threads.values()) if (thread.pull?.headRef === branch) return thread.pull.openedAt;
        return null;
      },
      async close() {
        const problems = gt.problems();
        await gt.close();
        if (problems.length)
          throw new Error(`the Gitea double saw calls Gitea's reference does not describe:\n${problems.join("\n")}`);
      },
    };
  },
};
