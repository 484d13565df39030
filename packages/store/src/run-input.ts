/** The instruction an attempt's next run starts with (null input = resume after a crash). */
export interface RunInput {
  kind: "prompt" | "followup" | "answer" | "plan_approved" | "plan_rejected" | "resolve_conflicts";
  text: string;
}
