/**
 * Re-renders once a second, on the second of `now()`, so the clock and countdowns change together with the
 * wall clock rather than drifting up to a second behind it.
 */
import { useEffect, useState } from 'react';

export function useSecondTick(now: () => number): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const schedule = () => {
      // At least 50 ms, so a clock frozen just before a second (as in tests) can't spin the loop.
      const wait = Math.max(50, 1000 - (((now() % 1000) + 1000) % 1000));
      timer = setTimeout(() => {
        setTick((n) => n + 1);
        schedule();
      }, wait);
    };
    schedule();
    return () => clearTimeout(timer);
  }, [now]);
}
