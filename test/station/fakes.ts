/**
 * Fakes of the station's three ports, for testing the station alone: a store whose answers the test sets
 * (and can hold), sources the test feeds, and an output that records every event with its view.
 */
import type { Transaction } from '../../src/kiosk/events.js';
import type {
  ProbeOutcome,
  RotateOutcome,
  ScanSink,
  ScanSource,
  StationEvent,
  StationOutput,
  StoreOutcome,
  TransactionStore,
} from '../../src/station/ports.js';
import type { StationView } from '../../src/station/view.js';

export class FakeStore implements TransactionStore {
  readonly lines: Transaction[] = [];
  readonly calls: string[] = [];
  /** The next append's answer when not `written` (the line is then not kept). */
  failWith: Exclude<StoreOutcome, { kind: 'written' }> | undefined;
  probeAnswer: ProbeOutcome = { kind: 'available' };
  startError: Error | undefined;
  /** While set, appends wait for it (a slow disk). */
  hold: Promise<void> | undefined;

  async start() {
    this.calls.push('start');
    if (this.startError) throw this.startError;
    return { path: '/fake/OffCirc.dat', lines: 0, today: { loans: 2, returns: 1 } };
  }

  async append(tx: Transaction): Promise<StoreOutcome> {
    this.calls.push(`append ${tx.item}`);
    await this.hold;
    if (this.failWith) return this.failWith;
    this.lines.push(tx);
    return { kind: 'written', line: this.lines.length };
  }

  async probe(): Promise<ProbeOutcome> {
    this.calls.push('probe');
    return this.probeAnswer;
  }

  async rotate(): Promise<RotateOutcome> {
    this.calls.push(`rotate after ${this.lines.length}`);
    const lines = this.lines.splice(0).length;
    return lines === 0 ? { kind: 'empty' } : { kind: 'rotated', file: '/fake/outbox/1.dat', lines };
  }

  async stop() {
    this.calls.push('stop');
  }
}

export class FakeSource implements ScanSource {
  readonly feedbacks: string[] = [];
  /** The station's pause and resume calls, in order. */
  readonly paused: string[] = [];
  started = false;
  stopped = false;

  constructor(
    readonly id: string,
    private readonly sink: () => ScanSink,
    private readonly startError?: Error,
  ) {}

  async start() {
    if (this.startError) throw this.startError;
    this.started = true;
  }

  async stop() {
    this.stopped = true;
  }

  scan(text: string, at = Date.now()): void {
    this.sink().scan({ text, device: this.id, at });
  }

  status(status: 'connected' | 'disconnected' | 'error', message: string): void {
    this.sink().status({ device: this.id, status, message });
  }

  end(): void {
    this.sink().ended?.(this.id);
  }

  pause(): void {
    this.paused.push('pause');
  }

  resume(): void {
    this.paused.push('resume');
  }

  feedback(kind: 'good' | 'bad'): void {
    this.feedbacks.push(kind);
  }
}

export class RecordingOutput implements StationOutput {
  readonly events: { event: StationEvent; view: StationView }[] = [];
  started = false;
  stopped = false;

  start() {
    this.started = true;
  }

  onEvent(event: StationEvent, view: () => StationView): void {
    this.events.push({ event, view: view() });
  }

  stop() {
    this.stopped = true;
  }

  of<T extends StationEvent['type']>(type: T): Extract<StationEvent, { type: T }>[] {
    return this.events
      .map((e) => e.event)
      .filter((e): e is Extract<StationEvent, { type: T }> => e.type === type);
  }
}
