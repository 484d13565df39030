import { useState, type FormEvent } from "react";
import type { Question, TaskWithAttempts } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useAction } from "../lib/use-action.ts";
import { submitOnModEnter } from "../lib/use-shortcuts.ts";

/** The agent's open question with its suggested answers and a free-text answer. */
export function AnswerPanel({
  task,
  attemptIndex,
  questions,
  onDone,
}: {
  task: TaskWithAttempts;
  attemptIndex: number;
  questions: Question[];
  onDone: (t: TaskWithAttempts) => void;
}) {
  const { client } = useApi();
  const [text, setText] = useState("");
  const { busy, error, setError, run } = useAction();
  const send = async (answer: string) => {
    if (!answer.trim()) return setError("Write an answer or pick a suggestion.");
    await run(async () => {
      onDone(
        await client.call("answerTask", { params: { id: task.id }, body: { text: answer, attempt: attemptIndex } }),
      );
      setText("");
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send(text);
  };
  return (
    <form className="panel panel-attention" onSubmit={submit} aria-label="Answer the agent">
      <h3>The agent asks</h3>
      {questions.map((q, i) => (
        <div key={i} className="q">
          <p className="q-text">{q.question}</p>
          <div className="q-choices">
            {q.options.map((o) => (
              <button
                key={o}
                type="button"
                className="btn btn-sm"
                disabled={busy}
                onClick={() => void send(questions.length === 1 ? o : `${q.question} → ${o}`)}
              >
                {o}
              </button>
            ))}
          </div>
        </div>
      ))}
      <label className="field">
        <span>Or answer in your own words</span>
        <textarea
          aria-label="Answer"
          rows={2}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={submitOnModEnter}
        />
      </label>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      <button className="btn btn-primary" type="submit" disabled={busy}>
        Send answer
      </button>
    </form>
  );
}
