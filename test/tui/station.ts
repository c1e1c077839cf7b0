/**
 * A tiny in-memory station for screen tests: it implements the StationFeed and StationControl seam the
 * real station implements, holds a view the test edits, and records what the screen asked it to do.
 */
import type { KioskEvent } from '../../src/kiosk/events.js';
import type { StationControl, StationFeed, StationView } from '../../src/station/view.js';

export function baseView(overrides: Partial<StationView> = {}): StationView {
  return {
    station: 'front-desk-1',
    mode: 'loan',
    recent: [],
    inService: true,
    devices: [{ id: 'front', status: 'connected', message: 'connected to /dev/ttyACM0' }],
    journal: { path: '/var/lib/offcirc/OffCirc.dat', today: 0 },
    ...overrides,
  };
}

export class MemoryStation implements StationFeed, StationControl {
  current: StationView;
  readonly commands: string[] = [];
  readonly scans: string[] = [];
  /** Typed lines the screen already knew were unusable, with the reason it gave. */
  readonly unusable: { text: string; error: string }[] = [];
  quits = 0;
  private listeners = new Set<(event?: KioskEvent) => void>();

  constructor(view: Partial<StationView> = {}) {
    this.current = baseView(view);
  }

  view(): StationView {
    return this.current;
  }

  subscribe(listener: (event?: KioskEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Changes the view (if given) and tells subscribers, with the event (if given), as the station does. */
  emit(event?: KioskEvent, view: Partial<StationView> = {}): void {
    this.current = { ...this.current, ...view };
    for (const listener of this.listeners) listener(event);
  }

  command(command: 'loan' | 'return' | 'endSession'): void {
    this.commands.push(command);
  }

  scanLine(text: string, error?: string): void {
    if (error === undefined) this.scans.push(text);
    else this.unusable.push({ text, error });
  }

  quit(): void {
    this.quits++;
  }
}
