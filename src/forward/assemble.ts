/**
 * Assembles the forwarder for app.ts from the config: only with both `forward` and `desk` set (a line
 * must name the desk it belongs to). Wiring only.
 */
import type { Config } from '../config/schema.js';
import type { Log } from '../log.js';
import { Forwarder } from './forwarder.js';

export function createForwarder(
  config: Config,
  journalPath: string,
  log: Log,
  now: () => number,
  /** The forwarding state changed: the screen redraws. */
  changed: () => void,
): Forwarder | undefined {
  const { forward, desk } = config;
  if (!forward || !desk) return undefined;
  return new Forwarder({
    journalPath,
    station: config.station,
    desk,
    ...(config.library && { library: config.library }),
    target: { url: forward.url, ...(forward.passwordFile && { passwordFile: forward.passwordFile }) },
    log,
    batchLines: forward.batchLines,
    retryMaxMs: forward.retryMaxSeconds * 1000,
    statusMs: forward.statusSeconds * 1000,
    changed,
    now,
  });
}
