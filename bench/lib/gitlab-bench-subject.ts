import { GitlabDouble } from "../../test/support/gitlab-double/index.ts";
import type { ForgeBenchDouble, ForgeBenchSubject } from "./forge-bench-subject.ts";

const WEBHOOK_SECRET = "glwh-bench-forge-webhooks";
const FILES = { "README.md": "# bench\n", "calc.mjs": "export const add = (a, b) => a + b;\n" };

/** GitLab, as the GitLab double plays it (documented API v4 routes only, X-Gitlab-Token webhooks). */
export const gitlabSubject: ForgeBenchSubject = {
  kind: "gitlab",
  title: "GitLab",
  async start(): Promise<ForgeBenchDouble> {
    const gl = await GitlabDouble.start();
    const token = gl.createToken("cadre-bot");
    return {
      apiUrl: gl.apiUrl,
      auth: { kind: "token", token },
      webhookSecret: WEBHOOK_SECRET,
      async createRepo(fullName, webhookUrl) {
        const project = await gl.createProject(fullName, {
          files: FILES,
          members: { "cadre-bot": "maintainer", alice: "developer" },
        });
        gl.addHook(project, webhookUrl, WEBHOOK_SECRET, { note_events: true, issues_events: true });
        return gl.cloneUrl(project);
      },
      async mention(fullName, title, mention) {
        const project = gl.findProject(fullName);
        if (!project) throw new Error(`the GitLab double has no project ${fullName}`);
        const { issue } = await gl.openIssue(project, "alice", title, "Found by the benchmark.");
        const sentAt = Date.now();
        await gl.comment(project, { by: "alice", on: { issue }, body: mention });
        return { number: issue.iid, sentAt };
      },
      changeRequestOpenedAt(branch) {
        for (const project of gl.projects.values())
          for (const mr of project.mergeRequests.values())
            if (mr.sourceBranch === branch) return Date.parse(mr.createdAt);
        return null;
      },
      async close() {
        const problems = gl.problems();
        await gl.close();
        if (problems.length)
          throw new Error(`the GitLab double saw calls GitLab's reference does not describe:\n${problems.join("\n")}`);
      },
    };
  },
};
