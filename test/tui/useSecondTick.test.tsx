/** The screen's tick: by the second while something changes by the second, else by the minute. */
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useSecondTick } from '../../src/tui/useSecondTick.js';

let renders = 0;
function Clock({ now, live }: { now: () => number; live: boolean }) {
  useSecondTick(now, live);
  renders++;
  return <Text>tick</Text>;
}

afterEach(() => vi.useRealTimers());

describe('useSecondTick', () => {
  it('redraws an idle screen once a minute, and a live one every second', async () => {
    // Only the clock and timeouts are faked: React's scheduler keeps its own (real) turns.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const start = new Date(2026, 11, 2, 10, 0, 0).getTime();
    vi.setSystemTime(start);
    renders = 0;
    const idle = render(<Clock now={Date.now} live={false} />);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    const idleRenders = renders;
    expect(idleRenders).toBeGreaterThanOrEqual(3);
    expect(idleRenders).toBeLessThanOrEqual(5);
    idle.rerender(<Clock now={Date.now} live />);
    renders = 0;
    // A second at a time, letting React's own (real) turns render each tick before the next: on a busy
    // machine, ticks advanced all at once can be batched into fewer renders.
    for (let second = 0; second < 60; second++) {
      const before = renders;
      await vi.advanceTimersByTimeAsync(1000);
      for (let turn = 0; turn < 1000 && renders === before; turn++)
        await new Promise((resolve) => setImmediate(resolve));
    }
    expect(renders).toBeGreaterThanOrEqual(59);
    idle.unmount();
  });
});
