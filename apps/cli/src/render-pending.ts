import type { PendingInput } from "@cadre/client";

/** A word for a POSIX shell: left bare when safe, else single-quoted. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * What each waiting attempt asks, its suggested answers, and the exact command that answers it
 * (or approves the plan), so a terminal user never has to look the question up elsewhere.
 */
export function renderPending(taskId: string, pending: readonly PendingInput[], severalAttempts: boolean): string {
  const lines: string[] = [];
  for (const p of pending) {
    const who = severalAttempts ? `attempt #${p.attempt.index}` : "the agent";
    const flag = severalAttempts ? ` --attempt ${p.attempt.index}` : "";
    if (p.waitingFor === "plan_approval") {
      lines.push(`  ${who} proposes a plan and waits for your approval:`);
      if (p.plan?.explanation) lines.push(`    ${p.plan.explanation}`);
      for (const [i, s] of (p.plan?.steps ?? []).entries()) lines.push(`    ${i + 1}. ${s.step}`);
      lines.push(`  approve:  cadre plan approve ${taskId}${flag}`);
      lines.push(`  reject:   cadre plan reject ${taskId}${flag} --comment '<what to change>'`);
      continue;
    }
    if (p.questions.length === 0) {
      lines.push(`  ${who} waits for your input: cadre answer ${taskId}${flag} '<your answer>'`);
      continue;
    }
    lines.push(`  ${who} asks:`);
    for (const [i, q] of p.questions.entries()) {
      lines.push(`    ${p.questions.length > 1 ? `${i + 1}. ` : ""}${q.question}`);
      for (const [k, option] of q.options.entries()) lines.push(`       ${k + 1}) ${option}`);
    }
    const example = p.questions.length === 1 ? (p.questions[0]?.options[0] ?? "<your answer>") : "<your answers>";
    lines.push(`  answer:   cadre answer ${taskId}${flag} ${shellWord(example)}`);
    lines.push(`            (or 'cadre answer ${taskId}${flag}' on a terminal to pick an option)`);
  }
  return lines.join("\n");
}
