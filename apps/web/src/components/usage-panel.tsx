import type { TaskWithAttempts } from "@cadre/protocol";
import type { ActivityLog } from "../lib/activity.ts";
import { formatCost, formatTokens } from "../lib/format.ts";

/** Tokens and cost per turn of the shown attempt, and totals for the task. */
export function UsagePanel({ task, log }: { task: TaskWithAttempts; log: ActivityLog }) {
  const rows = [...log.usageByTurn.values()].sort((a, b) => a.turn - b.turn);
  return (
    <div className="usage">
      <div className="table-scroll">
        <table className="data-table" aria-label="Usage per turn">
          <thead>
            <tr>
              <th>Turn</th>
              <th>Model</th>
              <th className="num">Steps</th>
              <th className="num">Input</th>
              <th className="num">Cached</th>
              <th className="num">Output</th>
              <th className="num">Reasoning</th>
              <th className="num">Cost</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.turn}>
                <td>{r.turn}</td>
                <td className="mono">{r.model}</td>
                <td className="num">{r.steps}</td>
                <td className="num">{formatTokens(r.usage.inputTokens)}</td>
                <td className="num">{formatTokens(r.usage.cachedInputTokens)}</td>
                <td className="num">{formatTokens(r.usage.outputTokens)}</td>
                <td className="num">{formatTokens(r.usage.reasoningTokens)}</td>
                <td className="num">{formatCost(r.usage.costUsd)}</td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  No model calls yet.
                </td>
              </tr>
            )}
          </tbody>
          <tfoot>
            <tr>
              <th colSpan={3}>
                Task total ({task.attempts.length} attempt{task.attempts.length === 1 ? "" : "s"})
              </th>
              <td className="num">{formatTokens(task.usage.inputTokens)}</td>
              <td className="num">{formatTokens(task.usage.cachedInputTokens)}</td>
              <td className="num">{formatTokens(task.usage.outputTokens)}</td>
              <td className="num">{formatTokens(task.usage.reasoningTokens)}</td>
              <td className="num">{formatCost(task.usage.costUsd)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </div>
  );
}
