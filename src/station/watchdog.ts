/**
 * The station's watchdog: while work waits in the queue, it looks again when the oldest item will have
 * waited STALL_MS. A scan that waited that long means scans aren't being handled (a store that hangs, a
 * task that never ends); the station is then out of service with the reason, and back once the queue
 * moves again. One timer, armed only while work waits: an idle kiosk doesn't wake for it.
 */

/** A scan waiting longer than this means scans aren't being handled. */
export const STALL_MS = 5000;

export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private stalled: string | undefined;

  constructor(
    private readonly options: {
      /** When the longest-waiting work was queued, or undefined when none waits. */
      oldest: () => number | undefined;
      now: () => number;
      /** The stall began (with its reason) or ended (undefined). */
      changed: (reason: string | undefined) => void;
    },
  ) {}

  /** Why scans aren't being handled, while they aren't. */
  get reason(): string | undefined {
    return this.stalled;
  }

  /** Work was queued: look again when it will have waited STALL_MS. */
  arm(): void {
    if (this.timer !== undefined) return;
    const oldest = this.options.oldest() ?? this.options.now();
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.check();
        if (this.options.oldest() !== undefined) this.arm();
      },
      Math.max(0, oldest + STALL_MS - this.options.now()),
    );
    this.timer.unref();
  }

  /** Compares the oldest wait with STALL_MS (the station also calls this after each item it handles). */
  check(): void {
    const oldest = this.options.oldest();
    const waited = oldest === undefined ? 0 : this.options.now() - oldest;
    if (waited >= STALL_MS && this.stalled === undefined) {
      this.stalled = `scans are not being handled: one has waited ${Math.round(waited / 1000)} s`;
      this.options.changed(this.stalled);
    } else if (waited < STALL_MS && this.stalled !== undefined) {
      this.stalled = undefined;
      this.options.changed(undefined);
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
