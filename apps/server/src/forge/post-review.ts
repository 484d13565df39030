import { parseFindings, severityRank, type Finding, type TaskWithAttempts } from "@cadre/protocol";
import { diffCommits, mergeBase, parsePatch } from "@cadre/git";
import type { ForgeLink } from "@cadre/store";
import { mirrorPath } from "../cadre-home.ts";
import { REVIEW_CHECK } from "./forge-jobs.ts";
import { tracked, type ForgeScope } from "./forge-scope.ts";

/** Lines of the new version that a change request's diff shows: where inline comments may go. */
async function diffLines(gitDir: string, base: string, head: string): Promise<Map<string, Set<number>>> {
  const from = (await mergeBase(gitDir, base, head)) ?? base;
  const diff = await diffCommits({ gitDir, base: from, head, limit: 2000 });
  const lines = new Map<string, Set<number>>();
  for (const file of parsePatch(diff.patch)) {
    if (!file.newPath) continue;
    const shown = new Set<number>();
    for (const hunk of file.hunks) {
      let line = hunk.newStart;
      for (const text of hunk.lines) {
        if (text.startsWith("+") || text.startsWith(" ")) shown.add(line++);
      }
    }
    lines.set(file.newPath, shown);
  }
  return lines;
}

/** Findings compare equal on file and explanation (lines move when the code does). */
function keyOf(file: string, explanation: string): string {
  return `${file}|${explanation.replace(/\s+/g, " ").trim().toLowerCase().slice(0, 120)}`;
}

function explanationOf(body: string): string {
  return (body.split("\n")[0] ?? "").replace(/^\*\*[a-z]+\*\*:\s*/i, "");
}

function summaryOf(input: {
  commit: string;
  findings: Finding[];
  elsewhere: Finding[];
  repeated: number;
  taskUrl: string;
}): string {
  const counts = ["critical", "high", "medium", "low"]
    .map((s) => [s, input.findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const lines = [
    `**${REVIEW_CHECK}** of ${input.commit.slice(0, 12)}: ${input.findings.length === 0 ? "no findings." : `${input.findings.length} finding${input.findings.length === 1 ? "" : "s"} (${counts.join(", ")}).`}`,
  ];
  if (input.repeated > 0) lines.push(`${input.repeated} already commented on before are not repeated.`);
  if (input.elsewhere.length > 0)
    lines.push(
      "",
      "Not on a changed line:",
      ...input.elsewhere.map(
        (f) => `- ${f.file ? `\`${f.file}${f.line ? `:${f.line}` : ""}\` ` : ""}**${f.severity}**: ${f.explanation}`,
      ),
    );
  lines.push("", `Cadre task: ${input.taskUrl}`);
  return lines.join("\n");
}

/**
 * Posts a finished review task's findings on its change request: a review with inline comments
 * on changed lines (never repeating one Cadre already made there) and the "Cadre review" check,
 * neutral unless a finding reaches the repo's `failOn` severity.
 */
export async function postReview(scope: ForgeScope, task: TaskWithAttempts, link: ForgeLink): Promise<void> {
  const attempt = task.attempts.find((a) => a.id === link.attemptId);
  const number = link.changeRequest as number;
  const commit = task.baseCommit;
  const taskUrl = scope.ctx.forges.taskUrl(task.id);
  const repo = await scope.ctx.store.repos.find(task.repoId);
  const findings = parseFindings(attempt?.summary ?? "");
  const check = async (state: "neutral" | "failure", title: string, summary: string) => {
    const set = await tracked(scope, (client) =>
      client.setCheck(link.repoPath, {
        ...(link.checkId ? { id: link.checkId } : {}),
        commit,
        name: REVIEW_CHECK,
        state,
        title,
        summary,
        detailsUrl: taskUrl,
      }),
    );
    if (set.kind === "check") await scope.ctx.store.forgeLinks.setCheckId(task.id, set.id);
  };
  if (!findings) {
    await check(
      "neutral",
      "the review's answer could not be read",
      `The review finished without a findings block; see ${taskUrl}`,
    );
    return;
  }
  const bot = (await scope.botLogin()).toLowerCase();
  const previous = (await tracked(scope, (client) => client.reviewComments(link.repoPath, number))).filter(
    (c) => c.author.toLowerCase() === bot,
  );
  const seen = new Set(previous.map((c) => keyOf(c.file, explanationOf(c.body))));
  const fresh = findings.filter((f) => !seen.has(keyOf(f.file, f.explanation)));
  const lines = await diffLines(
    mirrorPath(scope.ctx.home, task.repoId),
    (await tracked(scope, (client) => client.changeRequest(link.repoPath, number))).base.commit,
    commit,
  );
  const inline = fresh.filter((f) => f.line !== null && lines.get(f.file)?.has(f.line));
  const elsewhere = fresh.filter((f) => !inline.includes(f));
  const summary = summaryOf({ commit, findings, elsewhere, repeated: findings.length - fresh.length, taskUrl });
  if (fresh.length > 0 || previous.length === 0)
    await tracked(scope, (client) => client.postReview(link.repoPath, number, { commit, summary, findings: inline }));
  const failOn = repo?.forge?.settings.failOn ?? null;
  const failing = failOn !== null && findings.some((f) => severityRank(f.severity) >= severityRank(failOn));
  await check(
    failing ? "failure" : "neutral",
    findings.length === 0 ? "no findings" : `${findings.length} finding${findings.length === 1 ? "" : "s"}`,
    summary,
  );
}
