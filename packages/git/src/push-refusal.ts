import { CadreError } from "@cadre/protocol";

/** A branch by its name, any other ref in full. */
export function shortName(ref: string): string {
  return ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : ref;
}

/** One ref's line of `git push --porcelain`. */
export interface PorcelainLine {
  flag: string;
  from: string;
  to: string;
  summary: string;
}

export function parsePorcelain(stdout: string): PorcelainLine[] {
  const out: PorcelainLine[] = [];
  for (const line of stdout.split("\n")) {
    const m = /^([ +\-*!=])\t([^\t]*)\t(.*)$/.exec(line);
    if (!m) continue;
    const spec = m[2] as string;
    const colon = spec.lastIndexOf(":");
    out.push({ flag: m[1] as string, from: spec.slice(0, colon), to: spec.slice(colon + 1), summary: m[3] as string });
  }
  return out;
}

/** What one `git push --porcelain` said. */
export interface PushRun {
  code: number;
  stderr: string;
  lines: PorcelainLine[];
}

/** A ref refused because the remote's moved on (or exists already, against a lease). */
export const MOVED_ON = /non-fast-forward|fetch first|stale info|already exists/;

/** Why a push (or the part of it in `rejected`) was refused, as the error callers see. */
export function refusal(
  remote: string,
  rejected: PorcelainLine[],
  { res, several }: { res: PushRun; several: boolean },
): CadreError {
  const checkedOut = rejected.filter((l) =>
    /checked out|working directory|unstaged|uncommitted|would be overwritten|not up to date/i.test(l.summary),
  );
  if (checkedOut.length > 0) {
    const names = checkedOut.map((l) => shortName(l.to)).join(", ");
    return new CadreError(
      "conflict",
      `branch ${names} is checked out in ${remote} and its working tree could not be updated (${checkedOut.map((l) => l.summary).join("; ")}): commit or stash the changes there, or deliver another way; nothing was pushed`,
      { rejected: checkedOut.map((l) => ({ ref: l.to, reason: l.summary })), checkedOut: true },
    );
  }
  const nonFf = rejected.filter((l) => MOVED_ON.test(l.summary));
  if (nonFf.length > 0) {
    const names = nonFf.map((l) => shortName(l.to)).join(", ");
    return new CadreError(
      "conflict",
      `branch ${names} moved on ${remote} since this work was based on it: rebase onto the new head and push again (nothing was pushed${several ? " when the remote supports atomic pushes" : ""})`,
      { rejected: rejected.map((l) => ({ ref: l.to, reason: l.summary })) },
    );
  }
  const reason =
    rejected.map((l) => `${shortName(l.to)}: ${l.summary}`).join("; ") || res.stderr.trim() || `exit code ${res.code}`;
  return new CadreError("git_failed", `push to ${remote} failed: ${reason}`, {
    rejected: rejected.map((l) => ({ ref: l.to, reason: l.summary })),
  });
}
