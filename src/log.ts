/**
 * The station's log: winston JSON lines, one record per event, to standard output in headless mode and to
 * a daily-rotated file in the log folder. Patron IDs never reach it unmasked: records are built here from
 * kiosk events, and nothing else logs a scan's text.
 */
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { KioskEvent } from './kiosk/events.js';
import { maskPatron } from './kiosk/events.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;
/** What every part is given to log with: a plain function, never a global logger. */
export type Log = (level: LogLevel, message: string, fields?: LogFields) => void;

export interface LoggerOptions {
  level: LogLevel;
  station: string;
  /** Headless mode: JSON lines here (standard output). */
  stream?: Writable;
  /** Daily-rotated JSON-lines files here, kept `keepDays` days. */
  dir?: string;
  keepDays?: number;
  /** How long a failed log file rests before it is tried again (default 30 s). */
  fileRetryMs?: number;
}

export interface StationLogger {
  log: Log;
  /** Logs a kiosk event as one record with an `event` field. */
  event(event: KioskEvent): void;
  close(): Promise<void>;
  /** Why there is no log file at start, when the log folder could not be made. */
  fileProblem?: string;
}

/** Masks for logs: all but the last 4 characters become '*'. */
export const maskForLog = (patron: string): string => maskPatron(patron).replace(/•/g, '*');

/** winston's key for the formatted line (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

/** How long the log file rests after it failed (disk full, folder gone) before it is tried again. */
const FILE_RETRY_MS = 30_000;

export function createLogger(options: LoggerOptions): StationLogger {
  const format = winston.format.combine(winston.format.timestamp(), winston.format.json());
  const levels = winston.config.npm.levels;
  /** The record as winston formats it, or nothing below the configured level. */
  const record = (level: LogLevel, message: string, fields?: LogFields) => {
    if (levels[level]! > levels[options.level]!) return undefined;
    const info = format.transform({ level, message, station: options.station, ...fields });
    return info ? (info as winston.Logform.TransformableInfo & Record<symbol, string>) : undefined;
  };
  let stream = options.stream;
  // Standard output closed by its reader (EPIPE): stop writing there; the journal and the log folder go on.
  stream?.on('error', () => (stream = undefined));
  const toStream = (info: ReturnType<typeof record>) => {
    if (info) stream?.write(`${info[MESSAGE]}\n`);
  };

  // The daily file. Where it can't be made or written, offcirc says so once (on the stream; the caller
  // shows `fileProblem` at start), lends on without it, and tries it again after FILE_RETRY_MS.
  const retryMs = options.fileRetryMs ?? FILE_RETRY_MS;
  let file: DailyRotateFile | undefined;
  let fileProblem: string | undefined;
  let retryAt = 0;
  const failed = (problem: string) => {
    if (fileProblem === undefined) toStream(record('warn', problem, { event: 'logging' }));
    fileProblem = problem;
    retryAt = Date.now() + retryMs;
  };
  const openFile = (dir: string) => {
    let transport: DailyRotateFile;
    try {
      transport = new DailyRotateFile({
        dirname: dir,
        filename: 'offcirc-%DATE%.log',
        datePattern: 'YYYY-MM-DD',
        maxFiles: `${options.keepDays ?? 30}d`,
      });
    } catch (error) {
      // It makes the folder at once, and throws if it can't.
      failed(`cannot write logs in ${dir} (${(error as Error).message}); logging to a file is off for now`);
      return;
    }
    // The rotator re-emits its file stream's errors (ENOSPC, the folder removed) where nobody listens,
    // which would end the process: listen, and put the file aside until it is tried again.
    (transport as unknown as { logStream?: EventEmitter }).logStream?.on('error', (error: Error) => {
      if (file !== transport) return;
      file = undefined;
      failed(`cannot write the log file in ${dir} (${error.message}); logging to a file is off for now`);
    });
    file = transport;
    if (fileProblem !== undefined) {
      fileProblem = undefined;
      log('info', `writing the log file in ${dir} again`, { event: 'logging' });
    }
  };

  // Each record is formatted once and written at once, not through winston's stream pipeline: a
  // transaction's record leaves the process the moment its line is durable (winston's pipe took longer
  // than the write and its fdatasync together).
  const log: Log = (level, message, fields) => {
    if (options.dir && !file && fileProblem !== undefined && Date.now() >= retryAt) openFile(options.dir);
    const info = record(level, message, fields);
    toStream(info);
    if (info) file?.log?.(info, () => undefined);
  };
  if (options.dir) openFile(options.dir);
  return {
    log,
    fileProblem,
    event: (event) => {
      const [level, message, fields] = eventRecord(event);
      log(level, message, fields);
    },
    close: () =>
      new Promise<void>((resolve) => {
        const open = file;
        file = undefined;
        if (!open) return resolve();
        // Emitted once the file stream has written everything it was given.
        open.once('finish', () => resolve());
        open.close?.();
        setTimeout(resolve, 2000).unref();
      }),
  };
}

/** A local date "YYYY-MM-DD". */
function localDate(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** What the log says of a card the patron list doesn't vouch for, by what the kiosk did with it. */
const CHECK_WORDS = {
  lend: (standing: string) => `card ${standing} on the patron list: lent`,
  warn: (standing: string) => `card ${standing} on the patron list: lent with a warning`,
  admitted: (standing: string) => `card ${standing} on the patron list: admitted by staff with the PIN`,
} as const;

/** One kiosk event as a log record: level, message and fields (with `event`). */
export function eventRecord(event: KioskEvent): [LogLevel, string, LogFields] {
  switch (event.type) {
    case 'transaction': {
      const t = event.transaction;
      const patron = t.patron === undefined ? undefined : maskForLog(t.patron);
      // The provisional due date as the local date it falls on (the end of that day).
      const due = event.due === undefined ? undefined : localDate(event.due);
      return [
        'info',
        t.kind === 'loan'
          ? `loan of ${t.item} to ${patron}${due ? ` (due about ${due})` : ''}`
          : `return of ${t.item}`,
        { event: 'transaction', kind: t.kind, item: t.item, patron, line: event.line, device: t.device, due },
      ];
    }
    case 'rejected':
      return [
        'warn',
        `rejected: ${event.reason}`,
        {
          event: 'rejected',
          reason: event.reason,
          device: event.device,
          text: event.text === undefined ? undefined : maskForLog(event.text),
        },
      ];
    case 'ignored':
      return ['info', event.reason, { event: 'ignored', reason: event.reason, device: event.device }];
    case 'session': {
      const patron = maskForLog(event.patron);
      const check = event.check && CHECK_WORDS[event.check.action](event.check.standing);
      return [
        check && event.check?.action !== 'lend' ? 'warn' : 'info',
        `session ${event.action} for ${patron}${event.reason ? ` (${event.reason})` : ''}${check ? ` (${check})` : ''}`,
        {
          event: 'session',
          action: event.action,
          patron,
          reason: event.reason,
          ...(event.check && { standing: event.check.standing, check: event.check.action }),
        },
      ];
    }
    case 'returns':
      return [
        'info',
        `returns ended (${event.reason}): ${event.returns} returned`,
        { event: 'returns', action: 'ended', returns: event.returns, reason: event.reason },
      ];
    case 'mode':
      return ['info', `mode: ${event.mode}`, { event: 'mode', mode: event.mode }];
    case 'service':
      return event.inService
        ? ['info', 'back in service: the journal can be written again', { event: 'service', inService: true }]
        : [
            'error',
            `out of service: ${event.reason}`,
            { event: 'service', inService: false, reason: event.reason },
          ];
  }
}
