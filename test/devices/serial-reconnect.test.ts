import { describe, it, expect } from 'vitest';
import { RetryTimer, StatusReporter } from '../../src/devices/reconnect.js';
import type { DeviceStatusEvent } from '../../src/devices/scanner.js';
import { waitFor } from '../helpers/pty.js';

describe('StatusReporter', () => {
  it('passes on a status only when it or its message changes', () => {
    const seen: DeviceStatusEvent[] = [];
    const reporter = new StatusReporter('front', { status: (e) => seen.push(e) });
    expect(reporter.current).toBeUndefined();
    expect(reporter.report('error', 'not found')).toBe(true);
    expect(reporter.report('error', 'not found')).toBe(false);
    expect(reporter.report('error', 'permission denied')).toBe(true);
    expect(reporter.report('connected', 'open')).toBe(true);
    expect(reporter.report('connected', 'open')).toBe(false);
    expect(reporter.report('error', 'permission denied')).toBe(true);
    expect(seen.map((e) => `${e.device} ${e.status} ${e.message}`)).toEqual([
      'front error not found',
      'front error permission denied',
      'front connected open',
      'front error permission denied',
    ]);
    expect(reporter.current).toBe('error');
  });
});

describe('RetryTimer', () => {
  // Node runs timers of equal delay in the order they were set: a witness set after shows when the
  // timer under test would have run.
  const witness = (ms: number) => {
    const w = { ran: false, timer: new RetryTimer(ms, () => (w.ran = true)) };
    w.timer.schedule();
    return w;
  };

  it('runs once however often it is scheduled while pending', async () => {
    let runs = 0;
    const timer = new RetryTimer(15, () => runs++);
    timer.schedule();
    timer.schedule();
    timer.schedule();
    expect(timer.pending).toBe(true);
    const w = witness(15);
    await waitFor(() => w.ran);
    expect(runs).toBe(1);
    expect(timer.pending).toBe(false);
    timer.schedule();
    await waitFor(() => runs === 2);
  });

  it('does not run once cancelled', async () => {
    let runs = 0;
    const timer = new RetryTimer(15, () => runs++);
    timer.schedule();
    timer.cancel();
    expect(timer.pending).toBe(false);
    const w = witness(15);
    await waitFor(() => w.ran);
    expect(runs).toBe(0);
  });
});
