/**
 * "offcirc devices record": opens a configured HID or serial scanner raw and writes every report or
 * chunk with its time to a JSON-lines recording (recording.ts) until stopped, for replay and for bug
 * reports. One small synchronous write per report, so a recording cut off by a crash keeps all but the last.
 */
import { EXIT } from '../exit.js';
import { readOnEventLoop } from './serial-read.js';
import { closeSync, openSync, writeSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { Config, DeviceConfig, HidDeviceConfig, SerialDeviceConfig } from '../config/schema.js';
import {
  describeHidConfig,
  hidUnavailableMessage,
  isHidUnavailable,
  loadNodeHid,
  openHidDevice,
  type NodeHidModule,
} from './node-hid.js';
import { recordingLine } from './recording.js';
import { describeListError, describeOpenError } from './serial-errors.js';
import { describeMatch, findPorts, type PortInfo } from './serial-match.js';

export interface RecordOptions {
  /** Stop after this long; otherwise only the signal (or the device going away) stops it. */
  durationMs?: number;
  signal?: AbortSignal;
  /** Replace an existing file; by default an existing recording is never overwritten. */
  overwrite?: boolean;
  /** Called once the device is open and recording has begun, with what was opened. */
  onOpen?: (description: string) => void;
  loadHid?: () => Promise<NodeHidModule>;
  /** The system's serial ports, for a serial device configured by "match". */
  listSerial?: () => Promise<PortInfo[]>;
  now?: () => number;
}

export interface RecordResult {
  file: string;
  chunks: number;
  bytes: number;
  /** How a replay device should read the recording. */
  as: 'hid-keyboard' | 'hid-pos' | 'serial';
  stoppedBy: 'signal' | 'duration' | 'device';
  /** Why the device stopped, when it did. */
  deviceError?: string;
}

/** A raw source of reports/chunks: started with a handler, stopped by close(). */
interface Source {
  description: string;
  as: RecordResult['as'];
  begin(onData: (bytes: Buffer) => void, onGone: (why: string) => void): void;
  close(): Promise<void>;
}

/** Records `config`'s device into `out`. Rejects with a message a technician can act on if it can't open. */
export async function recordDevice(
  config: DeviceConfig,
  out: string,
  options: RecordOptions = {},
): Promise<RecordResult> {
  if (config.type !== 'hid' && config.type !== 'serial')
    throw new Error(
      `device "${config.id}" is a ${config.type} device: only hid and serial devices can be recorded`,
    );
  if (options.signal?.aborted) throw new Error('recording cancelled before it began');
  const source = config.type === 'hid' ? await openHid(config, options) : await openSerial(config, options);
  let fd: number;
  try {
    fd = openOut(out, options.overwrite ?? false);
  } catch (error) {
    await source.close();
    throw error;
  }
  const now = options.now ?? Date.now;
  const began = now();
  const result: RecordResult = { file: out, chunks: 0, bytes: 0, as: source.as, stoppedBy: 'signal' };
  await new Promise<void>((resolve) => {
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (by: RecordResult['stoppedBy'], deviceError?: string) => {
      if (done) return;
      done = true;
      result.stoppedBy = by;
      if (deviceError !== undefined) result.deviceError = deviceError;
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => finish('signal');
    options.signal?.addEventListener('abort', onAbort);
    if (options.durationMs !== undefined) timer = setTimeout(() => finish('duration'), options.durationMs);
    source.begin(
      (bytes) => {
        if (done) return;
        writeSync(fd, recordingLine(now() - began, bytes));
        result.chunks++;
        result.bytes += bytes.length;
      },
      (why) => finish('device', why),
    );
    options.onOpen?.(source.description);
  });
  await source.close();
  closeSync(fd);
  return result;
}

function openOut(out: string, overwrite: boolean): number {
  try {
    return openSync(out, overwrite ? 'w' : 'wx');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new Error(`${out} already exists: choose another file name, or remove it first`);
    throw new Error(`cannot write ${out}: ${(error as Error).message}`);
  }
}

async function openHid(config: HidDeviceConfig, options: RecordOptions): Promise<Source> {
  let hid: NodeHidModule;
  try {
    hid = await (options.loadHid ?? loadNodeHid)();
    const choice = openHidDevice(hid, config);
    if (!choice.opened)
      throw new Error(choice.missing ? `${choice.message}: plug it in and try again` : choice.message);
    const { handle } = choice;
    const kind = choice.protocol === 'pos' ? 'HID POS' : 'keyboard-mode';
    return {
      description: `${kind} scanner ${describeHidConfig(config)} at ${choice.info.path}`,
      as: choice.protocol === 'pos' ? 'hid-pos' : 'hid-keyboard',
      begin(onData, onGone) {
        handle.on('data', (report) => onData(Buffer.from(report)));
        handle.on('error', (error) => onGone(`scanner unplugged or stopped answering (${error.message})`));
      },
      async close() {
        try {
          handle.close();
        } catch {
          // Already gone with the device.
        }
      },
    };
  } catch (error) {
    if (isHidUnavailable(error)) throw new Error(hidUnavailableMessage(error));
    throw error;
  }
}

async function openSerial(config: SerialDeviceConfig, options: RecordOptions): Promise<Source> {
  let path = config.path;
  if (path === undefined) {
    const match = config.match;
    if (match === undefined) throw new Error(`device "${config.id}" has neither "path" nor "match"`);
    let ports: PortInfo[];
    try {
      ports = await (options.listSerial ?? (() => SerialPort.list()))();
    } catch (error) {
      throw new Error(describeListError(error).message);
    }
    const found = findPorts(ports, match)[0];
    if (found === undefined)
      throw new Error(`no serial port with USB ID ${describeMatch(match)} found: plug the scanner in`);
    path = found.path;
  }
  const port = new SerialPort({ path, baudRate: config.baudRate, autoOpen: false });
  let gone: ((why: string) => void) | undefined;
  port.on('error', (error) => gone?.(`${path}: ${error.message}`));
  const error = await new Promise<Error | null>((resolve) => port.open(resolve));
  if (error) throw new Error(describeOpenError(error, path).message);
  // Read as the live driver does: with serialport's own reads a hang-up between two reads can go
  // unnoticed for ever (serial-read.ts), and the recording would never stop at an unplug.
  readOnEventLoop(port.port);
  const opened = path;
  return {
    description: `serial scanner at ${opened} (${config.baudRate} baud)`,
    as: 'serial',
    begin(onData, onGone) {
      gone = onGone;
      port.on('data', (chunk: Buffer) => onData(chunk));
      port.on('close', () => onGone(`${opened} unplugged`));
    },
    async close() {
      port.removeAllListeners('close');
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}

/**
 * The "offcirc devices record --device ID --out FILE [--seconds N] [--force]" command: records until
 * Ctrl+C (SIGINT) or the time is up, and says how to replay what it recorded. Returns the exit code.
 */
export async function recordCommand(
  options: { config: Config; device: string; out: string; seconds?: number; force?: boolean },
  print: (text: string) => void,
  deps: Pick<RecordOptions, 'loadHid' | 'listSerial'> & { signal?: AbortSignal } = {},
): Promise<number> {
  const device = options.config.devices.find((d) => d.id === options.device);
  if (device === undefined) {
    const ids = options.config.devices.map((d) => `"${d.id}" (${d.type})`).join(', ');
    print(`no device "${options.device}" in the config; its devices are ${ids || 'none'}`);
    return EXIT.usage;
  }
  if (options.seconds !== undefined && !(Number.isFinite(options.seconds) && options.seconds > 0)) {
    print(`--seconds: expected a positive number of seconds, got ${String(options.seconds)}`);
    return EXIT.usage;
  }
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  deps.signal?.addEventListener('abort', onSigint);
  try {
    const result = await recordDevice(device, options.out, {
      ...deps,
      signal: controller.signal,
      overwrite: options.force ?? false,
      ...(options.seconds !== undefined ? { durationMs: options.seconds * 1000 } : {}),
      onOpen: (what) =>
        print(
          `recording ${what} to ${options.out}: scan some barcodes, then press Ctrl+C${options.seconds !== undefined ? ` (or wait ${options.seconds} s)` : ''}`,
        ),
    });
    if (result.deviceError !== undefined) print(`stopped: ${result.deviceError}`);
    print(
      `recorded ${result.chunks} ${result.as === 'serial' ? 'chunks' : 'reports'} (${result.bytes} bytes) to ${result.file}`,
    );
    print(
      `to replay it, add this device to the config: ${JSON.stringify({ id: `${device.id}-replay`, type: 'replay', file: result.file, as: result.as })}`,
    );
    return EXIT.ok;
  } catch (error) {
    print(`cannot record "${device.id}": ${(error as Error).message}`);
    return EXIT.io;
  } finally {
    process.removeListener('SIGINT', onSigint);
    deps.signal?.removeEventListener('abort', onSigint);
  }
}
