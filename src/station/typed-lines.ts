/**
 * The screen's typed lines as a scan source: a keyboard-wedge scanner, or a person, types into the
 * kiosk screen and Enter ends a line. The screen reads the keys (Ink owns standard input) and hands each
 * line here; from then on it is a scan like any scanner's, in its own lane of the station's queue.
 */
import { KEYBOARD_GROUP } from '../kiosk/events.js';
import type { ScanSink, ScanSource } from './ports.js';

export class TypedLines implements ScanSource {
  private started = false;

  /** `configured`: a terminal device is in the config (so it shows among the scanners). */
  constructor(
    readonly id: string,
    private readonly sink: ScanSink,
    private readonly configured: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  start(): Promise<void> {
    this.started = true;
    if (this.configured)
      this.sink.status({
        device: this.id,
        status: 'connected',
        message: 'reading scans typed on the screen',
      });
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.started = false;
    return Promise.resolve();
  }

  /** A line ended with Enter; with `error`, one the screen already knows is unusable (too long). */
  line(text: string, error?: string): void {
    if (!this.started) return;
    // The group a non-exclusive keyboard-mode HID scanner shares: its scan arriving twice counts once.
    const scan = { text, device: this.id, at: this.now(), group: KEYBOARD_GROUP };
    this.sink.scan(error === undefined ? scan : { ...scan, error });
  }
}
