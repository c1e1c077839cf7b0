/**
 * A receipt printer as a device with a status, like a scanner: it opens its link, reports connected /
 * disconnected / error in plain words, and reopens by itself every `reconnectMs` after it is lost. It
 * prints one receipt at a time; each step (asking the paper status, handing over the bytes) is bounded
 * by `timeoutMs`, so print() settles within about twice that, printed or dropped, and never rejects.
 * At most MAX_WAITING receipts wait behind the one printing; more are dropped at once. Where the link
 * lets the printer answer, its paper status is asked on connecting and before each receipt, and again
 * every `reconnectMs` while it is out of paper or silent.
 */
import type { DeviceStatus } from '../station/view.js';
import { PAPER_STATUS_REQUEST, readPaperStatus, type PaperStatus } from './escpos.js';
import type { PrinterLink } from './links.js';

export type PrintOutcome = { printed: true } | { printed: false; reason: string };

export interface PrinterOptions {
  /** Bound on each step: connecting, asking the status, handing over a receipt. */
  timeoutMs: number;
  reconnectMs: number;
  /** Told every change of state, in words for staff. */
  report(status: DeviceStatus, message: string): void;
}

/** Receipts waiting behind the one printing: two patrons finishing together, not a backlog. */
export const MAX_WAITING = 2;

class TimedOut extends Error {}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(what)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class Printer {
  private running = false;
  private connected = false;
  private connecting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private last: { status: DeviceStatus; message: string } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  /** The pending status request's resolver: bytes from the printer go there while one waits. */
  private answer: ((status: PaperStatus) => void) | undefined;

  constructor(
    private readonly link: PrinterLink,
    private readonly options: PrinterOptions,
  ) {}

  get name(): string {
    return this.link.name;
  }

  /** Starts connecting; resolves after the first attempt (a missing printer is a status, not an error). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retry);
    clearTimeout(this.recheck);
    await this.connecting;
    await this.queue.catch(() => undefined);
    this.connected = false;
    this.link.close();
  }

  /** Prints `bytes` (a whole receipt), or says why not. Never rejects; settles within ~2 × timeoutMs per receipt ahead. */
  print(bytes: Uint8Array): Promise<PrintOutcome> {
    if (!this.running) return Promise.resolve({ printed: false, reason: 'the printer is stopped' });
    if (!this.connected)
      return Promise.resolve({ printed: false, reason: this.last?.message ?? `${this.name} not connected` });
    if (this.waiting > MAX_WAITING)
      return Promise.resolve({ printed: false, reason: `${this.name} is busy with other receipts` });
    this.waiting++;
    const job = this.queue.then(() => this.printNow(bytes)).finally(() => this.waiting--);
    this.queue = job.catch(() => undefined);
    return job;
  }

  private async printNow(bytes: Uint8Array): Promise<PrintOutcome> {
    if (!this.connected)
      return { printed: false, reason: this.last?.message ?? `${this.name} not connected` };
    const paper = await this.askPaper();
    if (paper === 'out') return { printed: false, reason: `${this.name} is out of paper` };
    if (paper === 'silent') return { printed: false, reason: `${this.name} is not answering` };
    try {
      await within(this.link.write(bytes), this.options.timeoutMs, 'write');
      return { printed: true };
    } catch (error) {
      // Half a receipt may sit in a buffer: start afresh so it never prints in front of the next one.
      const why =
        error instanceof TimedOut
          ? `${this.name} did not take the receipt within ${this.options.timeoutMs} ms`
          : `${this.name}: ${(error as Error).message}`;
      this.lost(why);
      return { printed: false, reason: why };
    }
  }

  /** Asks the paper status where the link lets the printer answer; reports what it learns. */
  private async askPaper(): Promise<PaperStatus | 'silent' | 'unasked'> {
    if (!this.link.answers) return 'unasked';
    const answered = new Promise<PaperStatus>((resolve) => (this.answer = resolve));
    try {
      await within(
        this.link.write(PAPER_STATUS_REQUEST).then(() => answered),
        this.options.timeoutMs,
        'status',
      );
    } catch {
      this.answer = undefined;
      if (this.connected)
        this.say('error', `${this.name} is not answering the paper status: check it is on and its cable`);
      this.checkAgain();
      return 'silent';
    }
    const paper = await answered;
    if (paper === 'out') {
      this.say('error', `${this.name} is out of paper`);
      this.checkAgain();
    } else if (paper === 'low') this.say('connected', `${this.name} ready, paper low`);
    else this.say('connected', `${this.name} ready`);
    return paper;
  }

  private connect(): Promise<void> {
    if (!this.running || this.connected) return Promise.resolve();
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<void> {
    try {
      await within(
        this.link.open({ data: (bytes) => this.received(bytes), lost: (why) => this.lost(why) }),
        this.options.timeoutMs,
        'open',
      );
    } catch (error) {
      this.link.close();
      const why =
        error instanceof TimedOut
          ? `${this.name} did not answer within ${this.options.timeoutMs} ms`
          : (error as Error).message;
      this.say(this.last === undefined || this.last.status === 'error' ? 'error' : 'disconnected', why);
      this.scheduleRetry();
      return;
    }
    if (!this.running) return this.link.close();
    this.connected = true;
    if (!this.link.answers) return this.say('connected', `${this.name} ready`);
    // Asked at once, so staff see "out of paper" or "not answering" before a patron's receipt is lost.
    this.check();
  }

  /** Asks the paper status between receipts (in the queue, so never across one). */
  private check(): void {
    const check = this.queue.then(() => (this.connected ? this.askPaper() : undefined));
    this.queue = check.catch(() => undefined);
  }

  /** While out of paper or silent, asks again every reconnectMs: paper put back shows by itself. */
  private checkAgain(): void {
    if (!this.running || !this.connected || this.recheck) return;
    this.recheck = setTimeout(() => {
      this.recheck = undefined;
      this.check();
    }, this.options.reconnectMs);
    this.recheck.unref();
  }

  private received(bytes: Buffer): void {
    const resolve = this.answer;
    if (!resolve) return; // unasked bytes (automatic status back, noise) are not answers
    for (const byte of bytes) {
      const status = readPaperStatus(byte);
      if (status === undefined) continue;
      this.answer = undefined;
      return resolve(status);
    }
  }

  private lost(why: string): void {
    if (!this.connected) return;
    this.connected = false;
    this.answer = undefined;
    this.link.close();
    if (!this.running) return;
    this.say('disconnected', `${why}: waiting for it to come back`);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.running || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, this.options.reconnectMs);
    this.retry.unref();
  }

  /** Reports a state only when it changes: a retry every 2 s must not flood the log. */
  private say(status: DeviceStatus, message: string): void {
    if (this.last?.status === status && this.last.message === message) return;
    this.last = { status, message };
    this.options.report(status, message);
  }
}
