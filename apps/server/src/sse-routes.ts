import type { Context, Hono } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { CadreError, Id, SSE_HEARTBEAT_MS, SSE_TASK, type TaskWithAttempts } from "@cadre/protocol";
import type { ServerContext } from "./server-context.ts";
import type { Principal, RequestVariables } from "./principal.ts";
import { canSeeRepo, requireAttemptAccess } from "./access.ts";
import { EVENT_PAGE, sseFrame, tailLimits } from "./attempt-tail.ts";
import { AttemptTailRegistry } from "./attempt-tail-registry.ts";
import { TaskChangeFeed } from "./task-change-feed.ts";

/** Waits until woken or until the heartbeat interval passes; returns whether it was woken. */
function waiter() {
  let wake: (() => void) | null = null;
  let pending = true;
  return {
    notify() {
      pending = true;
      wake?.();
    },
    async wait(ms: number): Promise<boolean> {
      if (pending) {
        pending = false;
        return true;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
      const was = pending;
      pending = false;
      return was;
    },
  };
}

/**
 * Drives one SSE connection: `pump` runs at once, on every notification `subscribe` delivers, and
 * at every heartbeat; it returns whether it wrote anything, and a keep-alive comment is sent when
 * a heartbeat passes with nothing to say. Ends when the client goes away.
 */
async function serveLive(
  stream: SSEStreamingApi,
  subscribe: (wake: () => void) => () => void,
  pump: (isOpen: () => boolean, woken: boolean) => Promise<boolean>,
): Promise<void> {
  const w = waiter();
  const off = subscribe(() => w.notify());
  let open = true;
  stream.onAbort(() => {
    open = false;
    w.notify();
  });
  try {
    while (open) {
      const woken = await w.wait(SSE_HEARTBEAT_MS);
      const wrote = await pump(() => open, woken);
      if (!woken && !wrote && open) await stream.write(": keep-alive\n\n");
    }
  } finally {
    off();
  }
}

/**
 * Event streams. A client resumes with `Last-Event-ID` (or `?after=`): it gets every event after
 * that seq, read from the store, so reconnecting to any instance leaves no gap and no duplicate.
 */
/**
 * A stream outlives the request that checked its token and grants: once a heartbeat it checks
 * them again (a revoked token or grant then throws, which ends the stream with an error event).
 */
function accessKeeper(
  c: Context<{ Variables: RequestVariables }>,
  check: (principal: Principal) => Promise<void>,
): () => Promise<Principal> {
  let principal = c.get("principal");
  let checkedAt = Date.now();
  return async () => {
    if (Date.now() - checkedAt >= SSE_HEARTBEAT_MS) {
      principal = await c.get("reauthenticate")();
      await check(principal);
      checkedAt = Date.now();
    }
    return principal;
  };
}

export function registerSseRoutes(app: Hono<{ Variables: RequestVariables }>, ctx: ServerContext): void {
  const tails = new AttemptTailRegistry(ctx.store.events, ctx.bus, tailLimits(ctx.env));
  const taskChanges = new TaskChangeFeed(ctx.bus, (taskId) => ctx.store.tasks.get(taskId));
  app.get("/api/v1/attempts/:id/events/stream", async (c) => {
    const id = Id.safeParse(c.req.param("id"));
    if (!id.success)
      throw new CadreError("validation_failed", "the attempt id in the URL must be a Cadre id such as att_abc123");
    await requireAttemptAccess(ctx, c.get("principal"), id.data);
    const from = c.req.header("Last-Event-ID") ?? c.req.query("after") ?? "0";
    if (!/^\d{1,10}$/.test(from))
      throw new CadreError("validation_failed", "Last-Event-ID / after must be a non-negative integer (an event seq)");
    let last = Number(from);
    const keep = accessKeeper(c, async (principal) => void (await requireAttemptAccess(ctx, principal, id.data)));
    return streamSSE(
      c,
      (stream) => {
        let wakeStream = (): void => undefined;
        const { tail, close } = tails.attach(id.data, () => wakeStream());
        let fresh = true;
        return serveLive(
          stream,
          (wake) => {
            wakeStream = wake;
            return close;
          },
          async (isOpen, woken) => {
            await keep();
            // The shared tail reads on every notification. A stream also has it read when it starts and
            // on every heartbeat: a notification lost while the database restarted then delays an event
            // by one heartbeat at most, never drops it.
            if (fresh || !woken) await tail.refresh();
            fresh = false;
            let sent = false;
            while (isOpen()) {
              const frames =
                tail.framesAfter(last) ?? (await ctx.store.events.list(id.data, last, EVENT_PAGE)).map(sseFrame);
              const newest = frames.at(-1);
              if (!newest) break;
              // One write per wake-up, not one per event.
              await stream.write(frames.map((frame) => frame.text).join(""));
              last = newest.seq;
              sent = true;
            }
            return sent;
          },
        );
      },
      onStreamError,
    );
  });

  app.get("/api/v1/tasks/stream", async (c) => {
    const keep = accessKeeper(c, async () => undefined);
    // The newest state of each changed task not yet sent (read once for all this instance's connections).
    const pending = new Map<string, TaskWithAttempts>();
    return streamSSE(
      c,
      (stream) =>
        serveLive(
          stream,
          (wake) =>
            taskChanges.subscribe((task) => {
              pending.set(task.id, task);
              wake();
            }),
          async (isOpen) => {
            const principal = await keep();
            let sent = false;
            for (const [taskId, task] of pending) {
              if (!isOpen()) break;
              pending.delete(taskId);
              if (await canSeeRepo(ctx, principal, task.repoId)) {
                await stream.writeSSE({ event: SSE_TASK, data: JSON.stringify(task) });
                sent = true;
              }
            }
            return sent;
          },
        ),
      onStreamError,
    );
  });
}

/** A write to a client that has gone away ends that stream; it is not a server error. */
async function onStreamError(): Promise<void> {}
