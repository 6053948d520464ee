// A value that follows its source at the pace of the work it feeds: while `streaming`, a new value is passed on
// no sooner than PACE × what the last piece of work took after it (so work that takes 40 ms runs about three
// times a second, and work that takes 1 ms every frame); otherwise at once. The caller reports each piece of
// work's duration through the returned callback.
import { useCallback, useEffect, useRef, useState } from "react";

const PACE = 8;
const MAX_WAIT_MS = 1000;

export function usePaced<T>(value: T, streaming: boolean): [T, (workMs: number) => void] {
  const [paced, setPaced] = useState(value);
  const last = useRef({ at: 0, workMs: 0 });
  const latest = useRef(value);
  latest.current = value;
  const done = useCallback((workMs: number) => {
    last.current = { at: performance.now(), workMs };
  }, []);
  useEffect(() => {
    if (value === paced) return;
    const wait = streaming ? Math.min(MAX_WAIT_MS, last.current.workMs * PACE) - (performance.now() - last.current.at) : 0;
    if (wait <= 0) {
      setPaced(value);
      return;
    }
    const timer = setTimeout(() => setPaced(latest.current), wait);
    return () => clearTimeout(timer);
  }, [value, paced, streaming]);
  return [value === paced || !streaming ? value : paced, done];
}
