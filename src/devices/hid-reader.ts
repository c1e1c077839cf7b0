/**
 * The one way from a HID input report to a Scan: node-hid's 'data' events (hid.ts) and replayed
 * recordings (replay.ts) both push their bytes here, so a recording exercises exactly the live path.
 */
import { KeyboardReportDecoder, type EndKey } from './hid-keyboard.js';
import { PosReportDecoder, type PosScan } from './hid-pos.js';
import type { Scan, ScannerSink } from './scanner.js';

export type HidProtocol = 'keyboard' | 'pos';

export interface HidReportReaderOptions {
  /** The configured device id, put on every scan. */
  device: string;
  protocol: HidProtocol;
  /** Keyboard mode only; default 'either'. */
  endKey?: EndKey;
  /** Put on every scan (see Scan.group); left out, the kiosk uses the device id. */
  group?: string;
  /** Clock for Scan.at; default Date.now. */
  now?: () => number;
}

/** Decodes reports with the decoder for the protocol and hands each finished scan to the sink. */
export class HidReportReader {
  private readonly keyboard: KeyboardReportDecoder | undefined;
  private readonly pos: PosReportDecoder | undefined;
  private readonly now: () => number;

  constructor(
    private readonly options: HidReportReaderOptions,
    private readonly sink: Pick<ScannerSink, 'scan'>,
  ) {
    this.now = options.now ?? Date.now;
    if (options.protocol === 'pos') this.pos = new PosReportDecoder();
    else this.keyboard = new KeyboardReportDecoder({ endKey: options.endKey ?? 'either' });
  }

  /** One input report, exactly as node-hid delivered it. */
  push(report: Buffer): void {
    const decoded: PosScan[] = this.pos ? this.pos.push(report) : (this.keyboard?.push(report) ?? []);
    for (const item of decoded) {
      const scan: Scan = { text: item.text, device: this.options.device, at: this.now() };
      if (item.symbology !== undefined) scan.symbology = item.symbology;
      if (item.error !== undefined) scan.error = item.error;
      if (this.options.group !== undefined) scan.group = this.options.group;
      this.sink.scan(scan);
    }
  }

  /**
   * Forgets a half-read scan (the device went away; its next report starts afresh) and returns its text,
   * so the caller can say what was lost instead of dropping it silently ('' when nothing was pending).
   */
  reset(): string {
    const pending = this.pos?.pending ?? this.keyboard?.pending ?? '';
    this.pos?.reset();
    this.keyboard?.reset();
    return pending;
  }
}
