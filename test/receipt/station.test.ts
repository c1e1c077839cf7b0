/**
 * How the printer reaches the station: notePrinter() keeps the printer in the station's view (with the
 * time of the last dropped receipt, cleared by the next printed one) and tells every output a `printer`
 * notice, which the log writes as a `printer` event. And the receipt command barcode, taken in front of
 * the station's sink, in any form the classifier would accept a command in.
 */
import { describe, expect, it } from 'vitest';
import type { Classified } from '../../src/barcode/classify.js';
import { configSchema } from '../../src/config/schema.js';
import type { KioskEvent } from '../../src/kiosk/events.js';
import type { LogFields, LogLevel, StationLogger } from '../../src/log.js';
import { receiptBarcode } from '../../src/receipt/ask.js';
import { LogOutput } from '../../src/station/outputs.js';
import type { ScanSink } from '../../src/station/ports.js';
import { Station } from '../../src/station/station.js';
import { FakeSource, FakeStore, RecordingOutput } from '../station/fakes.js';

const classify = (): Classified => ({ kind: 'rejected', reason: 'not used here' });

describe('the station and the printer', () => {
  it('keeps the printer in its view and tells every output, the log as `printer` events', async () => {
    const output = new RecordingOutput();
    const logged: { level: LogLevel; message: string; fields?: LogFields }[] = [];
    const logger: StationLogger = {
      log: (level, message, fields) => logged.push({ level, message, fields }),
      event: (_: KioskEvent) => undefined,
      close: async () => undefined,
    };
    let t = 1_000;
    const station = new Station({
      station: 'desk',
      kiosk: { startMode: 'loan', idleTimeoutMs: 60_000, doubleReadMs: 0 },
      classify,
      store: new FakeStore(),
      sources: (sink) => [new FakeSource('front', () => sink)],
      outputs: [new LogOutput(logger, logger.log), output],
      log: () => undefined,
      retryMs: 5,
      now: () => t,
    });
    await station.start();
    expect(station.view().printer).toBeUndefined();

    station.notePrinter({ status: 'connected', message: 'p ready' });
    expect(station.view().printer).toEqual({ status: 'connected', message: 'p ready' });
    t = 2_000;
    station.notePrinter({ status: 'error', message: 'p is out of paper', receipt: 'dropped' });
    expect(station.view().printer).toEqual({
      status: 'error',
      message: 'p is out of paper',
      droppedAt: 2_000,
    });
    t = 3_000;
    station.notePrinter({ status: 'error', message: 'p is not answering' });
    expect(station.view().printer?.droppedAt).toBe(2_000); // a state change keeps the drop's time
    station.notePrinter({ status: 'connected', message: 'p ready', receipt: 'printed' });
    expect(station.view().printer).toEqual({ status: 'connected', message: 'p ready' });

    expect(output.of('printer').map((e) => [e.status, e.receipt])).toEqual([
      ['connected', undefined],
      ['error', 'dropped'],
      ['error', undefined],
      ['connected', 'printed'],
    ]);
    expect(
      output.events.find((e) => e.event.type === 'printer' && e.event.receipt === 'dropped')?.view.printer,
    ).toMatchObject({ droppedAt: 2_000 });
    // The printer's states in the log; a receipt's fate is the receipt output's to log, with its reason.
    expect(logged.filter((l) => l.fields?.event === 'printer')).toEqual([
      { level: 'info', message: 'p ready', fields: { event: 'printer', status: 'connected' } },
      { level: 'warn', message: 'p is not answering', fields: { event: 'printer', status: 'error' } },
    ]);

    await station.stop();
    station.notePrinter({ status: 'disconnected', message: 'after stop' });
    expect(output.of('printer')).toHaveLength(4);
  });
});

describe('the receipt command barcode', () => {
  const config = configSchema.parse({});
  const rig = () => {
    const passed: string[] = [];
    const asked: string[] = [];
    const sink: ScanSink = {
      scan: (s) => passed.push(s.text),
      status: () => undefined,
      warn: () => undefined,
    };
    const wrapped = receiptBarcode(sink, config.commands.receipt, config.barcodes.normalize, (d) =>
      asked.push(d),
    );
    const scan = (text: string, error?: string) =>
      wrapped.scan({ text, device: 'front', at: 0, ...(error !== undefined && { error }) });
    return { passed, asked, scan, wrapped };
  };

  it('is a receipt request as typed or as a scanner sends it (AIM prefix, spaces); other scans pass on', () => {
    const r = rig();
    r.scan('RECEIPT');
    r.scan(' RECEIPT\r\n');
    r.scan(']C0RECEIPT');
    r.scan('21234000000018');
    r.scan('RECEIPTS');
    r.scan('receipt');
    expect(r.asked).toEqual(['front', 'front', 'front']);
    expect(r.passed).toEqual(['21234000000018', 'RECEIPTS', 'receipt']);
  });

  it('a scan the driver already flagged unusable is never taken for it', () => {
    const r = rig();
    r.scan('RECEIPT', 'unknown HID usage');
    expect(r.asked).toEqual([]);
    expect(r.passed).toEqual(['RECEIPT']);
  });
});
