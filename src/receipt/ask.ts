/**
 * The receipt command barcode: a ScanSink in front of the station's that takes a scan of
 * `commands.receipt` (as configured, or as normalized, the way the classifier matches command barcodes)
 * as the patron asking for a receipt, and passes every other scan on unchanged. O(n) per scan in its
 * length (one normalize).
 */
import { normalize, type NormalizeOptions } from '../barcode/normalize.js';
import type { ScanSink } from '../station/ports.js';

export function receiptBarcode(
  sink: ScanSink,
  command: string,
  options: NormalizeOptions,
  ask: (device: string) => void,
): ScanSink {
  const texts = new Set([command, normalize(command, options)]);
  return {
    ...sink,
    scan: (scan) => {
      if (scan.error === undefined && (texts.has(scan.text) || texts.has(normalize(scan.text, options))))
        return ask(scan.device);
      sink.scan(scan);
    },
  };
}
