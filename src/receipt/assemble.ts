/**
 * Assembles the receipt parts for app.ts: the printer (a device with a status, reported to the station
 * like a scanner's), the receipt output, and the patron's ask. Wiring only.
 */
import type { Config } from '../config/schema.js';
import type { Log, StationLogger } from '../log.js';
import type { StationOutput } from '../station/ports.js';
import type { Station } from '../station/station.js';
import { createLink } from './links.js';
import { ReceiptOutput } from './output.js';
import { Printer } from './printer.js';

/**
 * The receipt printer (a device with a status, reported to the station like a scanner's) and its
 * output, where a printer is configured and receipts are not "never". `ask` is the patron asking (the
 * key, or the command barcode from `device`): it waits for the scans queued before it, so it applies to
 * the session they opened, and ends an open session, whose receipt then prints.
 */
export function createReceipts(
  options: { config: Config; logger: StationLogger; now?: () => number },
  station: () => Station,
): { output: StationOutput; printer: Printer; ask: (device: string) => void } | undefined {
  const { config } = options;
  const { receipt } = config;
  if (receipt.printer === undefined || receipt.when === 'never') return undefined;
  const log: Log = options.logger.log;
  let status: { status: 'connected' | 'disconnected' | 'error'; message: string } = {
    status: 'disconnected',
    message: 'printer not connected yet',
  };
  const printer = new Printer(createLink(receipt.printer, receipt), {
    timeoutMs: receipt.timeoutMs,
    reconnectMs: receipt.reconnectMs,
    report: (s, message) => {
      status = { status: s, message };
      station().notePrinter(status);
    },
  });
  const output = new ReceiptOutput({
    station: config.station,
    config: receipt,
    print: (bytes) => printer.print(bytes),
    printerStatus: () => status,
    notify: (update) => station().notePrinter(update),
    idleTimeoutMs: config.session.idleTimeoutSeconds * 1000,
    log,
    ...(options.now && { now: options.now }),
  });
  const ask = (device: string) =>
    void station()
      .idle()
      .then(() => {
        const outcome = output.ask();
        log('info', `receipt asked for (${device}): ${outcome}`, {
          event: 'printer',
          asked: outcome,
          device,
        });
        if (outcome === 'at-session-end') station().command('endSession');
      });
  return { output, printer, ask };
}
