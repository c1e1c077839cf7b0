/**
 * The journal as the station's TransactionStore: OffCirc.dat written through the durable writer, rotated
 * into the outbox, with today's count read from the files themselves. It turns the writer's failures
 * into the station's outcomes: a transaction the line format can't hold is `refused` (checked before
 * anything is written), and any failure to write is `unavailable`.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Transaction } from '../kiosk/events.js';
import type {
  ProbeOutcome,
  RotateOutcome,
  StoreOpened,
  StoreOutcome,
  TransactionStore,
} from '../station/ports.js';
import { formatFileStamp, formatLine, type LineEnding } from './line.js';
import { outboxDir, rotateToOutbox } from './outbox.js';
import { countToday, type DayCount } from './today.js';
import { JournalWriter, type JournalLog } from './writer.js';

export interface JournalStoreOptions {
  path: string;
  lineEnding: LineEnding;
  /** The station's name, in the outbox files' names. */
  station: string;
  log: JournalLog;
  now: () => number;
}

export class JournalStore implements TransactionStore {
  private readonly writer: JournalWriter;

  /** No I/O. */
  constructor(private readonly options: JournalStoreOptions) {
    this.writer = new JournalWriter({ path: options.path, lineEnding: options.lineEnding, log: options.log });
  }

  get path(): string {
    return this.writer.path;
  }

  async start(): Promise<StoreOpened> {
    const opened = await this.writer.start();
    const today = await this.countToday();
    return { path: this.writer.path, lines: opened.lines, today };
  }

  async append(tx: Transaction): Promise<StoreOutcome> {
    try {
      formatLine(tx, this.options.lineEnding);
    } catch (error) {
      return { kind: 'refused', reason: (error as Error).message };
    }
    try {
      const { line } = await this.writer.append(tx);
      return { kind: 'written', line };
    } catch (error) {
      return { kind: 'unavailable', reason: (error as Error).message };
    }
  }

  async probe(): Promise<ProbeOutcome> {
    try {
      await this.writer.probe();
      return { kind: 'available' };
    } catch (error) {
      return { kind: 'unavailable', reason: (error as Error).message };
    }
  }

  async rotate(at: number): Promise<RotateOutcome> {
    try {
      const rotated = await rotateToOutbox(this.writer, this.writer.path, this.options.station, at);
      return rotated ? { kind: 'rotated', ...rotated } : { kind: 'empty' };
    } catch (error) {
      return { kind: 'failed', reason: (error as Error).message };
    }
  }

  stop(): Promise<void> {
    return this.writer.stop();
  }

  /** Today's lines in the journal and in the outbox files rotated today (named with today's date). */
  private async countToday(): Promise<DayCount> {
    const now = this.options.now();
    const total = await countToday(this.writer.path, now);
    const dir = outboxDir(this.writer.path);
    const prefix = `OffCirc-${this.options.station}-${formatFileStamp(now).slice(0, 8)}-`;
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith('.dat')) continue;
      const counted = await countToday(path.join(dir, name), now);
      total.loans += counted.loans;
      total.returns += counted.returns;
    }
    return total;
  }
}
