/**
 * The station's outputs: each hears every event once, and builds the view only if it needs it. The log
 * writes records, the state file keeps the mode and today's counts, scanners get their good/bad signal,
 * and the screen is told to redraw. Each is small and does no work on events it doesn't care about.
 */
import type { KioskEvent } from '../kiosk/events.js';
import type { Log, StationLogger } from '../log.js';
import type { ScanSource, StationEvent, StationOutput } from './ports.js';
import { COUNTS_SAVE_DELAY_MS, type StateStore } from './state.js';
import type { StationFeed, StationView } from './view.js';

const KIOSK_EVENTS = new Set<string>([
  'transaction',
  'rejected',
  'ignored',
  'session',
  'returns',
  'mode',
  'service',
]);

export function isKioskEvent(event: StationEvent): event is KioskEvent {
  return KIOSK_EVENTS.has(event.type);
}

/** The log: one record per kiosk event, device change and rotation. */
export class LogOutput implements StationOutput {
  private mode: string | undefined;

  constructor(
    private readonly logger: StationLogger,
    private readonly log: Log,
  ) {}

  onEvent(event: StationEvent): void {
    if (event.type === 'mode') {
      // A mode key held down, or a paste of its codes, changes nothing after the first: log changes only.
      if (event.mode === this.mode) return;
      this.mode = event.mode;
    }
    if (isKioskEvent(event)) return this.logger.event(event);
    if (event.type === 'device') {
      const level = event.status === 'error' ? 'error' : event.status === 'disconnected' ? 'warn' : 'info';
      this.log(level, event.message, { event: 'device', device: event.device, status: event.status });
    } else if (event.type === 'printer' && event.receipt === undefined) {
      // A receipt's fate is logged by the receipt output, with its reason; here the printer's state.
      const level = event.status === 'connected' ? 'info' : 'warn';
      this.log(level, event.message, { event: 'printer', status: event.status });
    } else if (event.type === 'rotated') {
      this.log('info', `rotated ${event.lines} transaction(s) to ${event.file}`, {
        event: 'rotated',
        file: event.file,
        lines: event.lines,
      });
    }
  }

  start(view: () => StationView): void {
    this.mode = view().mode;
  }
}

/** The state file: the mode staff left the kiosk in, today's counts, the rotations. */
export class StateOutput implements StationOutput {
  constructor(private readonly state: StateStore) {}

  async start(): Promise<void> {
    await this.state.start();
  }

  /** The mode the last run was left in, if any. */
  rememberedMode(): 'loan' | 'return' | undefined {
    return this.state.state.mode;
  }

  onEvent(event: StationEvent): void {
    if (event.type === 'transaction')
      this.state.update(
        (s) => (event.transaction.kind === 'loan' ? s.today.loans++ : s.today.returns++),
        COUNTS_SAVE_DELAY_MS,
      );
    else if (event.type === 'rejected') this.state.update((s) => s.today.rejections++, COUNTS_SAVE_DELAY_MS);
    else if (event.type === 'mode' && this.state.state.mode !== event.mode)
      this.state.update((s) => (s.mode = event.mode));
    else if (event.type === 'rotated') this.state.recordRotation(event);
  }

  stop(): Promise<void> {
    return this.state.stop();
  }
}

/** The good or bad signal to the scanner that sent the scan, where it has one. */
export class FeedbackOutput implements StationOutput {
  constructor(private readonly sources: () => readonly ScanSource[]) {}

  onEvent(event: StationEvent): void {
    if (event.type !== 'decision') return;
    this.sources()
      .find((s) => s.id === event.device)
      ?.feedback?.(event.ok ? 'good' : 'bad');
  }
}

/** The screen's feed: a view to draw and a call on every event (with the kiosk's events themselves). */
export class ScreenFeed implements StationOutput, StationFeed {
  private readonly listeners = new Set<(event?: KioskEvent) => void>();

  /** `view`: the station's own, always current. */
  constructor(readonly view: () => StationView) {}

  subscribe(listener: (event?: KioskEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onEvent(event: StationEvent): void {
    const kiosk = isKioskEvent(event) ? event : undefined;
    for (const listener of this.listeners) listener(kiosk);
  }
}
