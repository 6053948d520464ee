// A line of waiters woken by whoever frees a place. A waiter whose signal aborts leaves the line and takes its
// abort listener along: left in the line it would take the next wake-up from the one behind it, and a signal shared
// by many requests (a run's, an experiment's) would pile up listeners past Node's warning limit.

/** Waits until `waiters` wakes this waiter (the caller shifts or drains it) or the signal aborts. */
export function waitInLine(waiters: Array<() => void>, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const wake = () => {
      signal?.removeEventListener("abort", wake);
      const at = waiters.indexOf(wake);
      if (at >= 0) waiters.splice(at, 1);
      resolve();
    };
    waiters.push(wake);
    signal?.addEventListener("abort", wake, { once: true });
  });
}
