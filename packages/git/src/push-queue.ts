import { CadreError } from "@cadre/protocol";
import { pushEach, type PushedRef, type PushRefspec } from "./push.ts";
import type { RemoteOptions } from "./mirror.ts";

interface Waiting {
  spec: PushRefspec;
  resolve: (ref: PushedRef) => void;
  reject: (error: unknown) => void;
}

interface Lane {
  waiting: Waiting[];
  running: number;
}

/** Pushes to one remote at once: the second lets a lone delivery go without waiting on a batch. */
const PARALLEL_PUSHES = 2;

/** Per repository, remote and credentials: the pushes running and the refs waiting for the next. */
const lanes = new Map<string, Lane>();

/** The next batch: the first request for each destination (a second one waits for the push after). */
function nextBatch(waiting: Waiting[]): Waiting[] {
  const seen = new Set<string>();
  const batch: Waiting[] = [];
  for (const request of [...waiting]) {
    if (seen.has(request.spec.dst)) continue;
    seen.add(request.spec.dst);
    batch.push(request);
    waiting.splice(waiting.indexOf(request), 1);
  }
  return batch;
}

async function pushBatch(batch: Waiting[], target: { gitDir: string; remote: string; opts: RemoteOptions }) {
  try {
    const specs = batch.map((request) => request.spec);
    const outcomes = await pushEach(target.gitDir, target.remote, specs, target.opts);
    batch.forEach((request, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) request.resolve(outcome.ref);
      else request.reject(outcome?.error ?? new CadreError("internal", `no push result for ${request.spec.dst}`));
    });
  } catch (error) {
    // A request git could not even be asked about (a ref that does not resolve) fails alone.
    if (batch.length === 1) batch[0]?.reject(error);
    else for (const request of batch) await pushBatch([request], target);
  }
}

async function drain(key: string, lane: Lane, target: { gitDir: string; remote: string; opts: RemoteOptions }) {
  lane.running += 1;
  while (lane.waiting.length > 0) await pushBatch(nextBatch(lane.waiting), target);
  lane.running -= 1;
  if (lane.running === 0) lanes.delete(key);
}

/**
 * Pushes one ref as part of a shared push: a caller pushes at once while fewer than two pushes to
 * that repository and remote run; whoever asks meanwhile waits for one next `git push` carrying
 * all their refs (not atomic: each gets its own result or refusal, as `pushEach` gives). So 50
 * deliveries to one forge repository ready at once make a handful of pushes, not 50 that each
 * negotiate with the forge alone.
 */
export function queuedPush(
  gitDir: string,
  remote: string,
  spec: PushRefspec,
  opts: RemoteOptions = {},
): Promise<PushedRef> {
  const key = JSON.stringify([gitDir, remote, opts.env ?? {}]);
  return new Promise<PushedRef>((resolve, reject) => {
    const lane = lanes.get(key) ?? { waiting: [], running: 0 };
    lanes.set(key, lane);
    lane.waiting.push({ spec, resolve, reject });
    if (lane.running < PARALLEL_PUSHES) void drain(key, lane, { gitDir, remote, opts });
  });
}
