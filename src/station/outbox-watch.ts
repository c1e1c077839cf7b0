/**
 * Keeps the station's count of transactions waiting in the outbox: at start, after each rotation, and
 * every OUTBOX_REFRESH_MS (staff remove files after upload). It runs beside the station's queue, never in
 * it: a slow or strange outbox can delay the count, never a scan. One count at a time; a refresh asked
 * for meanwhile runs once the current one ends.
 */
import type { StationEvent, StationOutput } from './ports.js';

/** How often the outbox is looked at again. */
export const OUTBOX_REFRESH_MS = 60_000;

export class OutboxWatch implements StationOutput {
  private timer: NodeJS.Timeout | undefined;
  private counting: Promise<void> | undefined;
  private again = false;

  /** `count`: the transactions waiting now (the journal's outbox reader); `found`: where the count goes. */
  constructor(
    private readonly count: () => Promise<number>,
    private readonly found: (transactions: number) => void,
  ) {}

  start(): void {
    this.refresh();
    this.timer = setInterval(() => this.refresh(), OUTBOX_REFRESH_MS);
    this.timer.unref();
  }

  onEvent(event: StationEvent): void {
    if (event.type === 'rotated') this.refresh();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.again = false;
    await this.counting;
  }

  private refresh(): void {
    if (this.counting) {
      this.again = true;
      return;
    }
    this.counting = this.count()
      .then((transactions) => this.found(transactions))
      .catch(() => undefined)
      .finally(() => {
        this.counting = undefined;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      });
  }
}
