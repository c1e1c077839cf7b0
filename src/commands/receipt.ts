/**
 * `offcirc receipt preview`: a sample receipt as text, laid out by the same function the printer's
 * receipts are (receipt/layout.ts), with the configured width, header and footer, so a technician sees
 * the layout without paper.
 */
import type { LoadedConfig } from '../config/load.js';
import { EXIT, type Io } from '../exit.js';
import { layoutReceipt } from '../receipt/layout.js';

const DAY = 24 * 60 * 60 * 1000;

/** The sample's card and items: made-up numbers in the shape of the default barcode rules. */
export function sampleReceipt(loaded: LoadedConfig, now: number): string[] {
  const { config } = loaded;
  return layoutReceipt(
    {
      station: config.station,
      at: now,
      patron: '21234567890128',
      items: [
        { kind: 'loan', item: '31234567890126', at: now - 60_000, due: now + 21 * DAY },
        { kind: 'loan', item: '31234567890134', at: now - 30_000, due: now + 14 * DAY },
      ],
      header: config.receipt.header,
      footer: config.receipt.footer,
    },
    config.receipt.width,
  );
}

export function receiptPreviewCommand(loaded: LoadedConfig, io: Io, now: () => number = Date.now): number {
  const { receipt } = loaded.config;
  const lines = sampleReceipt(loaded, now());
  const width = receipt.width;
  const edge = `+${'-'.repeat(width)}+`;
  io.out(edge);
  for (const line of lines) io.out(`|${line.padEnd(width)}|`);
  io.out(`+${'- '.repeat(Math.ceil(width / 2)).slice(0, width)}+ (cut)`);
  const printer = receipt.printer;
  const where =
    printer === undefined
      ? 'no printer configured (receipt.printer): no receipts are printed'
      : `printer: ${printer.type} ${printer.type === 'tcp' ? `${printer.host}:${printer.port}` : printer.path}, receipts: ${receipt.when}`;
  io.out(`${width} characters a line, code page 437; ${where}`);
  return EXIT.ok;
}
