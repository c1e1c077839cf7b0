/**
 * Re-renders on the wall clock's second while `live` (something on screen changes by the second), else on
 * its minute (the status line's clock): an idle kiosk screen redraws once a minute. Each wait is to the
 * next boundary of `now()`, so the clock and countdowns change together with the wall clock.
 *
 * `quietMinute`, where given, is asked first on each minute tick of an idle screen: when it answers true it
 * has brought the screen up to date itself (clockInPlace.ts) and nothing is re-rendered.
 */
import { useEffect, useRef, useState } from 'react';

export function useSecondTick(now: () => number, live = true, quietMinute?: () => boolean): void {
  const [, setTick] = useState(0);
  const quiet = useRef(quietMinute);
  quiet.current = quietMinute;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const schedule = () => {
      const period = live ? 1000 : 60_000;
      // At least 50 ms, so a clock frozen just before a boundary (as in tests) can't spin the loop.
      const wait = Math.max(50, period - (((now() % period) + period) % period));
      timer = setTimeout(() => {
        if (live || quiet.current?.() !== true) setTick((n) => n + 1);
        schedule();
      }, wait);
    };
    schedule();
    return () => clearTimeout(timer);
  }, [now, live]);
}
