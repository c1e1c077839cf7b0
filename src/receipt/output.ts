/**
 * The receipt printer as one of the station's outputs. It collects a patron session's loans (from the
 * session and transaction events) or, in return mode, the returns since the last pause, and at the end
 * prints them as `receipt.when` says: always, when the patron asked (a key or the command barcode, while
 * the session is open or up to `askSeconds` after it ended), or never. onEvent() only collects and hands
 * a receipt to the printer: nothing the station awaits ever waits for paper. A receipt that can't be
 * printed is dropped, and the station is told (the screen says "no receipt: please ask staff").
 * O(items) per receipt, plus the encoder's 2–4 ms for a 10-item receipt (measured), off the event's
 * turn; it keeps one session's items and one ended session's for the ask window.
 */
import type { ReceiptConfig } from '../config/schema.js';
import type { Transaction } from '../kiosk/events.js';
import type { Log } from '../log.js';
import type { StationEvent, StationOutput } from '../station/ports.js';
import type { DeviceStatus } from '../station/view.js';
import { encodeReceipt } from './escpos.js';
import { layoutReceipt, type ReceiptItem } from './layout.js';
import type { PrintOutcome } from './printer.js';

/** What the station is told: the printer's state, or what became of a receipt. */
export interface PrinterUpdate {
  status: DeviceStatus;
  message: string;
  receipt?: 'printed' | 'dropped';
}

export interface ReceiptOutputOptions {
  station: string;
  config: Pick<ReceiptConfig, 'when' | 'width' | 'header' | 'footer' | 'askSeconds'>;
  /** The printer (printer.ts), or a test's; must settle, never reject. */
  print(bytes: Uint8Array): Promise<PrintOutcome>;
  /** The printer's current state, to repeat with a receipt's fate. */
  printerStatus(): { status: DeviceStatus; message: string };
  /** Tells the station (and so the screen and log) about a receipt's fate. */
  notify(update: PrinterUpdate): void;
  /** The kiosk's idle timeout: a return run ends after this long without an event, as the kiosk's does. */
  idleTimeoutMs: number;
  log: Log;
  now?: () => number;
}

/** One receipt being collected: a loan session's or a return run's. */
interface Collecting {
  patron?: string;
  items: ReceiptItem[];
}

/** What ask() did, so the caller can end the session it asked in. */
export type AskOutcome = 'at-session-end' | 'printing' | 'nothing';

export class ReceiptOutput implements StationOutput {
  private readonly now: () => number;
  private open: Collecting | undefined;
  /** Asked for while open: print it at the end whatever `when` says (unless "never"). */
  private wanted = false;
  /** The last ended session's receipt, askable until `until`. */
  private ended: { receipt: Collecting; until: number } | undefined;
  private idle: NodeJS.Timeout | undefined;
  private stopped = false;
  private printing = new Set<Promise<void>>();

  constructor(private readonly options: ReceiptOutputOptions) {
    this.now = options.now ?? Date.now;
  }

  onEvent(event: StationEvent): void {
    switch (event.type) {
      case 'session':
        if (event.action === 'opened') {
          if (this.open?.patron === event.patron) return;
          this.finish();
          // A new patron: the previous one's receipt can no longer be asked for at this kiosk.
          this.ended = undefined;
          this.open = { patron: event.patron, items: [] };
        } else if (this.open?.patron === event.patron) this.finish();
        return;
      case 'transaction':
        return this.transaction(event.transaction, event.due);
      case 'mode':
        if (event.mode === 'loan' && this.open !== undefined && this.open.patron === undefined) this.finish();
        return;
      case 'rejected':
      case 'ignored':
        // Someone is still at the kiosk: the kiosk's return list stays, and so does this receipt.
        if (this.open !== undefined && this.open.patron === undefined) this.armIdle();
        return;
      default:
        return;
    }
  }

