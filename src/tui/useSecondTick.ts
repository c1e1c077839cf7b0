/**
 * Re-renders on the wall clock's second while `live` (something on screen changes by the second), else on
 * its minute (the status line's clock): an idle kiosk screen redraws once a minute. Each wait is to the
 * next boundary of `now()`, so the clock and countdowns change together with the wall clock.
 */
import { useEffect, useState } from 'react';

export function useSecondTick(now: () => number, live = true): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const schedule = () => {
      const period = live ? 1000 : 60_000;
      // At least 50 ms, so a clock frozen just before a boundary (as in tests) can't spin the loop.
      const wait = Math.max(50, period - (((now() % period) + period) % period));
      timer = setTimeout(() => {
        setTick((n) => n + 1);
        schedule();
      }, wait);
    };
    schedule();
    return () => clearTimeout(timer);
  }, [now, live]);
}
