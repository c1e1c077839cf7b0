/**
 * Splits a scanner's byte stream into lines at CR, LF or CRLF, like node-serialport's parser-delimiter,
 * but never glues a stale fragment to the next barcode: a fragment left without a line end is dropped
 * after `silenceMs` of silence, and noise longer than `maxLength` is dropped up to its next line end.
 * Pure (the caller passes the clock and runs the timer). Runs in O(n) time per chunk; holds at most
 * `maxLength` characters.
 */
import { describeContent } from '../barcode/describe.js';

/** No library barcode comes near this; anything longer without a line end is noise. */
export const DEFAULT_MAX_LINE = 256;

export interface LineFramerOptions {
  /** Drop an unterminated fragment after this much silence. Leave out for typed input (people pause). */
  silenceMs?: number;
  /** Longest line kept, in characters (bytes, for serial input). */
  maxLength?: number;
}

/** A complete line, without its terminator. `at` is when its terminator arrived. */
export interface Frame {
  kind: 'frame';
  text: string;
  at: number;
}

/**
 * A fragment thrown away; `text` holds (at most `maxLength` of) what was dropped. It may be a card
 * number: say it only through describeDrop(), which describes it without showing it.
 */
export interface DroppedFragment {
  kind: 'dropped';
  reason: 'silence' | 'overlong' | 'closed';
  text: string;
  /** Characters dropped when the drop was reported (an overlong run goes on being discarded after). */
  length: number;
  at: number;
}

export type FrameResult = Frame | DroppedFragment;

const CR = 0x0d;
const LF = 0x0a;

/**
 * Frames lines from chunks. Buffers are decoded as latin1, one character per byte, so a non-ASCII or
 * control byte stays visible in the text for the barcode classifier to reject with a reason.
 */
export class LineFramer {
  readonly silenceMs: number | undefined;
  readonly maxLength: number;
  private pending = '';
  private lastAt = 0;
  /** Inside an overlong run: everything up to the next line end (or silence) is noise. */
  private discarding = false;

  constructor(options: LineFramerOptions = {}) {
    this.silenceMs = options.silenceMs;
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LINE;
  }

  /** Feeds a chunk that arrived at `now`; returns the lines it completed and any fragments it dropped. */
  push(chunk: Buffer | string, now: number): FrameResult[] {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    if (text.length === 0) return [];
    const results: FrameResult[] = [];
    // A caller whose timer ran late must still not glue the old fragment to this chunk.
    const stale = this.expire(now);
    if (stale) results.push(stale);
    if (this.discarding && this.silent(now)) this.discarding = false;
    this.lastAt = now;

    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code !== CR && code !== LF) continue;
      this.append(text.slice(start, i), now, results);
      // CR then LF (even split across chunks) only yields an empty line, which is dropped here.
      if (this.pending.length > 0) results.push({ kind: 'frame', text: this.pending, at: now });
      this.pending = '';
      this.discarding = false;
      start = i + 1;
    }
    this.append(text.slice(start), now, results);
    return results;
  }

  /** Drops the unterminated fragment if `silenceMs` has passed since its last byte; else nothing. */
  expire(now: number): DroppedFragment | undefined {
    if (this.pending.length === 0 || !this.silent(now)) return undefined;
    return this.drop(now, 'silence');
  }

  /**
   * The reader held the input back until `now` (the station's back-pressure): that quiet was its own, not
   * the scanner's, so the fragment's silence starts again from here.
   */
  heldUntil(now: number): void {
    this.lastAt = now;
  }

  /** When expire() would drop the pending fragment (for the caller's timer); undefined if nothing to drop. */
  deadline(): number | undefined {
    if (this.pending.length === 0 || this.silenceMs === undefined) return undefined;
    return this.lastAt + this.silenceMs;
  }

  /** End of input: a last line without its line end still counts (`printf '…' | offcirc run`). */
  flush(now: number): Frame | undefined {
    const text = this.pending;
    const discarding = this.discarding;
    this.reset();
    return text.length > 0 && !discarding ? { kind: 'frame', text, at: now } : undefined;
  }

  /** Throws away the unterminated fragment now (the port closed under it); undefined if there was none. */
  drop(now: number, reason: DroppedFragment['reason'] = 'closed'): DroppedFragment | undefined {
    const text = this.pending;
    this.reset();
    return text.length > 0 ? { kind: 'dropped', reason, text, length: text.length, at: now } : undefined;
  }

  /** Characters waiting for a line end. */
  get pendingLength(): number {
    return this.pending.length;
  }

  private reset(): void {
    this.pending = '';
    this.discarding = false;
  }

  private silent(now: number): boolean {
    return this.silenceMs !== undefined && now - this.lastAt >= this.silenceMs;
  }

  private append(piece: string, now: number, results: FrameResult[]): void {
    if (piece.length === 0 || this.discarding) return;
    if (this.pending.length + piece.length <= this.maxLength) {
      this.pending += piece;
      return;
    }
    const length = this.pending.length + piece.length;
    const text = (this.pending + piece.slice(0, this.maxLength)).slice(0, this.maxLength);
    results.push({ kind: 'dropped', reason: 'overlong', text, length, at: now });
    this.pending = '';
    this.discarding = true;
  }
}

/** A warning a technician can act on, for a dropped fragment: what it was like, never what it was. */
export function describeDrop(dropped: DroppedFragment, options: LineFramerOptions = {}): string {
  const count = `${dropped.length} byte${dropped.length === 1 ? '' : 's'}`;
  const what = describeContent(dropped.text);
  switch (dropped.reason) {
    case 'silence':
      return `dropped ${count} with no line end after ${options.silenceMs ?? '?'} ms of silence: ${what} (check the scanner sends CR or LF after each barcode)`;
    case 'overlong':
      return `dropped noise: over ${options.maxLength ?? DEFAULT_MAX_LINE} bytes with no line end, the first ${dropped.text.length}: ${what} (check the baud rate and cable)`;
    case 'closed':
      return `dropped ${count} with no line end when the port closed: ${what}`;
  }
}