  /**
   * The patron asked for a receipt (a key or the command barcode). An open loan session's receipt prints
   * at its end (`at-session-end`: the caller ends it), unless nothing is borrowed yet; open returns
   * print now; else the session that ended less than askSeconds ago prints now.
   */
  ask(): AskOutcome {
    if (this.options.config.when === 'never') {
      this.options.log('info', 'receipt asked for, but receipts are off (receipt.when is "never")', {
        event: 'printer',
      });
      return 'nothing';
    }
    if (this.open?.patron !== undefined) {
      // Nothing borrowed yet: a stray press must not end the session of a patron about to scan items.
      if (this.open.items.length === 0) return 'nothing';
      this.wanted = true;
      return 'at-session-end';
    }
    if (this.open !== undefined && this.open.items.length > 0) {
      // Returns: what was returned so far prints now; later returns go on the next receipt.
      const receipt = this.open;
      this.open = undefined;
      clearTimeout(this.idle);
      this.print(receipt);
      return 'printing';
    }
    const ended = this.ended;
    if (ended !== undefined && this.now() <= ended.until) {
      this.ended = undefined;
      this.print(ended.receipt);
      return 'printing';
    }
    return 'nothing';
  }

  /** Waits for receipts handed to the printer to settle (each is bounded in time). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.idle);
    await Promise.all([...this.printing]);
  }

  private transaction(tx: Transaction, due: number | undefined): void {
    const item: ReceiptItem = { kind: tx.kind, item: tx.item, at: tx.at, ...(due !== undefined && { due }) };
    if (tx.kind === 'loan') {
      // Only into the open session of that patron: a loan is never put on another patron's receipt.
      if (this.open?.patron !== undefined && this.open.patron === tx.patron) this.open.items.push(item);
      return;
    }
    if (this.open?.patron !== undefined) this.finish();
    this.open ??= { items: [] };
    this.open.items.push(item);
    this.armIdle();
  }

  /** The return run ends after the kiosk's idle time without an event, as the kiosk's return list does. */
  private armIdle(): void {
    clearTimeout(this.idle);
    if (this.stopped) return;
    this.idle = setTimeout(() => {
      if (this.open?.patron === undefined) this.finish();
    }, this.options.idleTimeoutMs);
    this.idle.unref();
  }

  /** The open receipt is complete: print it now, keep it for a late ask, or let it go. */
  private finish(): void {
    const receipt = this.open;
    const wanted = this.wanted;
    this.open = undefined;
    this.wanted = false;
    clearTimeout(this.idle);
    if (receipt === undefined || receipt.items.length === 0) return;
    const { when, askSeconds } = this.options.config;
    if (when === 'always' || (when === 'ask' && wanted)) this.print(receipt);
    else if (when === 'ask') this.ended = { receipt, until: this.now() + askSeconds * 1000 };
  }

  /**
   * Lays the receipt out and hands it to the printer on a later turn of the event loop: the encoder
   * takes a few milliseconds a receipt, which the station's event (and the screen after it) need not
   * wait for, and a receipt's fate must never be told from inside the station's own onEvent call.
   */
  private print(receipt: Collecting): void {
    const at = this.now();
    const items = receipt.items.length;
    const job = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      let bytes: Uint8Array;
      try {
        bytes = this.encode(receipt, at);
      } catch (error) {
        return this.dropped(`the receipt could not be laid out: ${(error as Error).message}`, items);
      }
      const outcome = await this.options.print(bytes);
      if (!outcome.printed) return this.dropped(outcome.reason, items);
      this.options.log('info', `receipt printed (${items} item(s))`, {
        event: 'printer',
        receipt: 'printed',
        items,
      });
      this.options.notify({ ...this.options.printerStatus(), receipt: 'printed' });
    });
    this.printing.add(job);
    void job.finally(() => this.printing.delete(job));
  }

  private encode(receipt: Collecting, at: number): Uint8Array {
    const { config, station } = this.options;
    const lines = layoutReceipt(
      {
        station,
        at,
        items: receipt.items,
        header: config.header,
        footer: config.footer,
        ...(receipt.patron !== undefined && { patron: receipt.patron }),
      },
      config.width,
    );
    return encodeReceipt(lines, config.width);
  }

  private dropped(reason: string, items?: number): void {
    this.options.log('warn', `receipt dropped: ${reason}`, {
      event: 'printer',
      receipt: 'dropped',
      reason,
      ...(items !== undefined && { items }),
    });
    this.options.notify({ ...this.options.printerStatus(), receipt: 'dropped' });
  }
}
