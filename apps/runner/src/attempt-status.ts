import type { AttemptEvent, AttemptStatus, EventBody } from "@cadre/protocol";
import { ATTEMPT_LIFECYCLE, IllegalTransitionError, nextStatus, statusEvent } from "@cadre/protocol";

type StatusDetail = Parameters<typeof statusEvent>[1];

/**
 * The held attempt's status as this runner moves it. Each move is checked against protocol's
 * lifecycle before it is sent (an illegal one is refused with nothing sent), and the store checks
 * it again when it is appended: a refusal there (409) rejects the move, and the status stays.
 */
export class AttemptStatusTracker {
  constructor(
    private readonly attemptId: string,
    private current: AttemptStatus,
    private readonly emit: (body: EventBody) => Promise<void>,
  ) {}

  get status(): AttemptStatus {
    return this.current;
  }

  async move(event: AttemptEvent, detail?: StatusDetail): Promise<void> {
    const to = nextStatus(this.current, event);
    if (to === null) throw new IllegalTransitionError(this.attemptId, this.current, ATTEMPT_LIFECYCLE[event].to);
    await this.emit(statusEvent(event, detail));
    this.current = to;
  }
}
