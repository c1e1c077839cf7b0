/**
 * The terminal as a scanner (headless mode): each line on standard input, typed or piped, is a scan. A
 * keyboard-wedge scanner types into the same place, so these scans share the "keyboard" group.
 */
import { KEYBOARD_GROUP } from '../kiosk/events.js';
import { StringDecoder } from 'node:string_decoder';
import type { TerminalDeviceConfig } from '../config/schema.js';
import type { Scan, Scanner, ScannerSink } from './scanner.js';
import { describeContent } from '../barcode/describe.js';
import { DEFAULT_MAX_LINE, LineFramer, type FrameResult } from './framing.js';
import { StatusReporter } from './reconnect.js';

export { KEYBOARD_GROUP } from '../kiosk/events.js';

/**
 * Typed input to lines, the same way everywhere keys are read (this driver and the screen): UTF-8
 * decoded across chunk boundaries, lines end at CR, LF or CRLF, empty lines ignored, no silence limit
 * (people pause mid-line), and the last line counts at end of input. O(n) per chunk.
 */
export class TypedLines {
  private readonly decoder = new StringDecoder('utf8');
  private readonly framer: LineFramer;

  constructor(maxLength = DEFAULT_MAX_LINE) {
    this.framer = new LineFramer({ maxLength });
  }

  push(chunk: Buffer | string, now: number): FrameResult[] {
    return this.framer.push(typeof chunk === 'string' ? chunk : this.decoder.write(chunk), now);
  }

  /** End of input: whatever is left, as a last line. */
  end(now: number): FrameResult[] {
    const rest = this.framer.push(this.decoder.end(), now);
    const last = this.framer.flush(now);
    return last ? [...rest, last] : rest;
  }

  get maxLength(): number {
    return this.framer.maxLength;
  }
}

/** The scan a typed line makes. */
export function typedScan(text: string, device: string, at: number): Scan {
  return { text, device, at, group: KEYBOARD_GROUP };
}

/** The warning for a typed line too long to be a barcode: what it was like (`text` is its first part). */
export function describeTypedDrop(text: string, length: number, maxLength: number): string {
  return `ignored a typed line of ${length}+ characters (longer than ${maxLength}, no barcode is), the first ${text.length}: ${describeContent(text)}`;
}

const ignore = (): void => undefined;

/** Standard input as a scanner: a scan per line, and ended() once the input closes. */
export class TerminalScanner implements Scanner {
  readonly id: string;
  private readonly lines = new TypedLines();
  private readonly reporter: StatusReporter;
  private readonly now: () => number;
  private reading = false;
  private finished = false;

  constructor(
    config: TerminalDeviceConfig,
    private readonly sink: ScannerSink,
    private readonly input: NodeJS.ReadableStream = process.stdin,
    deps: { now?: () => number } = {},
  ) {
    this.id = config.id;
    this.reporter = new StatusReporter(config.id, sink);
    this.now = deps.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.reading || this.finished) return;
    this.reading = true;
    // Kept for good: an error from a stream we stopped reading must not become an uncaught exception.
    if (!this.input.listeners('error').includes(ignore)) this.input.on('error', ignore);
    this.reporter.report('connected', 'reading scans typed on the terminal');
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('close', this.onEnd);
    this.input.on('error', this.onError);
    this.input.resume();
  }

  async stop(): Promise<void> {
    if (!this.reading) return;
    this.detach();
    // Paused, standard input no longer keeps the process alive.
    this.input.pause();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    this.emit(this.lines.push(chunk, this.now()));
  };

  private readonly onEnd = (): void => {
    if (this.finished) return;
    this.emit(this.lines.end(this.now()));
    this.finish();
  };

  private readonly onError = (error: Error): void => {
    this.reporter.report('error', `terminal input failed: ${error.message}`);
    this.finish();
  };

  private finish(): void {
    this.finished = true;
    this.detach();
    this.sink.ended?.(this.id);
  }

  private detach(): void {
    this.reading = false;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.input.off('error', this.onError);
  }

  private emit(results: FrameResult[]): void {
    for (const result of results) {
      if (result.kind === 'frame') this.sink.scan(typedScan(result.text, this.id, result.at));
      else this.sink.warn(this.id, describeTypedDrop(result.text, result.length, this.lines.maxLength));
    }
  }
}
