import { createHash } from "node:crypto";
import { assistantReplies, historyCallIds } from "./normalize.ts";
import { isErrorStep } from "./types.ts";
import type { NormalizedRequest, Script, Step } from "./types.ts";

export interface ScriptDecision {
  lane: number;
  step: number;
  reply: Step;
  /** Number for the first tool call of this reply: ids are `call_<lane>_<n>`. */
  firstCallNumber: number;
}

const CALL_ID = /^call_(\d+)_\d+$/;
const DONE: Step = { text: "done" };

/**
 * Picks the step for a request without per-conversation server state: the lane comes from the
 * call ids in the history, the step from the number of assistant replies. The only state kept is
 * how many errors each lane was served, so a retried request moves past the error step.
 */
export class ScriptRunner {
  private script: Script;
  private nextLane = 0;
  private readonly errorsByLane = new Map<number, number>();
  /** A retry of a first request carries no call ids; its identical body finds the lane again. */
  private readonly laneByErroredBody = new Map<string, number>();

  constructor(script: Script) {
    this.script = script;
  }

  setScript(script: Script, resetLanes: boolean): void {
    this.script = script;
    if (resetLanes) {
      this.nextLane = 0;
      this.errorsByLane.clear();
      this.laneByErroredBody.clear();
    }
  }

  decide(request: NormalizedRequest, rawBody: string): ScriptDecision {
    const ids = historyCallIds(request);
    const bodyKey = createHash("sha1").update(rawBody).digest("hex");
    const lane = this.laneFromIds(ids) ?? this.laneByErroredBody.get(bodyKey) ?? this.nextLane++;
    const step = assistantReplies(request);
    const errorsServed = this.errorsByLane.get(lane) ?? 0;
    const reply = this.pick(lane, step, errorsServed, request) ?? DONE;
    if (isErrorStep(reply)) {
      this.errorsByLane.set(lane, errorsServed + 1);
      this.laneByErroredBody.set(bodyKey, lane);
    }
    return { lane, step, reply, firstCallNumber: ids.length };
  }

  private laneFromIds(ids: string[]): number | undefined {
    for (const id of ids) {
      const match = CALL_ID.exec(id);
      if (match?.[1] !== undefined) return Number(match[1]);
    }
    return undefined;
  }

  private pick(lane: number, step: number, errorsServed: number, request: NormalizedRequest): Step | undefined {
    const script = this.script;
    // Errors occupy a script position but are not replies in the history, hence the offset.
    const index = step + errorsServed;
    if (typeof script === "function") return script({ lane, step, errorsServed, request });
    if (Array.isArray(script)) return script[index];
    return script.lanes[lane]?.[index];
  }
}
