import type { Finding } from "@cadre/protocol";
import { z } from "zod";
import type { NewCheck } from "../forge-client.ts";
import type { CheckResult } from "../forge-model.ts";
import { ForgeError } from "../forge-error.ts";
import { logTail } from "../log-tail.ts";
import type { GitlabContext } from "./gitlab-context.ts";
import { GlMergeRequest, GlNote } from "./gitlab-objects.ts";

/** Failed jobs of a pipeline whose traces are read. */
const TRACED_JOBS = 3;

/** Commit status states (docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit); neutral reads as success. */
const STATUS = { pending: "running", success: "success", neutral: "success", failure: "failed" } as const;

const Discussion = z.object({ id: z.string(), notes: z.array(GlNote) });
const Status = z.object({ id: z.number() });
const Job = z.object({ id: z.number(), name: z.string(), status: z.string() });

/** A finding as a discussion note: severity, explanation, and GitLab's suggestion block when there is one. */
export function findingNote(finding: Finding): string {
  const lines = [`**${finding.severity}**: ${finding.explanation}`];
  if (finding.suggestion !== undefined) lines.push("", "```suggestion:-0+0", finding.suggestion, "```");
  return lines.join("\n");
}

export async function reviewComments(gl: GitlabContext, repoPath: string, number: number) {
  const raw = await gl.call(`reading the discussions of !${number}`, () =>
    gl.api.MergeRequestDiscussions.all(repoPath, number, { perPage: 100 }),
  );
  return z
    .array(Discussion)
    .parse(raw)
    .flatMap((d) => d.notes)
    .filter((note) => note.type === "DiffNote" && note.position?.new_path)
    .map((note) => ({
      file: note.position?.new_path ?? "",
      line: note.position?.new_line ?? null,
      body: note.body,
      author: note.author.username,
    }));
}

/**
 * A review as GitLab has them: one discussion per finding on its changed line (positioned by the
 * merge request's diff refs), then a note with the summary and any finding GitLab refused as off the diff.
 */
export async function postReview(
  gl: GitlabContext,
  repoPath: string,
  number: number,
  review: { commit: string; summary: string; findings: Finding[] },
): Promise<{ url: string; inline: number }> {
  const mr = GlMergeRequest.parse(
    await gl.call(`reading merge request !${number}`, () => gl.api.MergeRequests.show(repoPath, number)),
  );
  const refs = mr.diff_refs;
  const offDiff: Finding[] = [];
  let inline = 0;
  for (const finding of review.findings) {
    if (finding.file === "" || finding.line === null || !refs?.base_sha || !refs.start_sha) {
      offDiff.push(finding);
      continue;
    }
    const position = {
      positionType: "text" as const,
      baseSha: refs.base_sha,
      startSha: refs.start_sha,
      headSha: review.commit,
      newPath: finding.file,
      oldPath: finding.file,
      newLine: String(finding.line),
    };
    try {
      await gl.call(`starting a discussion on ${finding.file}:${finding.line} of !${number}`, () =>
        gl.api.MergeRequestDiscussions.create(repoPath, number, findingNote(finding), { position }),
      );
      inline += 1;
    } catch (error) {
      if (!(error instanceof ForgeError) || (error.problem !== "invalid" && error.status !== 400)) throw error;
      offDiff.push(finding);
    }
  }
  const listed = offDiff.map(
    (f) => `- ${f.file ? `\`${f.file}${f.line ? `:${f.line}` : ""}\` ` : ""}${findingNote(f)}`,
  );
  const body = listed.length ? `${review.summary}\n\n${listed.join("\n")}` : review.summary;
  const note = Status.parse(
    await gl.call(`commenting the review on !${number}`, () => gl.api.MergeRequestNotes.create(repoPath, number, body)),
  );
  return { url: `${mr.web_url}#note_${note.id}`, inline };
}

/** A commit status named after the check; GitLab keeps one per name and ref, so setting it again updates it. */
export async function setCheck(
  gl: GitlabContext,
  repoPath: string,
  check: NewCheck & { id?: string },
): Promise<{ kind: "check" | "status"; id: string }> {
  const data = await gl.call(`setting the commit status '${check.name}'`, () =>
    gl.api.Commits.editStatus(repoPath, check.commit, STATUS[check.state], {
      name: check.name,
      description: check.title.slice(0, 255),
      ...(check.detailsUrl ? { targetUrl: check.detailsUrl } : {}),
    }),
  );
  return { kind: "status", id: String(Status.parse(data).id) };
}

/** The end of the traces of a failed pipeline's failed jobs (or of the failed job itself). */
export async function checkLog(gl: GitlabContext, repoPath: string, check: CheckResult): Promise<string | null> {
  const [kind, id] = check.id.split(":");
  try {
    const jobs =
      kind === "job"
        ? [{ id: Number(id), name: check.name }]
        : z
            .array(Job)
            .parse(
              await gl.call(`listing the failed jobs of pipeline ${id}`, () =>
                gl.api.Jobs.all(repoPath, { pipelineId: Number(id), scope: "failed" }),
              ),
            )
            .slice(0, TRACED_JOBS);
    const traces: string[] = [];
    for (const job of jobs) {
      const trace = await gl.call(`reading the trace of job ${job.name}`, () => gl.api.Jobs.showLog(repoPath, job.id));
      traces.push(`--- job ${job.name} ---\n${logTail(String(trace))}`);
    }
    return traces.length ? traces.join("\n") : null;
  } catch (error) {
    if (error instanceof ForgeError && (error.problem === "not_found" || error.problem === "permission")) return null;
    throw error;
  }
}
