/**
 * A wait that ends early when `subscribe`'s callback fires (a NOTIFY), or when `signal` aborts.
 * A notification that arrives between two waits is not lost: the next wait returns at once.
 */
export function wakeOn(
  subscribe: (notify: () => void) => () => void,
  signal?: AbortSignal,
): { wait: (ms: number) => Promise<void>; stop: () => void } {
  let pending = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    pending = true;
    wake?.();
  };
  const unsubscribe = subscribe(notify);
  signal?.addEventListener("abort", notify, { once: true });
  return {
    async wait(ms) {
      if (!pending)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      wake = null;
      pending = false;
    },
    stop() {
      unsubscribe();
      signal?.removeEventListener("abort", notify);
    },
  };
}
