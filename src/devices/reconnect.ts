/**
 * The two halves of "keep trying, but quietly" that every plug-in device needs: a status that reaches
 * the sink only when it changes, and a single pending retry that stop() can cancel.
 */
import type { DeviceStatus, ScannerSink } from './scanner.js';

/**
 * Forwards a device's status only when it changes: a retry every 2 s must not flood the log. With
 * `firstWordWhileDisconnected`, a new message while still disconnected isn't a change either (the first
 * one, unplugged or not found, stays); an error's new message always is (it names a new fix).
 */
export class StatusReporter {
  private last: { status: DeviceStatus; message: string } | undefined;

  constructor(
    private readonly device: string,
    private readonly sink: Pick<ScannerSink, 'status'>,
    private readonly options: { firstWordWhileDisconnected?: boolean } = {},
  ) {}

  /** Reports unless it is what was reported last; returns whether it was reported. */
  report(status: DeviceStatus, message: string): boolean {
    const same =
      this.last?.status === status &&
      (this.last.message === message ||
        (status === 'disconnected' && this.options.firstWordWhileDisconnected === true));
    if (same) return false;
    this.last = { status, message };
    this.sink.status({ device: this.device, status, message });
    return true;
  }

  get current(): DeviceStatus | undefined {
    return this.last?.status;
  }
}

/** At most one pending call of `run` after `intervalMs`; schedule() while one is pending does nothing. */
export class RetryTimer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly run: () => void,
  ) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, this.intervalMs);
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }
}
