/**
 * A scanner sending faster than anyone scans (stuck, or sending noise) fills its lane of the station's
 * queue: it is asked to hold back, and what still doesn't fit is dropped. This says so once when it
 * starts and once, with the count dropped, when it has been quiet for QUIET_MS, and meanwhile shows the
 * scanner as faulty. O(1) per call.
 */
import type { Log } from '../log.js';
import type { SourceStatus } from './ports.js';

/** A flood is over after this long without a dropped scan. */
export const QUIET_MS = 10_000;

interface Flood {
  dropped: number;
  lastDrop: number;
  timer: NodeJS.Timeout;
}

export class FloodWatch {
  private readonly floods = new Map<string, Flood>();

  constructor(
    private readonly options: {
      now: () => number;
      log: Log;
      /** The view changed (a scanner became faulty or well again). */
      changed: () => void;
    },
  ) {}

  /** `device`'s lane is full enough to hold it back (`dropped` false), or one of its scans didn't fit. */
  overflow(device: string, dropped: boolean): void {
    const now = this.options.now();
    const flood = this.floods.get(device);
    if (flood !== undefined) {
      if (dropped) flood.dropped++;
      flood.lastDrop = now;
      return;
    }
    this.floods.set(device, { dropped: dropped ? 1 : 0, lastDrop: now, timer: this.watch(device, QUIET_MS) });
    this.options.log(
      'warn',
      `scanner ${device} sends scans faster than anyone can scan them: the extra scans are dropped until it stops; check the scanner (stuck trigger, wrong settings, noise on the line)`,
      { event: 'device', device, status: 'flooding' },
    );
    this.options.changed();
  }

  /** The device as the screen should show it: faulty while it floods. */
  shown(status: SourceStatus): { id: string; status: SourceStatus['status']; message: string } {
    const flood = this.floods.get(status.device);
    if (flood === undefined) return { id: status.device, status: status.status, message: status.message };
    return {
      id: status.device,
      status: 'error',
      message: `sends scans faster than anyone can scan (${flood.dropped} dropped); check the scanner`,
    };
  }

  stop(): void {
    for (const flood of this.floods.values()) clearTimeout(flood.timer);
    this.floods.clear();
  }

  private watch(device: string, delay: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const flood = this.floods.get(device);
      if (flood === undefined) return;
      const quietFor = this.options.now() - flood.lastDrop;
      if (quietFor < QUIET_MS) {
        flood.timer = this.watch(device, QUIET_MS - quietFor);
        return;
      }
      this.floods.delete(device);
      this.options.log(
        'warn',
        `scanner ${device} stopped flooding: ${flood.dropped} scan(s) were dropped in all`,
        { event: 'device', device, status: 'flooded', dropped: flood.dropped },
      );
      this.options.changed();
    }, delay);
    timer.unref();
    return timer;
  }
}
